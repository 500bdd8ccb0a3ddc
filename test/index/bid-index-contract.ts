/**
 * One contract for every `BidIndex` implementation (PGlite, Postgres, Supabase RPC): writes keep the newest
 * version, pages are recorded atomically with their window, leases exclude, the stored sector tags and
 * term candidates agree with the live filter on the real fixture records, and the SQL answer / matches
 * (0008) agree with the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterBids } from "../../src/core/filter/filter.ts";
import { sortBids } from "../../src/core/filter/sort.ts";
import { retagIndex } from "../../src/core/index/retag.ts";
import { termPatterns } from "../../src/core/index/search-text.ts";
import { SECTOR_TAGS_VERSION } from "../../src/core/index/sector-tags.ts";
import type { BidIndex, IndexedRecord, IndexSearch } from "../../src/core/ports/bid-index.ts";
import { type SearchQuery, searchQuerySchema } from "../../src/core/search-query.ts";
import { SECTOR_IDS } from "../../src/core/sectors.ts";
import { computeTotals } from "../../src/core/summary/totals.ts";
import { fixtureIndexedRecords, withUpdate } from "./index-fixtures.ts";

const NOW = new Date("2026-09-22T15:00:00Z");

function everything(overrides: Partial<IndexSearch> = {}): IndexSearch {
  return {
    ufs: [],
    modalidades: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    from: "2000-01-01",
    to: "2100-01-01",
    openOnly: false,
    sector: null,
    terms: [],
    minValue: null,
    maxValue: null,
    ...overrides,
  };
}

/** A query with no filter but `input` (`modalidades: []` = any, which the schema itself refuses). */
function query(input: Partial<SearchQuery>): SearchQuery {
  return { ...searchQuerySchema.parse({ from: "2000-01-01", to: "2100-01-01" }), modalidades: [], ...input };
}

