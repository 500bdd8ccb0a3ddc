/**
 * One alert round: match what the sync wrote, then send what is ready. Runs after every sync round (the
 * worker's `onRoundComplete`) and on a ticker (digests are due at their hour even when no sync ran).
 * Rounds of one process never overlap; across processes the store's queue and claims keep them apart.
 */
import type { Logger } from "../ports/logger.ts";
import { type AlertDeliveryDeps, type AlertDeliveryStats, deliverAlerts } from "./deliver-alerts.ts";
import { type AlertMatchDeps, type AlertMatchStats, runAlertMatching } from "./run-alert-matching.ts";

export type AlertRoundDeps = AlertMatchDeps & AlertDeliveryDeps;

export interface AlertRoundStats {
  match: AlertMatchStats | null;
  delivery: AlertDeliveryStats;
}

export interface AlertRunner {
  /** Matches (when `match`) then delivers; waits for a round already running first. */
  run(options?: { match?: boolean }): Promise<AlertRoundStats>;
  /** Stops the ticker and waits for the running round. */
  stop(): Promise<void>;
}

/** A runner with an optional ticker every `tickMs` (delivery only: digests, retries, expired claims). */
export function createAlertRunner(
  deps: AlertRoundDeps,
  options: { tickMs?: number; logger?: Logger } = {},
): AlertRunner {
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const run = (opts: { match?: boolean } = {}): Promise<AlertRoundStats> => {
    const next = chain.then(async () => {
      const match = opts.match === false ? null : await runAlertMatching(deps);
      const delivery = await deliverAlerts(deps);
      return { match, delivery };
    });
    chain = next.catch(() => undefined);
    return next;
  };
  const timer =
    options.tickMs && options.tickMs > 0
      ? setInterval(() => {
          if (stopped) return;
          run({ match: false }).catch((error: unknown) =>
            deps.logger.error({ event: "alert_round_failed", err: error }, "alert_round_failed"),
          );
        }, options.tickMs)
      : null;
  timer?.unref?.();
  return {
    run,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await chain;
    },
  };
}
