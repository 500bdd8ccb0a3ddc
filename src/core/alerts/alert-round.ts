/**
 * One alert round: match what the sync wrote, then send what is ready. Runs after every sync round (the
 * worker's `onRoundComplete`) and on a ticker (digests are due at their hour even when no sync ran).
 * Rounds of one process never overlap; across processes the store's queue and claims keep them apart.
 */
import { type AlertDeliveryDeps, type AlertDeliveryStats, deliverAlerts } from "./deliver-alerts.ts";
import { type AlertMatchDeps, type AlertMatchStats, runAlertMatching } from "./run-alert-matching.ts";

export type AlertRoundDeps = AlertMatchDeps & AlertDeliveryDeps;

export interface AlertRoundStats {
  match: AlertMatchStats | null;
  delivery: AlertDeliveryStats;
}

export interface AlertRunner {
  /** Matches (unless `match: false`) then delivers; waits for a round already running first. */
  run(options?: { match?: boolean }): Promise<AlertRoundStats>;
  /**
   * A full round every `tickMs` until `stop()`: digests at their hour, retries, expired claims, and the
   * matching of what a sync elsewhere (a BullMQ worker) wrote — cheap when the queue is empty.
   */
  startTicker(tickMs: number): void;
  /** Stops the ticker and waits for the running round. */
  stop(): Promise<void>;
}

export function createAlertRunner(deps: AlertRoundDeps): AlertRunner {
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  const run = (opts: { match?: boolean } = {}): Promise<AlertRoundStats> => {
    const next = chain.then(async () => {
      const match = opts.match === false ? null : await runAlertMatching(deps);
      const delivery = await deliverAlerts(deps);
      return { match, delivery };
    });
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    run,
    startTicker(tickMs) {
      if (timer) return;
      timer = setInterval(() => {
        run().catch((error: unknown) =>
          deps.logger.error({ event: "alert_round_failed", err: error }, "alert_round_failed"),
        );
      }, tickMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await chain;
    },
  };
}
