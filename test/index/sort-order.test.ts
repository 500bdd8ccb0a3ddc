/**
 * `sortBids` precomputes its keys once per bid (speed, issue 8); the order must stay exactly the one of
 * the comparator chain it replaced (kept here as the oracle): every sort key, unknown and unparsable
 * instants, confidential (0) and missing values, missing scores, repeated ids and equal keys (stability).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Bid } from "../../src/core/bid.ts";
import { sortBids } from "../../src/core/filter/sort.ts";
import { SORT_KEYS, type SortKey } from "../../src/core/search-query.ts";
import { fixtureIndexedRecords } from "./index-fixtures.ts";

type Compare = (a: Bid, b: Bid) => number;
/** The orders this oracle knows; `best_fit` (issue 11) has its own tests beside sort.ts. */
type ChainSort = Exclude<SortKey, "best_fit">;
const CHAIN_SORTS = SORT_KEYS.filter((key): key is ChainSort => key !== "best_fit");

/** The comparator chain as it was before the keys were precomputed (`Date.parse` per comparison). */
function oracle(
  bids: readonly Bid[],
  sort: ChainSort,
  now: Date,
  scores?: ReadonlyMap<string, number>,
): Bid[] {
  const chain =
    (...compares: Compare[]): Compare =>
    (a, b) => {
      for (const compare of compares) {
        const result = compare(a, b);
        if (result !== 0) return result;
      }
      return 0;
    };
  const byId: Compare = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const instant = (value: string | null) => {
    if (value === null) return null;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  };
  const nullsLast = (a: number | null, b: number | null, direction: 1 | -1) => {
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    return (a - b) * direction;
  };
  const byInstant =
    (field: "publishedAt" | "proposalsCloseAt", direction: 1 | -1): Compare =>
    (a, b) =>
      nullsLast(instant(a[field]), instant(b[field]), direction);
  const newest = chain(byInstant("publishedAt", -1), byId);
  const known = (bid: Bid) =>
    bid.estimatedValue !== null && bid.estimatedValue > 0 ? bid.estimatedValue : null;
  const byValue =
    (direction: 1 | -1): Compare =>
    (a, b) =>
      nullsLast(known(a), known(b), direction);
  const nowMs = now.getTime();
  const future = (bid: Bid) => {
    const close = instant(bid.proposalsCloseAt);
    return close !== null && close > nowMs ? close : null;
  };
  const compare: Record<ChainSort, Compare> = {
    newest: chain(byInstant("publishedAt", -1), byId),
    oldest: chain(byInstant("publishedAt", 1), byId),
    value_desc: chain(byValue(-1), newest),
    value_asc: chain(byValue(1), newest),
    closing_soon: chain((a, b) => nullsLast(future(a), future(b), 1), newest),
    relevance: chain((a, b) => (scores?.get(b.id) ?? 0) - (scores?.get(a.id) ?? 0), newest),
  };
  return [...bids].sort(compare[sort]);
}

const NOW = new Date("2026-09-21T15:00:00Z");
const template = fixtureIndexedRecords(NOW)[0]!.bid;
const instants = fc.constantFrom(
  null,
  "2026-09-20T10:00:00.000Z",
  "2026-09-21T15:00:00.000Z",
  "2026-09-21T15:00:00.001Z",
  "2026-09-25T09:30:00.000Z",
  "2026-08-01T00:00:00.000Z",
  "2026-09-21T12:00:00-03:00",
  "not a date",
);
const bidArb = fc.record({
  id: fc.constantFrom("a", "b", "c", "d", "e", "f", "g"),
  publishedAt: instants,
  proposalsCloseAt: instants,
  estimatedValue: fc.constantFrom(null, 0, -5, 10, 10, 2500.5, 1e9, Number.POSITIVE_INFINITY),
  tag: fc.nat(1000),
});

describe("sortBids with precomputed keys", () => {
  it("orders exactly as the comparator chain did, for every sort key", () => {
    fc.assert(
      fc.property(
        fc.array(bidArb, { maxLength: 40 }),
        fc.constantFrom(...CHAIN_SORTS),
        fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.integer({ min: 0, max: 3 })),
        fc.boolean(),
        (rows, sort, scoreEntries, withScores) => {
          const bids: Bid[] = rows.map((r) => ({
            ...template,
            id: r.id,
            publishedAt: r.publishedAt,
            proposalsCloseAt: r.proposalsCloseAt,
            estimatedValue: r.estimatedValue,
            object: `objeto ${r.tag}`,
          }));
          const scores = withScores ? new Map(Object.entries(scoreEntries)) : undefined;
          const got = sortBids(bids, sort, NOW, scores);
          const want = oracle(bids, sort, NOW, scores);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < got.length; i++) expect(got[i]).toBe(want[i]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
