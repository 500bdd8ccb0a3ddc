/**
 * Stall detection, pure: a sync that has windows left but recorded no page for `stallAfterMs` is stalled
 * (PNCP hanging every request, a store that blocks, a lost event loop). The worker logs `sync_stalled`
 * loudly once per episode and `sync_unstalled` when pages flow again.
 */

/** What the watcher knows at a check. */
export interface StallInput {
  /** A round is running with work left. */
  running: boolean;
  /** When the last page was stored (or the round started), epoch ms. */
  lastProgressAt: number;
  nowMs: number;
  stallAfterMs: number;
}

/** True when the sync should be reported stalled. */
export function isStalled(input: StallInput): boolean {
  return input.running && input.nowMs - input.lastProgressAt >= input.stallAfterMs;
}
