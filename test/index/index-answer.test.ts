/**
 * The chat answer computed in SQL (0008 `index_answer` through `runSearch`'s `limit` path) and the full
 * set filtered in SQL with its totals and facts from the same statement (0013 `index_full`) equal the all-rows path on the same data (every candidate read,
 * `filterBids`, totals and summary over all): the same first bids, totals, summary, chat reply and what an LLM summary
 * would be sent, for generated text-free queries with every filter the SQL handles (UF, modalidade,
 * values, status, abertas, esfera, each sort but `best_fit`, which reads text and stays on the rows path),
 * on PGlite and on Postgres. Also: the SQL status equals
 * `inferStatus`, the `bid_search` copy follows every write to `bids`, and 0008 copies the rows an
 * existing install already has.
 */
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BID_STATUSES, type Bid } from "../../src/core/bid.ts";
import { renderResults } from "../../src/core/chat/render-results.ts";
import { filterBids } from "../../src/core/filter/filter.ts";
import { parseInstant } from "../../src/core/index/iso-instant.ts";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import { toIndexedRecords } from "../../src/core/pncp/indexed-records.ts";
import { inferStatus, STALE_JUDGING_DAYS } from "../../src/core/pncp/status.ts";
import type { BidIndex, IndexedRecord } from "../../src/core/ports/bid-index.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { runSearch, type SearchDeps } from "../../src/core/search/run-search.ts";
import { type SearchQuery, SORT_KEYS, searchQuerySchema } from "../../src/core/search-query.ts";
import { SECTOR_IDS } from "../../src/core/sectors.ts";
import { FallbackSummarizer } from "../../src/core/summary/fallback-summarizer.ts";
import { buildSummaryMessages } from "../../src/core/summary/openai-summary-prompt.ts";
import type { Summarizer, SummaryInput } from "../../src/core/summary/summarizer.ts";
import { summaryFacts } from "../../src/core/summary/summary-facts.ts";
import { computeTotals } from "../../src/core/summary/totals.ts";
import { addDays } from "../../src/core/time.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../../src/stores/migrate.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import type { SqlExecutor } from "../../src/stores/sql-executor.ts";
import { syntheticRecords } from "../fakes/fake-pncp-records.ts";
import { createTestDatabase, needPostgres } from "../helpers/services.ts";
import { fixtureIndexedRecords } from "./index-fixtures.ts";

const NOW = new Date("2026-09-21T15:00:00Z");
const TODAY = "2026-09-21";
const FIRST_DAY = "2026-07-01";
const SYNCED = [4, 6, 8];
const UFS = ["SP", "MG", "ES", "RJ", "PR"] as const;
const HORIZON = 30;

/** Synthetic national bids over the period, with repeated values, zeros and nulls (ties on purpose). */
function records(): IndexedRecord[] {
  const raws = syntheticRecords({
    count: 2000,
    ufs: [...UFS],
    modalidades: SYNCED,
    from: FIRST_DAY,
    to: TODAY,
  });
  return raws.flatMap((raw, i) => {
    const { records: indexed } = toIndexedRecords([raw], {
      uf: null,
      modalidade: raw.modalidadeId,
      now: NOW,
    });
    return indexed.map((record) => {
      const bid = { ...record.bid };
      if (i % 11 === 0) bid.estimatedValue = 250_000.55; // ties on the largest value
      if (i % 13 === 0) bid.estimatedValue = 0; // confidential
      if (i % 17 === 0) bid.estimatedValue = null;
      if (i % 19 === 0) bid.homologatedValue = 1000;
      if (i % 23 === 0) bid.situationId = 4;
      return { ...record, bid };
    });
  });
}

async function load(index: BidIndex, rows: IndexedRecord[]): Promise<void> {
  await index.upsertBids(rows, NOW);
  for (let day = addDays(TODAY, -HORIZON - 90); day <= TODAY; day = addDays(day, 1)) {
    for (const m of SYNCED) await index.recordPage({ day, modalidade: m }, 1, 0, [], NOW);
  }
}

/** Mostly `none` (a filter left off), sometimes a generated value. */
function often<T>(none: T, some: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(none) }, { weight: 2, arbitrary: some });
}

