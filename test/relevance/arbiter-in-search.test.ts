import { describe, expect, it } from "vitest";
import type { Bid } from "../../src/core/bid.ts";
import type { SectorArbitration } from "../../src/core/filter/arbiter/arbitrate.ts";
import { decideSector } from "../../src/core/filter/sector-decision.ts";
import { emptyFetchStats, type PncpClient } from "../../src/core/pncp/pncp-client.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { runSearch } from "../../src/core/search/run-search.ts";
import { searchQuerySchema } from "../../src/core/search-query.ts";
import { FallbackSummarizer } from "../../src/core/summary/fallback-summarizer.ts";
import { makeBid, SAMPLE_NOW } from "../fakes/sample-bids.ts";

/**
 * The grey-zone arbiter at its call site: a live sector search asks it about exactly the live bids (once
 * per search), and its verdicts decide the weak ones; when it fails, the deterministic rule stands.
 */
const BIDS: Bid[] = [
  makeBid({ id: "strong", object: "Aquisição de uniformes escolares (camisetas e bermudas)" }),
  makeBid({ id: "weak", object: "Aquisição de botas", details: "Para o almoxarifado central" }),
  makeBid({ id: "other", object: "Contratação de serviço de limpeza predial" }),
].map((b) => ({ ...b, publishedAt: "2026-09-20T12:00:00.000Z" }));

const pncp: PncpClient = {
  fetchBids: async () => ({ bids: BIDS.map((b) => ({ ...b })), stats: emptyFetchStats() }),
};
const query = searchQuerySchema.parse({ sector: "vestuario", from: "2026-09-15", to: "2026-09-21" });
const base = {
  pncp,
  summarizer: new FallbackSummarizer(),
  clock: new FixedClock(SAMPLE_NOW),
  logger: silentLogger(),
};

describe("the sector arbiter inside runSearch", () => {
  it("is asked about the live bids of a sector search and its verdicts decide", async () => {
    const asked: string[][] = [];
    const without = await runSearch(query, base);
    const arbitrate: SectorArbitration = async (bids, sector) => {
      asked.push(bids.map((b) => b.id));
      expect(sector).toBe("vestuario");
      // Say "in the sector" for every bid the rule found weak (the rule alone leaves them out).
      const weak = new Set(bids.filter((b) => decideSector(sector, b).weak !== null).map((b) => b.id));
      return { get: (id: string) => (weak.has(id) ? true : undefined) };
    };
    const withArbiter = await runSearch(query, { ...base, arbitrate });
    expect(asked).toEqual([BIDS.map((b) => b.id)]);
    const weakOnes = BIDS.filter((b) => decideSector("vestuario", b).weak !== null).map((b) => b.id);
    expect(weakOnes.length).toBeGreaterThan(0);
    expect(without.bids.map((b) => b.id)).toEqual(["strong"]);
    const kept = new Set(withArbiter.bids.map((b) => b.id));
    // The arbiter's "yes" brought in exactly the weak ones; the strong one stays.
    expect([...kept].sort()).toEqual([...new Set(["strong", ...weakOnes])].sort());
  });

  it("keeps the deterministic decision when the arbiter fails, and is not asked for term searches", async () => {
    const failing: SectorArbitration = async () => {
      throw new Error("LLM down");
    };
    const without = await runSearch(query, base);
    const failed = await runSearch(query, { ...base, arbitrate: failing });
    expect(failed.bids.map((b) => b.id)).toEqual(without.bids.map((b) => b.id));
    let calls = 0;
    const counting: SectorArbitration = async () => {
      calls++;
      return { get: () => undefined };
    };
    await runSearch(searchQuerySchema.parse({ ...query, sector: null, terms: ["botas"] }), {
      ...base,
      arbitrate: counting,
    });
    expect(calls).toBe(0);
  });
});