/** Runs the contract against a fresh, empty, migrated index per suite. */
export function runBidIndexContract(
  name: string,
  open: () => Promise<{ index: BidIndex; close: () => Promise<void> }>,
): void {
  describe(`BidIndex contract: ${name}`, () => {
    let index: BidIndex;
    let close: () => Promise<void>;
    let records: IndexedRecord[];
    beforeAll(async () => {
      ({ index, close } = await open());
      records = fixtureIndexedRecords(NOW);
    }, 60_000);
    afterAll(async () => close?.());

    it("inserts every fixture record once, then finds a repeat unchanged", async () => {
      const first = await index.upsertBids(records, NOW);
      expect(first.inserted).toBe(records.length);
      expect(first.updated + first.unchanged).toBe(0);
      expect(new Set(first.changedIds)).toEqual(new Set(records.map((r) => r.bid.id)));
      const again = await index.upsertBids(records.slice(0, 20), NOW);
      expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 20, changedIds: [] });
      expect((await index.status()).rows).toBe(records.length);
    });

    it("keeps the newest version by PNCP update time, also inside one batch", async () => {
      const base = records.find((r) => r.pncpUpdatedAt !== null)!;
      const later = new Date(Date.parse(base.pncpUpdatedAt!) + 60_000).toISOString();
      const earlier = new Date(Date.parse(base.pncpUpdatedAt!) - 60_000).toISOString();
      const newer = await index.upsertBids(
        [withUpdate(base, later, "versão nova"), withUpdate(base, earlier, "versão velha")],
        NOW,
      );
      expect(newer).toMatchObject({ inserted: 0, updated: 1, unchanged: 0, changedIds: [base.bid.id] });
      const older = await index.upsertBids([withUpdate(base, earlier, "versão velha")], NOW);
      expect(older).toMatchObject({ updated: 0, unchanged: 1 });
      const noTime = await index.upsertBids([withUpdate(base, null, "sem data")], NOW);
      expect(noTime.unchanged).toBe(1);
      const found = await index.search(everything({ terms: termPatterns(["versão nova"]) }), NOW);
      expect(found.find((b) => b.id === base.bid.id)?.object).toBe("versão nova");
      await index.upsertBids([withUpdate(base, new Date(Date.parse(later) + 1000).toISOString())], NOW);
    });

    it("records pages atomically: complete only when every page arrived, never counted twice", async () => {
      const window = { day: "2026-09-17", modalidade: 6 };
      const page = (n: number) => records.slice(n * 3, n * 3 + 3);
      let state = await index.recordPage(window, 2, 3, page(2), NOW);
      expect(state).toMatchObject({ complete: false, pagesTotal: 3, pagesDone: [2], records: 3 });
      state = await index.recordPage(window, 2, 3, page(2), NOW);
      expect(state).toMatchObject({ pagesDone: [2], records: 3 });
      state = await index.recordPage(window, 1, 3, page(1), NOW);
      expect(state).toMatchObject({ complete: false, pagesDone: [1, 2], records: 6 });
      const later = new Date(NOW.getTime() + 1000);
      state = await index.recordPage(window, 3, 3, page(3), later);
      expect(state).toMatchObject({ complete: true, pagesDone: [1, 2, 3], records: 9 });
      expect(state.fetchedAt?.getTime()).toBe(later.getTime());
      // A new pass keeps `complete`; PNCP's total moving restarts the pass at that page.
      await index.restartWindow(window, later);
      let [stored] = await index.windows("2026-09-17", "2026-09-17", [6]);
      expect(stored).toMatchObject({ complete: true, pagesDone: [], records: 0 });
      await index.recordPage(window, 1, 4, page(1), later);
      state = await index.recordPage(window, 2, 5, page(2), later);
      expect(state).toMatchObject({ complete: true, pagesTotal: 5, pagesDone: [2], records: 3 });
      [stored] = await index.windows("2026-09-17", "2026-09-17", [6]);
      expect(stored).toEqual(state);
    });

    it("marks an empty window (no pages) complete and reports coverage as day ranges", async () => {
      for (const day of ["2026-09-10", "2026-09-11", "2026-09-12", "2026-09-14"]) {
        expect((await index.recordPage({ day, modalidade: 8 }, 1, 0, [], NOW)).complete).toBe(true);
      }
      await index.recordPage({ day: "2026-09-13", modalidade: 8 }, 1, 2, [], NOW);
      const status = await index.status();
      const eight = status.coverage.find((c) => c.modalidade === 8);
      expect(eight).toEqual({
        modalidade: 8,
        ranges: [
          { from: "2026-09-10", to: "2026-09-12" },
          { from: "2026-09-14", to: "2026-09-14" },
        ],
        partialWindows: 1,
      });
      expect(status.freshAt?.getTime()).toBeGreaterThanOrEqual(NOW.getTime());
      const windows = await index.windows("2026-09-11", "2026-09-13", [8, 4]);
      expect(windows.map((w) => [w.day, w.complete])).toEqual([
        ["2026-09-11", true],
        ["2026-09-12", true],
        ["2026-09-13", false],
      ]);
    });

    it("rejects an impossible page without writing anything", async () => {
      const window = { day: "2026-08-01", modalidade: 6 };
      const extra = { ...records[0]!, bid: { ...records[0]!.bid, id: "99999999000199-1-000001/2026" } };
      await expect(index.recordPage(window, 0, 1, [extra], NOW)).rejects.toThrow();
      expect(await index.windows("2026-08-01", "2026-08-01", [6])).toEqual([]);
      expect(await index.search(everything({ terms: [] }), NOW)).not.toContainEqual(
        expect.objectContaining({ id: extra.bid.id }),
      );
    });

    it("holds a lease for one holder until it expires or is released", async () => {
      const t0 = new Date("2026-09-22T10:00:00Z");
      const t1 = new Date(t0.getTime() + 500);
      const t2 = new Date(t0.getTime() + 2_000);
      expect(await index.acquireLease("sync", "a", 1_000, t0)).toBe(true);
      expect(await index.acquireLease("sync", "b", 1_000, t1)).toBe(false);
      expect(await index.acquireLease("sync", "a", 1_000, t1)).toBe(true);
      expect(await index.acquireLease("sync", "b", 1_000, t2)).toBe(true);
      await index.releaseLease("sync", "a");
      expect(await index.acquireLease("sync", "a", 1_000, t2)).toBe(false);
      await index.releaseLease("sync", "b");
      expect(await index.acquireLease("sync", "a", 1_000, t2)).toBe(true);
      await index.releaseLease("sync", "a");
    });

    it("records sync rounds for freshness", async () => {
      const at = new Date("2026-09-22T14:00:00Z");
      await index.recordRound(at, { pages: 3, records: 9 });
      expect((await index.status()).lastRoundAt?.getTime()).toBe(at.getTime());
    });

    it("stores exactly the sector tags the live filter decides, for every sector", async () => {
      const all = await index.search(everything(), NOW);
      expect(all.length).toBe(records.length);
      for (const sector of SECTOR_IDS) {
        const liveResult = filterBids(all, query({ sector }), NOW);
        const live = liveResult.bids.map((b) => b.id);
        const found = await index.candidates(everything({ sector }), NOW);
        const tagged = found.bids.map((b) => b.id);
        expect(new Set(tagged), sector).toEqual(new Set(live));
        expect(found.sectorScores, sector).toEqual(liveResult.scores);
        expect(await index.count(everything({ sector }), NOW)).toBe(live.length);
      }
    });

    it("finds every bid the matcher accepts for user terms (plurals and accents too)", async () => {
      const all = await index.search(everything(), NOW);
      for (const terms of [
        ["uniforme"],
        ["UNIFORMES"],
        ["medicamentos", "pão"],
        ["material de limpeza"],
        ["manutenção predial"],
        ["veículo"],
      ]) {
        const live = filterBids(all, query({ terms }), NOW).bids.map((b) => b.id);
        const candidates = new Set(
          (await index.search(everything({ terms: termPatterns(terms) }), NOW)).map((b) => b.id),
        );
        for (const id of live) expect(candidates.has(id), `${terms.join("|")}: ${id}`).toBe(true);
      }
    });

    it("re-tags rows written under an older sector version", async () => {
      const all = await index.search(everything(), NOW);
      const sample = all.slice(0, 30);
      await index.setTags(
        sample.map((b) => ({ id: b.id, tags: ["obsoleto"], scores: [1] })),
        "old-version",
      );
      expect((await index.status()).staleTagRows).toBe(30);
      const result = await retagIndex(index, { batchSize: 7, now: () => NOW });
      expect(result).toMatchObject({ rows: 30, done: true });
      expect(result.batches).toBe(5);
      const status = await index.status();
      expect(status).toMatchObject({ staleTagRows: 0, tagsVersion: SECTOR_TAGS_VERSION });
      expect(await index.search(everything({ sector: "obsoleto" }), NOW)).toEqual([]);
    });

    it("answers in SQL (0008) the counts, totals and first ids the rows give, over this transport", async () => {
      for (const sector of [null, ...SECTOR_IDS.slice(0, 3)]) {
        const search = everything({ sector });
        const rows = await index.candidates(search, NOW);
        const sorted = sortBids(rows.bids, "value_desc", NOW);
        const q = { ...search, statuses: [], esferas: [], sort: "value_desc" as const, limit: 4 };
        const answer = await index.answer(q, NOW);
        expect(answer.candidates).toBe(rows.bids.length);
        expect(answer.totals).toEqual(computeTotals(sorted, NOW));
        expect(answer.topIds).toEqual(sorted.slice(0, 4).map((b) => b.id));
        expect(answer.largestId).toBe(sorted.find((b) => (b.estimatedValue ?? 0) > 0)?.id ?? null);
        const matches = await index.matches({ ...q, withDetails: false }, NOW);
        expect(matches.candidates).toBe(rows.bids.length);
        expect(sortBids(matches.bids, "value_desc", NOW)).toEqual(
          sorted.map((b) => ({ ...b, details: null })),
        );
        // 0013: the same rows and answer in one read, with each row's instants as the ISO fields say.
        const full = await index.full({ ...q, withDetails: false }, NOW);
        expect(full.answer).toEqual({ ...answer, topIds: [] });
        expect(full.bids).toHaveLength(matches.bids.length);
        expect(sortBids(full.bids, "value_desc", NOW, undefined, undefined, full.instants)).toEqual(
          sorted.map((b) => ({ ...b, details: null })),
        );
        const instant = (iso: string | null) => (iso === null ? null : Date.parse(iso));
        expect(full.instants.published).toEqual(full.bids.map((b) => instant(b.publishedAt)));
        expect(full.instants.close).toEqual(full.bids.map((b) => instant(b.proposalsCloseAt)));
      }
      const all = await index.answer(
        { ...everything(), statuses: [], esferas: [], sort: "newest", limit: 1 },
        NOW,
      );
      expect(all.totals.count).toBeGreaterThan(10);
      expect(all.ufs.length).toBeGreaterThan(1);
    });

    it("recomputes statuses at read time", async () => {
      const open = records.find((r) => r.bid.status === "recebendo_propostas" && r.bid.proposalsCloseAt)!;
      const close = Date.parse(open.bid.proposalsCloseAt!);
      const after = new Date(close + 1000);
      const [before] = (await index.search(everything({ terms: [] }), new Date(close - 1000))).filter(
        (b) => b.id === open.bid.id,
      );
      const [later] = (await index.search(everything({ terms: [] }), after)).filter(
        (b) => b.id === open.bid.id,
      );
      expect(before?.status).toBe("recebendo_propostas");
      expect(later?.status).toBe("em_julgamento");
    });
  });
}
