/**
 * The one-pass matcher (`matcher.ts`) must decide exactly as the previous one (`reference-matcher.ts`):
 * same matched/excluded flags, hits (and their order), scores, token counts and spans, for every text of
 * the PNCP fixtures against every sector, and against user-term matchers built from sector keywords with
 * another sector's exclusions (the filter's `terms` path).
 */
import { describe, expect, it } from "vitest";
import { compileMatcher, compileMatchers, type Matcher } from "../../src/core/filter/matcher.ts";
import { compileReferenceMatcher } from "../../src/core/filter/reference-matcher.ts";
import { SECTORS } from "../../src/core/filter/sectors.ts";
import { SECTOR_IDS } from "../../src/core/sectors.ts";
import { tokenize } from "../../src/core/text-fold.ts";
import { fixtureTexts } from "./fixture-texts.ts";

const texts = fixtureTexts();

/** Texts on which the two disagree (at most `limit`, for a readable failure). */
function disagreements(fast: Matcher, reference: Matcher, limit = 5): unknown[] {
  const out: unknown[] = [];
  for (const text of texts) {
    const got = fast.match(text);
    const want = reference.match(text);
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push({ text, got, want });
    else if (got.matched || got.excluded) {
      const spans = [fast.find(text), reference.find(text)];
      if (JSON.stringify(spans[0]) !== JSON.stringify(spans[1])) out.push({ text, spans });
    }
    if (out.length >= limit) break;
  }
  return out;
}

describe("one-pass matcher vs reference matcher on every fixture text", () => {
  it("reads thousands of real texts (the comparison means something)", () => {
    expect(texts.length).toBeGreaterThan(1000);
    const reference = compileReferenceMatcher(SECTORS.saude);
    expect(texts.filter((text) => reference.match(text).matched).length).toBeGreaterThan(50);
  });

  it.each(SECTOR_IDS)("sector %s: identical decisions, hits, scores and spans", (id) => {
    const sector = SECTORS[id];
    const spec = { keywords: sector.keywords, exclusions: sector.exclusions };
    const fast = compileMatcher(spec);
    const reference = compileReferenceMatcher(spec);
    expect(fast.size).toBe(reference.size);
    expect(disagreements(fast, reference)).toEqual([]);
  });

  it("user terms (a neighbour sector's keywords) with a sector's exclusions: identical", () => {
    SECTOR_IDS.forEach((id, i) => {
      if (i % 3 !== 0) return; // a third of the sectors keeps the file fast
      const neighbour = SECTORS[SECTOR_IDS[(i + 1) % SECTOR_IDS.length]!];
      const spec = { keywords: neighbour.keywords.slice(0, 12), exclusions: SECTORS[id].exclusions };
      expect(disagreements(compileMatcher(spec), compileReferenceMatcher(spec))).toEqual([]);
    });
  });

  it("a group (every sector's keywords and vetoes over one trie) answers as each list alone", () => {
    const specs = SECTOR_IDS.flatMap((id) => [
      { keywords: SECTORS[id].keywords, exclusions: SECTORS[id].exclusions },
      { keywords: SECTORS[id].vetoes },
    ]);
    const grouped = compileMatchers(specs);
    const alone = specs.map((spec) => compileReferenceMatcher(spec));
    expect(grouped.map((m) => m.size)).toEqual(alone.map((m) => m.size));
    // The sector decision's access pattern: several lists per text, texts alternating (object, details).
    const wrong: unknown[] = [];
    for (let t = 0; t < texts.length && wrong.length < 5; t += 2) {
      for (let k = 0; k < specs.length; k += 7) {
        for (const text of [texts[t]!, texts[t + 1] ?? ""]) {
          const got = grouped[k]!.match(text);
          const want = alone[k]!.match(text);
          if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ k, text, got, want });
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("counts tokens exactly as tokenize does", () => {
    const fast = compileMatcher(SECTORS.vestuario);
    const wrong = texts.filter((text) => fast.match(text).tokens !== tokenize(text).length);
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
