/**
 * The sync worker loop, thin around `runSyncRound`: holds the `sync` lease (one syncer across instances;
 * the others poll and take over when the holder dies and its lease expires), renews it while running,
 * runs a round every `intervalMs`, watches for stalls, and stops gracefully (in-flight pages finish and
 * are stored, then the lease is released).
 */
import type { Sleep } from "../pncp/http-pncp-client.ts";
import { runSyncRound, type SyncDeps, type SyncSettings } from "./run-sync-round.ts";
import { isStalled } from "./stall-watch.ts";
import type { SyncRoundStats } from "./sync-stats.ts";

/** The lease every syncer competes for. */
export const SYNC_LEASE = "sync";

/** Worker timing, on top of what a round covers. */
export interface SyncWorkerSettings extends SyncSettings {
  /** Pause between rounds (`SYNC_INTERVAL_MINUTES`). */
  intervalMs: number;
  /** Lease lifetime; renewed every third of it. Default 60 000. */
  leaseTtlMs?: number;
  /** How often a waiting syncer tries the lease. Default leaseTtlMs / 2. */
  leasePollMs?: number;
  /** No page stored for this long while work remains → `sync_stalled`. Default 10 min. */
  stallAfterMs?: number;
  /** This instance's name in the lease (host:pid:random). */
  holder: string;
}

export interface SyncWorkerDeps extends SyncDeps {
  /** Abortable wait (tests shorten nothing: settings are small there). Default real timers. */
  sleep?: Sleep;
  /**
   * Runs after each completed round, before `nextRound()` resolves (alert matching). Its failure is logged,
   * never fails the round.
   */
  onRoundComplete?: (stats: SyncRoundStats) => Promise<void> | void;
}

/** What `/health` and `index status` can show about this process's syncer. */
export interface SyncWorkerStatus {
  holdsLease: boolean;
  running: boolean;
  stalled: boolean;
  rounds: number;
  lastRound: SyncRoundStats | null;
  lastProgressAt: Date | null;
}

export interface SyncWorker {
  /**
   * Graceful: no new page starts, in-flight ones are stored, the lease is released. Pages still in flight
   * after `graceMs` (default 30 000: a PNCP that hangs) are cancelled; their windows stay partial.
   */
  stop(graceMs?: number): Promise<void>;
  status(): SyncWorkerStatus;
  /** Resolves after the next round this worker runs (rejects when it failed): tests, `sync --once`. */
  nextRound(): Promise<SyncRoundStats>;
}

