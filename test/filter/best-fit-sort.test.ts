/**
 * The `best_fit` order ("ordenar por relevância"): the rank formula of `sort.ts` piece by piece, its
 * determinism (any input order gives the same list; ties newest, then id), graceful degradation without a
 * sector value range, the grammar that asks for it, and `filterBids` using it end to end.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Bid } from "../../src/core/bid.ts";
import { filterBids, rankingFor } from "../../src/core/filter/filter.ts";
import { makeBid } from "../../src/core/filter/fixture-bids.testing.ts";
import { bestFitRank, type RankingContext, sortBids } from "../../src/core/filter/sort.ts";
import { describeQuery } from "../../src/core/query/describe-query.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { searchQuerySchema } from "../../src/core/search-query.ts";

const NOW = new Date("2026-12-01T12:00:00Z");
const DAY = 86_400_000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();
const RANGE = { min: 10_000, max: 1_000_000 };
const noDensity: RankingContext = { density: null, typicalValue: RANGE };

/** A bid with only what the rank reads set explicitly. */
function bid(over: Partial<Bid> & { id: string }): Bid {
  return makeBid({
    object: "Aquisição de material",
    estimatedValue: null,
    proposalsCloseAt: null,
    publishedAt: "2026-11-20T10:00:00.000Z",
    ...over,
  });
}

describe("best_fit rank, piece by piece", () => {
  it("value fit: 1 inside the range, 0.5 at 10× off either way, neutral 0.5 when unknown or no range", () => {
    const rank = (estimatedValue: number | null, ranking: RankingContext = noDensity) =>
      bestFitRank(bid({ id: "x", estimatedValue }), NOW.getTime(), ranking) / 0.25;
    expect(rank(50_000)).toBeCloseTo(1);
    expect(rank(10_000)).toBeCloseTo(1);
    expect(rank(1_000)).toBeCloseTo(0.5);
    expect(rank(10_000_000)).toBeCloseTo(0.5);
    expect(rank(100_000_000)).toBeCloseTo(1 / 3);
    expect(rank(null)).toBeCloseTo(0.5);
    expect(rank(0)).toBeCloseTo(0.5); // confidential budget
    expect(rank(50_000, { density: null })).toBeCloseTo(0.5); // a sector without a typical range
    expect(rank(50_000, { density: null, typicalValue: null })).toBeCloseTo(0.5);
  });

  it("closing fit: 0 when closed or unknown, rising to 1 from 2 to 10 days, then 10/d", () => {
    const closing = (proposalsCloseAt: string | null) =>
      (bestFitRank(bid({ id: "x", proposalsCloseAt }), NOW.getTime(), { density: null }) - 0.25 * 0.5) / 0.25;
    expect(closing(null)).toBeCloseTo(0);
    expect(closing(inDays(-1))).toBeCloseTo(0);
    expect(closing(NOW.toISOString())).toBeCloseTo(0);
    expect(closing("not a date")).toBeCloseTo(0);
    expect(closing(inDays(1))).toBeCloseTo(0.625);
    expect(closing(inDays(2))).toBeCloseTo(1);
    expect(closing(inDays(7))).toBeCloseTo(1);
    expect(closing(inDays(10))).toBeCloseTo(1);
    expect(closing(inDays(20))).toBeCloseTo(0.5);
    expect(closing(inDays(0.5))).toBeLessThan(closing(inDays(5)));
    expect(closing(inDays(0.5))).toBeGreaterThan(closing(inDays(-0.5)));
  });

  it("density: the share of the object's words covered by the sector's keywords", () => {
    const ranking = rankingFor(
      searchQuerySchema.parse({ sector: "vestuario", from: "2026-11-01", to: "2026-12-01" }),
    );
    expect(ranking.density?.("Uniformes")).toBeCloseTo(1);
    expect(ranking.density?.("Aquisição de uniformes escolares")).toBeCloseTo(2 / 4);
    expect(ranking.density?.("Reforma da unidade de saúde")).toBe(0);
    expect(ranking.typicalValue).toBeTruthy();
    const terms = rankingFor(
      searchQuerySchema.parse({ terms: ["jaleco"], from: "2026-11-01", to: "2026-12-01" }),
    );
    expect(terms.density?.("Jalecos e toucas")).toBeCloseTo(1 / 3);
    expect(terms.typicalValue).toBeNull();
    expect(rankingFor(searchQuerySchema.parse({ from: "2026-11-01", to: "2026-12-01" })).density).toBeNull();
  });
});

