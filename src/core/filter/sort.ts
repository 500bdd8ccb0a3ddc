/**
 * Result ordering. Every order ends with a deterministic tie-break (newest, then id) so the same
 * search always lists bids the same way.
 */
import type { Bid } from "../bid.ts";
import type { SortKey } from "../query/search-query.ts";

type Compare = (a: Bid, b: Bid) => number;

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
  return [...bids].sort(comparator(sort, now.getTime(), scores));
}

function comparator(sort: SortKey, nowMs: number, scores?: ReadonlyMap<string, number>): Compare {
  switch (sort) {
    case "newest":
      return chain(byInstant("publishedAt", -1), byId);
    case "oldest":
      return chain(byInstant("publishedAt", 1), byId);
    case "value_desc":
      return chain(byValue(-1), newest);
    case "value_asc":
      return chain(byValue(1), newest);
    case "closing_soon":
      return chain(byClosing(nowMs), newest);
    case "relevance":
      return chain((a, b) => (scores?.get(b.id) ?? 0) - (scores?.get(a.id) ?? 0), newest);
  }
}

function chain(...compares: Compare[]): Compare {
  return (a, b) => {
    for (const compare of compares) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  };
}

const byId: Compare = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function instant(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Known values first, ordered by `direction`; unknown (null) last. */
function nullsLast(a: number | null, b: number | null, direction: 1 | -1): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return (a - b) * direction;
}

function byInstant(field: "publishedAt" | "proposalsCloseAt", direction: 1 | -1): Compare {
  return (a, b) => nullsLast(instant(a[field]), instant(b[field]), direction);
}

const newest = chain(byInstant("publishedAt", -1), byId);

function byValue(direction: 1 | -1): Compare {
  const known = (bid: Bid) =>
    bid.estimatedValue !== null && bid.estimatedValue > 0 ? bid.estimatedValue : null;
  return (a, b) => nullsLast(known(a), known(b), direction);
}

function byClosing(nowMs: number): Compare {
  const future = (bid: Bid) => {
    const close = instant(bid.proposalsCloseAt);
    return close !== null && close > nowMs ? close : null;
  };
  return (a, b) => nullsLast(future(a), future(b), 1);
}
