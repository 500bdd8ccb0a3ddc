/**
 * Matching after a sync round: drains the alert queue (every bid the index wrote, queued by a trigger in
 * the same transaction as the write) in batches, matches the eligible bids against every active alert
 * (`matchAlerts`), compares delivered bids with what each subscriber saw (`bidChanges`), and commits each
 * batch in one store call: items under their unique keys + exactly the queue entries read. A crash before
 * the commit means the batch is matched again (its items are unique, so nothing doubles); a crash after it
 * leaves pending items that the dispatcher sends. Two matchers racing produce the same keys (one wins).
 * Then reminders are queued for delivered bids closing within two days.
 */
import type { Bid } from "../bid.ts";
import type { AlertStore, BidSnapshot, NewItem, QueuedBid } from "../ports/alert-store.ts";
import type { BidIndex } from "../ports/bid-index.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { bidChanges, snapshotOf } from "./bid-changes.ts";
import { type MatchableAlert, matchAlerts, PreparedAlerts } from "./match-alerts.ts";

/** Reminders go out this long before proposals close. */
export const REMINDER_BEFORE_MS = 2 * 86_400_000;
/**
 * Queue entries per batch (one `bidsByIds`, one match pass): a national day (~4,000 bids) is one pass, so
 * each alert's matcher is compiled once per round.
 */
export const MATCH_BATCH = 5000;
/**
 * Items per store call; the batch's last call also removes its queue entries. A national day (~420k
 * matches) is one call: the store keeps one row per alert per call, and every further call of the same
 * batch would re-check each bid it shares with the earlier ones.
 */
export const COMMIT_CHUNK = 500_000;
const NO_DETAIL: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

export interface AlertMatchDeps {
  alerts: AlertStore;
  index: Pick<BidIndex, "bidsByIds">;
  clock: Clock;
  logger: Logger;
}

export interface AlertMatchStats {
  batches: number;
  /** Queue entries read. */
  queued: number;
  /** Bids actually matched (eligible for some alert). */
  matchedBids: number;
  /** Match and change items found (before the unique key drops those already stored). */
  matches: number;
  changes: number;
  /** Items actually stored (new to the store). */
  inserted: number;
  reminders: number;
  durationMs: number;
}

/** Items and seen updates of one batch (pure: exposed for the bench and tests). */
export function batchItems(
  batch: readonly QueuedBid[],
  bids: readonly Bid[],
  alerts: readonly MatchableAlert[] | PreparedAlerts,
  seen: ReadonlyArray<{ alertId: string; bidId: string; status: string; seen: BidSnapshot | null }>,
  now: Date,
): {
  items: NewItem[];
  seenUpdates: Array<{ alertId: string; bidId: string; seen: BidSnapshot }>;
  matched: number;
} {
  const byId = new Map(bids.map((b) => [b.id, b] as const));
  const tags = new Map(batch.map((q) => [q.bidId, q.sectorTags] as const));
  const eligibleIds = new Set(batch.filter((q) => q.eligible).map((q) => q.bidId));
  const eligible = bids.filter((b) => eligibleIds.has(b.id));
  const items: NewItem[] = [];
  const snapshots = new Map<string, BidSnapshot>();
  const snap = (bid: Bid) => {
    let s = snapshots.get(bid.id);
    if (!s) {
      s = snapshotOf(bid);
      snapshots.set(bid.id, s);
    }
    return s;
  };
  const activeIds = alerts instanceof PreparedAlerts ? alerts.ids : new Set(alerts.map((a) => a.id));
  for (const [alertId, ids] of matchAlerts(eligible, tags, alerts, now)) {
    for (const bidId of ids) {
      items.push({
        alertId,
        bidId,
        kind: "match",
        changeKey: "",
        detail: NO_DETAIL,
        seen: snap(byId.get(bidId)!),
      });
    }
  }
  const seenUpdates: Array<{ alertId: string; bidId: string; seen: BidSnapshot }> = [];
  for (const row of seen) {
    const bid = byId.get(row.bidId);
    if (!bid || !row.seen) continue;
    const current = snap(bid);
    const changes = bidChanges(row.seen, current);
    if (changes.length === 0) continue;
    // Pending matches show the current state when sent: only the seen state moves.
    if (row.status === "sent" && activeIds.has(row.alertId)) {
      for (const change of changes) {
        items.push({
          alertId: row.alertId,
          bidId: row.bidId,
          kind: "change",
          changeKey: change.key,
          detail: { change: change.kind },
        });
      }
    }
    seenUpdates.push({ alertId: row.alertId, bidId: row.bidId, seen: current });
  }
  return { items, seenUpdates, matched: eligible.length };
}

/** Drains the queue (up to `maxBatches`), then queues due reminders. */
export async function runAlertMatching(
  deps: AlertMatchDeps,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<AlertMatchStats> {
  const started = performance.now();
  const batchSize = options.batchSize ?? MATCH_BATCH;
  const maxBatches = options.maxBatches ?? 10_000;
  const stats: AlertMatchStats = {
    batches: 0,
    queued: 0,
    matchedBids: 0,
    matches: 0,
    changes: 0,
    inserted: 0,
    reminders: 0,
    durationMs: 0,
  };
  const active = await deps.alerts.activeAlerts();
  const alerts = new PreparedAlerts(active);
  while (stats.batches < maxBatches) {
    const batch = await deps.alerts.takeQueue(batchSize);
    if (batch.length === 0) break;
    stats.batches++;
    stats.queued += batch.length;
    const now = deps.clock.now();
    const relevant = batch.filter((q) => (q.eligible && alerts.size > 0) || q.delivered);
    const bids =
      relevant.length > 0
        ? await deps.index.bidsByIds(
            relevant.map((q) => q.bidId),
            now,
          )
        : [];
    const delivered = batch.filter((q) => q.delivered).map((q) => q.bidId);
    const seen = delivered.length > 0 ? await deps.alerts.seenFor(delivered) : [];
    const { items, seenUpdates, matched } = batchItems(batch, bids, alerts, seen, now);
    stats.matchedBids += matched;
    // Earlier chunks only insert (a crash then re-matches the batch: the unique key drops repeats).
    let start = 0;
    for (; start + COMMIT_CHUNK < items.length; start += COMMIT_CHUNK) {
      stats.inserted += await deps.alerts.commitMatches(
        [],
        items.slice(start, start + COMMIT_CHUNK),
        [],
        now,
      );
    }
    stats.inserted += await deps.alerts.commitMatches(batch, items.slice(start), seenUpdates, now);
    for (const item of items) {
      if (item.kind === "match") stats.matches++;
      else stats.changes++;
    }
    if (batch.length < batchSize) break;
  }
  stats.reminders = await deps.alerts.queueReminders(deps.clock.now(), REMINDER_BEFORE_MS);
  stats.durationMs = Math.round(performance.now() - started);
  deps.logger.info({ event: "alert_matching_done", ...stats }, "alert_matching_done");
  return stats;
}