const queryArb: fc.Arbitrary<SearchQuery> = fc
  .record({
    // The 12 original sectors: the synthetic data is built from fixture texts where each of them has many
    // bids, so the runs are not vacuous (the 9 newer, narrower sectors match a handful of fixture texts
    // and are covered by test/index/same-answer.test.ts and the relevance suite).
    sector: fc.option(fc.constantFrom(...SECTOR_IDS.slice(0, 12)), { nil: null, freq: 4 }),
    ufs: often([] as string[], fc.subarray([...UFS, "BA"], { minLength: 1, maxLength: 3 })),
    fromOffset: fc.integer({ min: 0, max: 80 }),
    span: fc.integer({ min: 1, max: 80 }),
    modalidades: fc.subarray(SYNCED, { minLength: 1 }),
    minValue: often(null, fc.constantFrom(1_000, 50_000, 250_000.55)),
    maxValue: often(null, fc.constantFrom(5_000, 250_000.55, 1_000_000)),
    openOnly: often(false, fc.constant(true)),
    statuses: often([] as string[], fc.subarray([...BID_STATUSES], { minLength: 1, maxLength: 2 })),
    esferas: often([] as string[], fc.subarray(["F", "E", "M", "D"], { minLength: 1, maxLength: 2 })),
    sort: fc.constantFrom(...SORT_KEYS.filter((key) => key !== "best_fit")),
  })
  .map(({ fromOffset, span, ...rest }) => {
    const from = addDays(TODAY, -fromOffset);
    return searchQuerySchema.parse({ ...rest, from, to: addDays(from, span) });
  });

/** The fallback summarizer, keeping what it was given. */
class RecordingSummarizer implements Summarizer {
  readonly inputs: SummaryInput[] = [];
  readonly #inner = new FallbackSummarizer();
  summarize(input: SummaryInput) {
    this.inputs.push(input);
    return this.#inner.summarize(input);
  }
}

/** Counts `answer` calls, so a test knows the SQL path ran. */
function counting(index: BidIndex): { index: BidIndex; answers: () => number } {
  let n = 0;
  const wrapped = new Proxy(index, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key === "answer") n++;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { index: wrapped, answers: () => n };
}

/**
 * The index with `matches` computed as the rows path did before 0008: every candidate read
 * (`candidates`), then `filterBids` with the field filters only (the sector's tag is its verdict).
 */