describe("best_fit order", () => {
  const ranking: RankingContext = {
    density: (object) => (object.includes("uniforme") ? 0.5 : 0),
    typicalValue: RANGE,
  };

  it("ranks a dense, in-range, closing-in-a-week bid above the rest", () => {
    const best = bid({ id: "best", object: "uniforme", estimatedValue: 50_000, proposalsCloseAt: inDays(5) });
    const tooSoon = bid({
      id: "soon",
      object: "uniforme",
      estimatedValue: 50_000,
      proposalsCloseAt: inDays(0.2),
    });
    const closed = bid({
      id: "closed",
      object: "uniforme",
      estimatedValue: 50_000,
      proposalsCloseAt: inDays(-3),
    });
    const off = bid({ id: "off", object: "outro", estimatedValue: 50_000, proposalsCloseAt: inDays(5) });
    const sorted = sortBids([off, closed, tooSoon, best], "best_fit", NOW, undefined, ranking);
    expect(sorted.map((b) => b.id)).toEqual(["best", "soon", "closed", "off"]);
  });

  it("is a total, deterministic order: any input order gives the same list; ties newest, then id", () => {
    const arbitraryBid = fc.record({
      id: fc.constantFrom("a", "b", "c", "d", "e", "f"),
      object: fc.constantFrom("uniforme", "outro"),
      estimatedValue: fc.constantFrom(null, 0, 5_000, 50_000, 5e7),
      proposalsCloseAt: fc.constantFrom(null, inDays(-1), inDays(1), inDays(5), inDays(30)),
      publishedAt: fc.constantFrom("2026-11-20T10:00:00.000Z", "2026-11-21T10:00:00.000Z"),
    });
    fc.assert(
      fc.property(fc.array(arbitraryBid, { maxLength: 25 }), fc.integer(), (rows, seed) => {
        const bids = rows.map((r) => bid(r));
        const shuffled = [...bids].sort(
          (x, y) => ((x.id.charCodeAt(0) * seed) % 7) - ((y.id.charCodeAt(0) * seed) % 7),
        );
        const a = sortBids(bids, "best_fit", NOW, undefined, ranking);
        const b = sortBids(shuffled, "best_fit", NOW, undefined, ranking);
        expect(a.map((x) => [x.id, x.publishedAt, x.object, x.estimatedValue, x.proposalsCloseAt])).toEqual(
          b.map((x) => [x.id, x.publishedAt, x.object, x.estimatedValue, x.proposalsCloseAt]),
        );
        for (let i = 1; i < a.length; i++) {
          const [prev, next] = [a[i - 1]!, a[i]!];
          const [rp, rn] = [
            bestFitRank(prev, NOW.getTime(), ranking),
            bestFitRank(next, NOW.getTime(), ranking),
          ];
          expect(rp).toBeGreaterThanOrEqual(rn);
          if (rp === rn && prev.publishedAt === next.publishedAt) expect(prev.id <= next.id).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("without a ranking context it still sorts (closing date and neutral value only)", () => {
    const open = bid({ id: "open", proposalsCloseAt: inDays(5) });
    const closed = bid({ id: "closed", proposalsCloseAt: inDays(-5) });
    expect(sortBids([closed, open], "best_fit", NOW).map((b) => b.id)).toEqual(["open", "closed"]);
  });
});

describe("best_fit from the grammar to the filter", () => {
  it.each(["uniformes ordenar por relevância", "uniformes mais relevantes", "uniformes relevância"])(
    "%s → best_fit",
    (text) => {
      const parsed = parseQuery(text, { now: NOW });
      expect(parsed.query.sort).toBe("best_fit");
      expect(parsed.query.sector).toBe("vestuario");
      expect(parsed.recognized).toContain("sort");
      expect(describeQuery(parsed.query)).toContain("ordem: relevância");
    },
  );

  it("the default stays the keyword-score order", () => {
    expect(parseQuery("uniformes", { now: NOW }).query.sort).toBe("relevance");
  });

  it("filterBids with best_fit: the dense open bid first, the sparse open one next, the closed one last", () => {
    const bids = [
      makeBid({
        id: "long",
        object:
          "Registro de preços para eventual aquisição de materiais diversos de consumo, ferramentas, utensílios e uniformes para as secretarias",
        estimatedValue: 300_000,
        proposalsCloseAt: inDays(5),
        status: "recebendo_propostas",
      }),
      makeBid({
        id: "dense",
        object: "Aquisição de uniformes escolares",
        estimatedValue: 300_000,
        proposalsCloseAt: inDays(5),
        status: "recebendo_propostas",
      }),
      makeBid({
        id: "closed",
        object: "Aquisição de uniformes escolares",
        estimatedValue: 300_000,
        proposalsCloseAt: inDays(-2),
        status: "em_julgamento",
      }),
    ];
    const query = searchQuerySchema.parse({
      sector: "vestuario",
      from: "2026-11-01",
      to: "2026-12-01",
      sort: "best_fit",
    });
    expect(filterBids(bids, query, NOW).bids.map((b) => b.id)).toEqual(["dense", "long", "closed"]);
  });
});
