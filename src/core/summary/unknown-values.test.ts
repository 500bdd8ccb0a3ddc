/**
 * PNCP's 0 ("sigiloso") and null ("não informado") are not values: property tests over random bid lists
 * check that totals, the "com valor informado" count and every text a user reads (chat reply, fallback
 * and LLM-composed summaries) agree, and that none shows "R$ 0,00".
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeBid, SAMPLE_NOW } from "../../../test/fakes/sample-bids.ts";
import type { Bid } from "../bid.ts";
import { renderResults } from "../chat/render-results.ts";
import type { SearchOutcome } from "../search/run-search.ts";
import { searchQuerySchema } from "../search-query.ts";
import { composeLlmSummary } from "./compose-llm-summary.ts";
import { FallbackSummarizer } from "./fallback-summarizer.ts";
import type { Summary } from "./summarizer.ts";
import { computeTotals } from "./totals.ts";

const query = searchQuerySchema.parse({ from: "2026-09-15", to: "2026-09-21", ufs: ["SP"] });

/** 0, null, or a positive value in cents (R$ 0,01 … R$ 50 milhões). */
const value = fc.oneof(
  fc.constant(0),
  fc.constant(null),
  fc.integer({ min: 1, max: 5_000_000_000 }).map((cents) => cents / 100),
);

const bidList = fc.array(value, { minLength: 1, maxLength: 40 }).map((values) =>
  values.map((estimatedValue, i) =>
    makeBid({
      id: `00000000000191-1-${String(i + 1).padStart(6, "0")}/2026`,
      object: `Aquisição de material ${i}`,
      agency: `ORGAO ${i % 4}`,
      municipality: "Campinas",
      estimatedValue,
      proposalsCloseAt: i % 3 === 0 ? "2026-09-25T13:00:00.000Z" : null,
    }),
  ),
);

function expectedTotals(bids: readonly Bid[]) {
  const positive = bids.map((b) => b.estimatedValue).filter((v): v is number => v !== null && v > 0);
  let sum = 0;
  for (const v of positive) sum += v;
  return { totalValue: Math.round(sum * 100) / 100, withValue: positive.length };
}

function outcome(bids: Bid[], summary: Summary): SearchOutcome {
  return {
    query,
    description: "licitações em SP",
    termsUsed: [],
    bids,
    totals: computeTotals(bids, SAMPLE_NOW),
    summary,
    stats: {
      requests: 1,
      pages: 1,
      pagesTotal: 1,
      fetched: bids.length,
      invalid: 0,
      duplicates: 0,
      retries: 0,
      failed: 0,
      partial: false,
      truncated: false,
      issues: [],
      durationMs: 1,
      matched: bids.length,
    },
    finishedAt: SAMPLE_NOW,
  };
}

const summaryTexts = (s: Summary) => [s.text, ...s.highlights, s.alert ?? ""];

describe("0 and null estimated values", () => {
  it("totals are the sum and count of the positive values only", () => {
    fc.assert(
      fc.property(bidList, (bids) => {
        const totals = computeTotals(bids, SAMPLE_NOW);
        expect(totals.count).toBe(bids.length);
        expect({ totalValue: totals.totalValue, withValue: totals.withValue }).toEqual(expectedTotals(bids));
      }),
      { numRuns: 500 },
    );
  });

  it("no summary or chat text shows R$ 0,00, and each bid says sigiloso / não informado", async () => {
    const fallback = new FallbackSummarizer();
    await fc.assert(
      fc.asyncProperty(bidList, async (bids) => {
        const totals = computeTotals(bids, SAMPLE_NOW);
        const input = { query, bids, totals, now: SAMPLE_NOW };
        const deterministic = await fallback.summarize(input);
        // The LLM picks every bid as a highlight, so each one's value is written by us.
        const llm = composeLlmSummary(
          {
            overview: "Predominam compras de material.",
            highlights: bids.slice(0, 5).map((_, i) => ({ bid: i + 1, text: "Compra de material" })),
          },
          input,
          bids,
        );
        expect(llm).not.toBeNull();
        const reply = renderResults(outcome(bids, deterministic), [], bids.length);
        const texts = [...summaryTexts(deterministic), ...summaryTexts(llm!), reply.text, reply.headline];
        for (const text of texts) expect(text).not.toContain("R$ 0,00");

        bids.forEach((bid, i) => {
          const line = reply.bids[i]!;
          if (bid.estimatedValue === 0) expect(line.value).toBe("Valor sigiloso");
          else if (bid.estimatedValue === null) expect(line.value).toBe("Valor não informado");
          else expect(line.value).toMatch(/^R\$ [\d.]+,\d{2}$/);
        });
        for (const [i, h] of llm!.highlights.slice(0, Math.min(5, bids.length)).entries()) {
          const v = bids[i]!.estimatedValue;
          if (v === 0) expect(h).toContain("Valor sigiloso");
          if (v === null) expect(h).toContain("Valor não informado");
        }
        const { withValue } = expectedTotals(bids);
        if (withValue === 0) expect(deterministic.text).toMatch(/sem valor estimado|nenhuma com valor/);
        else if (withValue < bids.length) {
          expect(deterministic.text).toContain(`(${withValue.toLocaleString("pt-BR")} com valor informado)`);
        }
      }),
      { numRuns: 200 },
    );
  });
});
