import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Bid } from "../bid.ts";
import { filterBids } from "../filter/filter.ts";
import { loadFixtureBids } from "../filter/fixture-bids.testing.ts";
import { searchQuerySchema } from "../search-query.ts";
import { searchText, termPatterns } from "./search-text.ts";

/** SQL `LIKE` with only `%` wildcards and `\` escapes, as the patterns use it. */
function like(text: string, pattern: string): boolean {
  const body = pattern.slice(1, -1).replace(/\\(.)/g, "$1");
  return text.includes(body);
}

const bids = loadFixtureBids();
const words = [...new Set(bids.flatMap((b) => b.object.split(/\s+/)).filter((w) => w.length > 2))];

describe("termPatterns", () => {
  it("folds like the matcher and covers plurals and singulars", () => {
    expect(termPatterns(["Uniformes"])).toEqual(["%uniform%"]);
    expect(termPatterns(["pão"])).toEqual(expect.arrayContaining(["%pao%", "%paes%"]));
    expect(termPatterns(["de", "   "])).toEqual([]);
    expect(termPatterns(["100%_x"])).toEqual(["%100%"]);
  });

  it("never loses a bid the matcher accepts (property over fixture words and phrases)", () => {
    const term = fc.oneof(
      fc.constantFrom(...words),
      fc.tuple(fc.constantFrom(...words), fc.constantFrom(...words)).map(([a, b]) => `${a} ${b}`),
      fc.constantFrom(...words).map((w) => `${w.slice(0, Math.max(3, w.length - 2))}*`),
    );
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 3 }), (terms) => {
        const query = {
          ...searchQuerySchema.parse({ from: "2026-01-01", to: "2026-01-01", terms }),
          modalidades: [],
        };
        const patterns = termPatterns(terms);
        const candidates = (bid: Bid) =>
          patterns.length === 0 || patterns.some((p) => like(searchText(bid), p));
        for (const bid of filterBids(bids, query, new Date()).bids) expect(candidates(bid)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});
