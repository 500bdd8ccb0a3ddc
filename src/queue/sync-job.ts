/**
 * The index sync as a BullMQ job scheduler (`smart-pncp worker` with REDIS_URL): one job every
 * `SYNC_INTERVAL_MINUTES`, whichever worker takes it runs ONE round (`runSyncRound`). The scheduler makes
 * one job per tick, but a round longer than the interval could overlap the next tick on another worker,
 * so the round still holds the store's `sync` lease (as `startSyncWorker` does): a second holder skips.
 * A worker shutting down stops the round gracefully (in-flight pages are stored; the next round resumes).
 */
import type { JobProcessor } from "../core/ports/job-queue.ts";
import type { Logger } from "../core/ports/logger.ts";
import { runSyncRound, type SyncDeps } from "../core/sync/run-sync-round.ts";
import { SYNC_LEASE, type SyncWorkerSettings } from "../core/sync/sync-worker.ts";

export const SYNC_JOB = "sync";

export function syncJobProcessor(deps: SyncDeps, settings: SyncWorkerSettings, logger: Logger): JobProcessor {
  const ttl = settings.leaseTtlMs ?? 60_000;
  return {
    schedule: { everyMs: settings.intervalMs },
    async run(_data, ctx) {
      const { index, clock } = deps;
      if (!(await index.acquireLease(SYNC_LEASE, settings.holder, ttl, clock.now()))) {
        logger.info({ holder: settings.holder }, "sync_round_skipped_lease_held");
        return;
      }
      let lost = false;
      const renew = setInterval(
        () => {
          void index
            .acquireLease(SYNC_LEASE, settings.holder, ttl, clock.now())
            .then((held) => {
              if (!held) lost = true;
            })
            .catch(() => undefined);
        },
        Math.max(1, Math.floor(ttl / 3)),
      );
      try {
        const stats = await runSyncRound(deps, settings, { shouldStop: () => lost || ctx.signal.aborted });
        logger.info({ event: "sync_round", ...stats }, "sync_round");
      } finally {
        clearInterval(renew);
        await index.releaseLease(SYNC_LEASE, settings.holder).catch(() => undefined);
      }
    },
  };
}
