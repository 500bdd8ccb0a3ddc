/**
 * Result ordering. Every order ends with a deterministic tie-break (newest, then id) so the same
 * search always lists bids the same way.
 *
 * Speed: the sort keys (publication instant, closing instant, known value, score) are computed once per
 * bid before sorting, not in the comparator (`Date.parse` per comparison was most of the time of sorting
 * tens of thousands of index bids).
 */
import type { Bid } from "../bid.ts";
import { parseInstant } from "../index/iso-instant.ts";
import type { SortKey } from "../search-query.ts";

/** A bid with its precomputed keys; `key` is the primary key of the order (null = unknown, last). */
interface Keyed {
  bid: Bid;
  id: string;
  published: number | null;
  key: number | null;
}

/**
 * Returns a sorted copy:
 * - newest / oldest: by publication instant, unknown dates last;
 * - value_desc / value_asc: by estimated value, unknown (null or 0 = confidential) last in both;
 * - closing_soon: bids whose proposals close after `now`, soonest first; then every other bid, newest first;
 * - relevance: by `scores` (higher first), ties newest first; without scores it is newest.
 */
export function sortBids(
  bids: readonly Bid[],
  sort: SortKey,
  now: Date,
  scores?: ReadonlyMap<string, number>,
): Bid[] {
  const primary = primaryKey(sort, now.getTime(), scores);
  const keyed: Keyed[] = new Array(bids.length);
  for (let i = 0; i < bids.length; i++) {
    const bid = bids[i]!;
    keyed[i] = {
      bid,
      id: bid.id,
      published: instant(bid.publishedAt),
      key: primary ? primary.of(bid) : null,
    };
  }
  keyed.sort(comparator(sort, primary?.direction ?? 1));
  const out: Bid[] = new Array(keyed.length);
  for (let i = 0; i < keyed.length; i++) out[i] = keyed[i]!.bid;
  return out;
}

/** The key before the tie-breaks, and its direction; null for newest/oldest (publication only). */
function primaryKey(
  sort: SortKey,
  nowMs: number,
  scores?: ReadonlyMap<string, number>,
): { of: (bid: Bid) => number | null; direction: 1 | -1 } | null {
  switch (sort) {
    case "newest":
    case "oldest":
      return null;
    case "value_desc":
      return { of: knownValue, direction: -1 };
    case "value_asc":
      return { of: knownValue, direction: 1 };
    case "closing_soon":
      return {
        of: (bid) => {
          const close = instant(bid.proposalsCloseAt);
          return close !== null && close > nowMs ? close : null;
        },
        direction: 1,
      };
    case "relevance":
      // Higher first; a bid without a score counts as 0 (never "unknown").
      return { of: (bid) => scores?.get(bid.id) ?? 0, direction: -1 };
  }
}

type Compare = (a: Keyed, b: Keyed) => number;

function comparator(sort: SortKey, direction: 1 | -1): Compare {
  switch (sort) {
    case "newest":
      return newest;
    case "oldest":
      return (a, b) => then(nullsLast(a.published, b.published, 1), byId, a, b);
    default:
      return (a, b) => then(nullsLast(a.key, b.key, direction), newest, a, b);
  }
}

/** `result` unless it is exactly 0 (a NaN is returned as is, as a comparator chain does). */
function then(result: number, next: Compare, a: Keyed, b: Keyed): number {
  return result !== 0 ? result : next(a, b);
}

const byId: Compare = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const newest: Compare = (a, b) => then(nullsLast(a.published, b.published, -1), byId, a, b);

function instant(value: string | null): number | null {
  if (value === null) return null;
  const ms = parseInstant(value);
  return Number.isNaN(ms) ? null : ms;
}

function knownValue(bid: Bid): number | null {
  return bid.estimatedValue !== null && bid.estimatedValue > 0 ? bid.estimatedValue : null;
}

/** Known values first, ordered by `direction`; unknown (null) last. */
function nullsLast(a: number | null, b: number | null, direction: 1 | -1): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return (a - b) * direction;
}