/** Starts the loop; returns at once. */
export function startSyncWorker(deps: SyncWorkerDeps, settings: SyncWorkerSettings): SyncWorker {
  const { index, clock, logger } = deps;
  const ttl = settings.leaseTtlMs ?? 60_000;
  const pollMs = settings.leasePollMs ?? Math.max(1, Math.floor(ttl / 2));
  const stallAfterMs = settings.stallAfterMs ?? 10 * 60_000;
  const stopController = new AbortController();
  /** Cancels the requests in flight (stop's grace period ran out). */
  const hardStop = new AbortController();
  const sleep: Sleep =
    deps.sleep ??
    ((ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          resolve();
        }
        signal?.addEventListener("abort", done, { once: true });
      }));
  const state: SyncWorkerStatus = {
    holdsLease: false,
    running: false,
    stalled: false,
    rounds: 0,
    lastRound: null,
    lastProgressAt: null,
  };
  let lost = false;
  let roundWaiters: Array<{ resolve: (stats: SyncRoundStats) => void; reject: (error: unknown) => void }> =
    [];
  const stopping = () => stopController.signal.aborted;

  const renew = async (): Promise<void> => {
    if (!state.holdsLease || stopping()) return;
    try {
      if (await index.acquireLease(SYNC_LEASE, settings.holder, ttl, clock.now())) return;
      lost = true;
      state.holdsLease = false;
      logger.error({ event: "sync_lease_lost", holder: settings.holder }, "sync_lease_lost");
    } catch (error) {
      // The store is unreachable: keep going; the lease either renews next time or expires for us.
      logger.warn({ event: "sync_lease_renew_failed", err: error }, "sync_lease_renew_failed");
    }
  };
  const renewTimer = setInterval(() => void renew(), Math.max(1, Math.floor(ttl / 3)));
  renewTimer.unref?.();

  const watchTimer = setInterval(
    () => {
      const last = state.lastProgressAt?.getTime() ?? clock.now().getTime();
      const stalled = isStalled({
        running: state.running,
        lastProgressAt: last,
        nowMs: clock.now().getTime(),
        stallAfterMs,
      });
      if (stalled && !state.stalled) {
        logger.error(
          {
            event: "sync_stalled",
            sinceMs: clock.now().getTime() - last,
            pagesThisRound: currentPages,
            holder: settings.holder,
          },
          "sync_stalled",
        );
      } else if (!stalled && state.stalled) logger.info({ event: "sync_unstalled" }, "sync_unstalled");
      state.stalled = stalled;
    },
    Math.max(1, Math.min(60_000, Math.floor(stallAfterMs / 4))),
  );
  watchTimer.unref?.();
  let currentPages = 0;

  const acquire = async (): Promise<boolean> => {
    try {
      return await index.acquireLease(SYNC_LEASE, settings.holder, ttl, clock.now());
    } catch (error) {
      logger.warn({ event: "sync_lease_failed", err: error }, "sync_lease_failed");
      return false;
    }
  };

  const loop = async (): Promise<void> => {
    let waitingLogged = false;
    while (!stopping()) {
      if (!state.holdsLease) {
        if (!(await acquire())) {
          if (!waitingLogged) logger.info({ event: "sync_waiting_for_lease" }, "sync_waiting_for_lease");
          waitingLogged = true;
          await sleep(pollMs, stopController.signal);
          continue;
        }
        waitingLogged = false;
        lost = false;
        state.holdsLease = true;
        logger.info({ event: "sync_lease_acquired", holder: settings.holder }, "sync_lease_acquired");
      }
      state.running = true;
      state.lastProgressAt = clock.now();
      currentPages = 0;
      try {
        const stats = await runSyncRound(deps, settings, {
          signal: hardStop.signal,
          shouldStop: () => stopping() || lost,
          onPage: (s) => {
            currentPages = s.pages;
            state.lastProgressAt = clock.now();
          },
        });
        state.rounds++;
        state.lastRound = stats;
        try {
          await deps.onRoundComplete?.(stats);
        } catch (error) {
          logger.error({ event: "sync_round_hook_failed", err: error }, "sync_round_hook_failed");
        }
        const waiters = roundWaiters;
        roundWaiters = [];
        for (const waiter of waiters) waiter.resolve(stats);
      } catch (error) {
        if (hardStop.signal.aborted) logger.warn({ event: "sync_cancelled" }, "sync_cancelled");
        else logger.error({ event: "sync_round_failed", err: error }, "sync_round_failed");
        const waiters = roundWaiters;
        roundWaiters = [];
        for (const waiter of waiters) waiter.reject(error);
      } finally {
        state.running = false;
        state.stalled = false;
      }
      if (!lost) await sleep(settings.intervalMs, stopController.signal);
    }
  };
  const done = loop();

  return {
    async stop(graceMs = 30_000) {
      stopController.abort();
      const grace = setTimeout(() => hardStop.abort(new Error("sync stopped")), graceMs);
      await done;
      clearTimeout(grace);
      for (const waiter of roundWaiters.splice(0))
        waiter.reject(new Error("sync stopped before a round ran"));
      clearInterval(renewTimer);
      clearInterval(watchTimer);
      if (state.holdsLease) {
        state.holdsLease = false;
        await index.releaseLease(SYNC_LEASE, settings.holder).catch((error: unknown) => {
          logger.warn({ event: "sync_lease_release_failed", err: error }, "sync_lease_release_failed");
        });
      }
      logger.info({ event: "sync_stopped", rounds: state.rounds }, "sync_stopped");
    },
    status: () => ({ ...state }),
    nextRound: () => new Promise((resolve, reject) => roundWaiters.push({ resolve, reject })),
  };
}