function rowsPath(index: BidIndex): BidIndex {
  const matches: BidIndex["matches"] = async (q, now) => {
    const found = await index.candidates({ ...q, withDetails: q.withDetails }, now);
    const fields: SearchQuery = {
      ...searchQuerySchema.parse({ from: q.from, to: q.to }),
      ufs: q.ufs as SearchQuery["ufs"],
      modalidades: q.modalidades,
      minValue: q.minValue,
      maxValue: q.maxValue,
      openOnly: q.openOnly,
      statuses: [...q.statuses],
      esferas: [...q.esferas] as SearchQuery["esferas"],
      sector: null,
      terms: [],
    };
    const kept = filterBids(found.bids, fields, now).bids;
    return { bids: kept, sectorScores: found.sectorScores, candidates: found.bids.length };
  };
  // The full set's rows by the same rows path; its answer (totals, facts) is SQL's, which `compare` checks
  // against computeTotals and summaryFacts over the full set itself.
  const full: BidIndex["full"] = async (q, now) => {
    const found = await matches(q, now);
    const answer = await index.answer({ ...q, limit: 0 }, now);
    const ms = (iso: string | null) =>
      iso === null || Number.isNaN(parseInstant(iso)) ? null : parseInstant(iso);
    return {
      bids: found.bids,
      sectorScores: found.sectorScores,
      answer: { ...answer, candidates: found.candidates },
      instants: {
        published: found.bids.map((bid) => ms(bid.publishedAt)),
        close: found.bids.map((bid) => ms(bid.proposalsCloseAt)),
      },
    };
  };
  return new Proxy(index, {
    get(target, key) {
      if (key === "matches") return matches;
      if (key === "full") return full;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function depsFor(index: BidIndex, summarizer: Summarizer): SearchDeps {
  const clock = new FixedClock(NOW);
  // Every window of the queries is complete: nothing goes live (an unreachable PNCP proves it).
  const pncp = new HttpPncpClient({ baseUrl: "http://127.0.0.1:9/api/consulta", clock, maxRetries: 0 });
  return { pncp, summarizer, clock, logger: silentLogger(), index, openHorizonDays: HORIZON };
}

/** The SQL chat answer and the all-rows answer of one query; asserts they agree. */
async function compare(raw: BidIndex, query: SearchQuery) {
  const { index, answers } = counting(raw);
  const viaSql = new RecordingSummarizer();
  const viaRows = new RecordingSummarizer();
  const before = answers();
  const chat = await runSearch(query, depsFor(index, viaSql), { limit: 5 });
  expect(answers()).toBe(before + 1);
  const all = await runSearch(query, depsFor(index, viaRows));
  expect(answers()).toBe(before + 1);
  // The full set filtered in SQL equals filterBids over every candidate, bid for bid, in order.
  const reference = await runSearch(query, depsFor(rowsPath(raw), new FallbackSummarizer()));
  expect(all.bids).toEqual(reference.bids);
  expect(all.totals).toEqual(reference.totals);
  expect(all.summary).toEqual(reference.summary);
  // The totals and summary SQL computed (index_full) are those of every row the full set holds.
  const rowTotals = computeTotals(all.bids, NOW);
  expect(all.totals).toEqual(rowTotals);
  expect(viaRows.inputs[0]!.facts).toEqual(summaryFacts(all.bids, NOW));
  expect(all.summary).toEqual(
    await new FallbackSummarizer().summarize({ query, bids: all.bids, totals: rowTotals, now: NOW }),
  );
  const { durationMs: _r, ...referenceStats } = reference.stats;
  const { durationMs: _s, ...allStatsFull } = all.stats;
  expect(allStatsFull).toEqual(referenceStats);
  // Without details (the workbook's read) only the complementary text is left out.
  const workbook = await runSearch(query, depsFor(index, new FallbackSummarizer()), { withDetails: false });
  expect(workbook.bids).toEqual(all.bids.map((bid) => ({ ...bid, details: null })));
  expect(chat.bids).toEqual(all.bids.slice(0, 5));
  expect(chat.totals).toEqual(all.totals);
  expect(chat.summary).toEqual(all.summary);
  expect(chat.description).toBe(all.description);
  expect(chat.termsUsed).toEqual(all.termsUsed);
  expect(chat.freshness).toBe(all.freshness);
  const { durationMs: _a, ...chatStats } = chat.stats;
  const { durationMs: _b, ...allStats } = all.stats;
  expect(chatStats).toEqual(allStats);
  // The chat reply a user reads is the same text, buttons and numbers.
  expect(renderResults(chat)).toEqual(renderResults({ ...all, bids: all.bids.slice(0, 5) }));
  // The summarizer saw the same facts, and an LLM would be sent the same first 50 bids.
  const sqlInput = viaSql.inputs[0]!;
  const rowsInput = viaRows.inputs[0]!;
  expect(sqlInput.facts).toEqual(summaryFacts(all.bids, NOW));
  expect(sqlInput.bids).toEqual(rowsInput.bids.slice(0, 50));
  expect(buildSummaryMessages(sqlInput, 50)).toEqual(buildSummaryMessages(rowsInput, 50));
  return all;
}

function suite(
  name: string,
  open: () => Promise<{ index: BidIndex; db: SqlExecutor; close: () => Promise<void> }>,
) {
  describe(`chat answer in SQL = all rows: ${name}`, () => {
    let index: BidIndex;
    let db: SqlExecutor;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ index, db, close } = await open());
      await load(index, [...records(), ...fixtureIndexedRecords(NOW)]);
    }, 60_000);
    afterAll(async () => close?.());

    it("answers a national sector search with the all-rows totals, summary and first bids", async () => {
      const query = searchQuerySchema.parse({
        sector: "saude",
        from: "2026-08-01",
        to: TODAY,
        modalidades: SYNCED,
      });
      const all = await compare(index, query);
      expect(all.totals.count).toBeGreaterThan(20);
      expect(all.summary.highlights.length).toBeGreaterThan(2);
    });

    it("agrees for generated queries with every SQL filter and sort", async () => {
      const seen = { runs: 0, some: 0, many: 0 };
      await fc.assert(
        fc.asyncProperty(queryArb, async (query) => {
          const all = await compare(index, query);
          seen.runs++;
          if (all.totals.count > 0) seen.some++;
          if (all.totals.count > 5) seen.many++;
        }),
        { numRuns: name === "PGlite" ? 40 : 25 },
      );
      // Not vacuous: many generated queries find bids, and a good part more than the chat shows.
      // (Bounds loose enough that a random draw of 25–40 queries cannot miss them: ~1e-4 at worst.)
      expect(seen.some).toBeGreaterThan(seen.runs / 5);
      expect(seen.many).toBeGreaterThan(0);
    }, 60_000);

    it("keeps the search copy equal to bids through updates, re-tags and deletes", async () => {
      const query = searchQuerySchema.parse({
        from: FIRST_DAY,
        to: TODAY,
        sort: "value_desc",
        modalidades: SYNCED,
      });
      const [first, second] = (await index.search(
        { ...everything(), from: "2026-09-01", to: TODAY },
        NOW,
      )) as [Bid, Bid];
      // A newer version with another object (new sector tags) and value.
      const newer: IndexedRecord = {
        bid: { ...first, object: "Aquisição de medicamentos e material hospitalar", estimatedValue: 9e9 },
        raw: {},
        pncpUpdatedAt: "2030-01-01T00:00:00.000Z",
      };
      await index.upsertBids([newer], NOW);
      const afterUpdate = await compare(index, query);
      expect(afterUpdate.bids[0]!.id).toBe(first.id);
      await index.setTags([{ id: second.id, tags: ["saude"], scores: [99] }], "test");
      const health = await compare(index, { ...query, sector: "saude", sort: "relevance" });
      expect(health.bids[0]!.id).toBe(second.id);
      await db.query("delete from bids where id = $1", [first.id]);
      const afterDelete = await compare(index, query);
      expect(afterDelete.bids.map((b) => b.id)).not.toContain(first.id);
      const mismatch = await db.query<{ n: number }>(
        `select count(*)::integer as n from (
           (select '' as sector, id from bids union all
            select unnest(sector_tags), id from bids)
           except all (select sector, id from bid_search)
         ) missing`,
      );
      expect(mismatch[0]!.n).toBe(0);
      const counts = await db.query<{ copy: number; expected: number }>(
        `select (select count(*)::integer from bid_search) as copy,
           (select (count(*) + coalesce(sum(cardinality(sector_tags)), 0))::integer from bids) as expected`,
      );
      expect(counts[0]!.copy).toBe(counts[0]!.expected);
    });

    it("infers statuses in SQL exactly as inferStatus", async () => {
      const stale = STALE_JUDGING_DAYS * 86_400_000;
      const offsets = [-stale - 1, -stale, -stale + 1, -1, 0, 1, 86_400_000];
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.constantFrom(1, 2, 3, 4, 5), { nil: null }),
          fc.option(fc.constantFrom(0, 1000.5), { nil: null }),
          fc.option(fc.constantFrom(...offsets), { nil: null }),
          fc.constantFrom(4, 5, 6, 8, 9, 14),
          fc.option(fc.constantFrom(1, 2, 3), { nil: null }),
          async (situationId, homologatedValue, offset, modalityId, instrumentCode) => {
            const close = offset === null ? null : new Date(NOW.getTime() + offset).toISOString();
            const rows = await db.query<{ status: string }>(
              "select _index_bid_status($1::integer, $2::boolean, $3::timestamptz, $4::integer, $5::integer, $6::timestamptz) as status",
              [situationId, homologatedValue !== null, close, modalityId, instrumentCode, NOW.toISOString()],
            );
            const expected = inferStatus(
              { situationId, homologatedValue, proposalsCloseAt: close, modalityId, instrumentCode },
              NOW,
            );
            expect(rows[0]!.status).toBe(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
}

function everything() {
  return {
    ufs: [],
    modalidades: SYNCED,
    from: FIRST_DAY,
    to: TODAY,
    openOnly: false,
    sector: null,
    terms: [],
    minValue: null,
    maxValue: null,
  };
}

suite("PGlite", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return { index: createBidIndex(store), db: store.executor, close: () => store.close() };
});

const postgres = await needPostgres();

describe.skipIf(!postgres)("on Postgres", () => {
  suite("Postgres", async () => {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 3 });
    return {
      index: createBidIndex(store),
      db: store.executor,
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
});

describe("0008 on an install that already has bids", () => {
  it("copies the existing rows, and answers as the all-rows path", async () => {
    const before = await mkdtemp(join(tmpdir(), "smart-pncp-0007-"));
    const through = await mkdtemp(join(tmpdir(), "smart-pncp-0008-"));
    const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY, migrate: false });
    try {
      const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.*\.sql$/.test(f));
      for (const file of files) {
        if (file < "0008") await cp(join(MIGRATIONS_DIR, file), join(before, file));
        await cp(join(MIGRATIONS_DIR, file), join(through, file));
      }
      await applyMigrations(store.executor, { logger: silentLogger(), dir: before });
      const index = createBidIndex(store);
      await load(index, records().slice(0, 400));
      const applied = await applyMigrations(store.executor, { logger: silentLogger(), dir: through });
      expect(applied).toEqual(files.filter((file) => file >= "0008"));
      const copy = await store.executor.query<{ n: number }>(
        "select count(*)::integer as n from bid_search where sector = ''",
      );
      expect(copy[0]!.n).toBe(400);
      await compare(
        index,
        searchQuerySchema.parse({ sector: "saude", from: FIRST_DAY, to: TODAY, modalidades: SYNCED }),
      );
      await compare(
        index,
        searchQuerySchema.parse({ from: FIRST_DAY, to: TODAY, sort: "closing_soon", modalidades: SYNCED }),
      );
    } finally {
      await store.close();
      await rm(before, { recursive: true, force: true });
      await rm(through, { recursive: true, force: true });
    }
  }, 30_000);
});
