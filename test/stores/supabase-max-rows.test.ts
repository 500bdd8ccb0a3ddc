/**
 * PostgREST answers at most the project's "Max rows" rows per request, RPC included (Supabase: 1,000 by
 * default). With the stand-in capped at 7 rows: the RPC bid index still returns every row (paged), the
 * same rows as the SQL index on the same data; a server that misreports its count fails the call instead
 * of handing back part of the rows; and with DATABASE_URL beside SUPABASE_URL the index skips RPC.
 */

import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Bid } from "../../src/core/bid.ts";
import { AppError } from "../../src/core/errors.ts";
import type { BidIndex, IndexAnswerQuery, IndexFull } from "../../src/core/ports/bid-index.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { SECTOR_IDS } from "../../src/core/sectors.ts";
import { createCore, openBidIndex } from "../../src/main.ts";
import { BID_INDEX_RPC_FUNCTIONS, SupabaseBidIndex } from "../../src/stores/bid-index/supabase-bid-index.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { PGLITE_MEMORY } from "../../src/stores/pglite-store.ts";
import { createBidIndex, SqlBidIndex } from "../../src/stores/sql-bid-index.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";
import { FakeSupabase, type FakeSupabaseOptions } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { fixtureIndexedRecords, withUpdate } from "../index/index-fixtures.ts";

const postgres = await needPostgres();
const KEY = "sb_secret_max_rows_test_key";
const CAP = 7;
/** Bids in the index: 6 requests a read at 7 rows a request (the whole fixture, 579, would be 83). */
const BIDS = 40;
const NOW = new Date("2026-09-22T15:00:00Z");

const QUERY: IndexAnswerQuery = {
  ufs: [],
  modalidades: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
  from: "2000-01-01",
  to: "2100-01-01",
  openOnly: false,
  sector: null,
  terms: [],
  minValue: null,
  maxValue: null,
  statuses: [],
  esferas: [],
  sort: "value_desc",
  limit: 4,
};

const byId = (bids: readonly Bid[]) => [...bids].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** `full` with its rows (and their instants) in id order, to compare two reads of the same data. */
function fullById(full: IndexFull) {
  const rows = full.bids.map((bid, i) => ({
    bid,
    published: full.instants.published[i],
    close: full.instants.close[i],
  }));
  rows.sort((a, b) => (a.bid.id < b.bid.id ? -1 : 1));
  return { answer: full.answer, rows, scores: full.sectorScores && new Map([...full.sectorScores].sort()) };
}

/** A JSON-lines pino logger whose lines land in `lines`. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe.skipIf(!postgres)("Supabase's Max rows: RPC answers paged, never cut", () => {
  let database: TestDatabase;
  let pgStore: PgStore;
  let sql: BidIndex;
  let ids: string[];
  let sector: string;
  const fakes: FakeSupabase[] = [];

  async function fake(options: Partial<FakeSupabaseOptions> = {}): Promise<FakeSupabase> {
    const started = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: KEY,
      allow: BID_INDEX_RPC_FUNCTIONS,
      ...options,
    });
    fakes.push(started);
    return started;
  }
  const rpcIndex = (at: FakeSupabase) => new SupabaseBidIndex({ url: at.url, serviceRoleKey: KEY });
  const calls = (at: FakeSupabase, fn: string) => at.requests.filter((r) => r.fn === fn);

  beforeAll(async () => {
    database = await createTestDatabase();
    pgStore = await PgStore.open({ databaseUrl: database.url, max: 3 });
    sql = createBidIndex(pgStore);
    const records = fixtureIndexedRecords(NOW).slice(0, BIDS);
    await sql.upsertBids(records, NOW);
    ids = records.map((r) => r.bid.id);
    // The sector with most of these bids, so a sector search pages too (with its stored scores).
    const counts = await Promise.all(SECTOR_IDS.map((id) => sql.count({ ...QUERY, sector: id }, NOW)));
    sector = SECTOR_IDS[counts.indexOf(Math.max(...counts))]!;
  }, 60_000);
  afterAll(async () => {
    for (const f of fakes) await f.close();
    await pgStore?.close();
    await database?.drop();
  });

  it("reads search, full, matches and bidsByIds whole at 7 rows a request, as the SQL index does", async () => {
    const capped = await fake({ maxRows: CAP });
    const rpc = rpcIndex(capped);
    expect(ids).toHaveLength(BIDS);

    const expected = await sql.search(QUERY, NOW);
    expect(expected).toHaveLength(ids.length);
    const found = await rpc.search(QUERY, NOW);
    expect(byId(found)).toEqual(byId(expected));
    const searches = calls(capped, "index_search");
    expect(searches).toHaveLength(Math.ceil(ids.length / CAP));
    // Every request asked for the exact count, in one stable order; pages after the first by offset.
    expect(searches.every((r) => /count=exact/.test(r.headers.prefer ?? ""))).toBe(true);
    expect(searches.map((r) => new URLSearchParams(r.query).get("order"))).toEqual(
      searches.map(() => "id.asc"),
    );
    expect(searches.slice(1).map((r) => new URLSearchParams(r.query).get("offset"))).toEqual(
      searches.slice(1).map((_, i) => String((i + 1) * CAP)),
    );
    expect(searches.map((r) => r.status)).toEqual(searches.map(() => 206));

    expect(await sql.count({ ...QUERY, sector }, NOW)).toBeGreaterThan(CAP);
    for (const q of [QUERY, { ...QUERY, sector }]) {
      expect(fullById(await rpc.full({ ...q, withDetails: false }, NOW))).toEqual(
        fullById(await sql.full({ ...q, withDetails: false }, NOW)),
      );
      const [a, b] = [await rpc.matches(q, NOW), await sql.matches(q, NOW)];
      expect({ ...a, bids: byId(a.bids) }).toEqual({ ...b, bids: byId(b.bids) });
    }
    const full = await rpc.full(QUERY, NOW);
    expect(full.bids).toHaveLength(full.answer.totals.count);
    expect(full.answer.totals.count).toBeGreaterThan(CAP);

    const byIds = await rpc.bidsByIds(ids, NOW);
    expect(byIds).toHaveLength(ids.length);
    expect(byId(byIds)).toEqual(byId(await sql.bidsByIds(ids, NOW)));
  });

  it("answers under the cap in one request", async () => {
    const capped = await fake({ maxRows: CAP });
    const few = ids.slice(0, CAP);
    expect(byId(await rpcIndex(capped).bidsByIds(few, NOW))).toEqual(byId(await sql.bidsByIds(few, NOW)));
    expect(calls(capped, "index_bids_by_ids").map((r) => r.status)).toEqual([200]);
  });

  it("fails, never returns part of the rows, when the server's count does not add up", async () => {
    const reject = async (options: Partial<FakeSupabaseOptions>, message: RegExp) => {
      const error = await rpcIndex(await fake(options))
        .search(QUERY, NOW)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(message);
      return error as AppError;
    };
    // More rows than it ever returns: pages past the real end come back empty.
    await reject({ maxRows: CAP, reportTotal: (total) => total + 3 }, /incomplete answer: rows \d+-\d+ of/);
    // Uncapped, the same lie: the whole answer, then an empty "rest".
    await reject({ reportTotal: (total) => total + 1 }, /incomplete answer: rows \d+-\d+ of/);
    // No usable count (`Content-Range: 0-6/NaN`).
    await reject({ maxRows: CAP, reportTotal: () => Number.NaN }, /did not say how many rows/);
    // A count that moves between pages (the sync writing): retryable.
    let seen = 0;
    const moving = await reject(
      { maxRows: CAP, reportTotal: (total) => total + (seen++ > 0 ? 1 : 0) },
      /changed from \d+ to \d+ rows while paging/,
    );
    expect(moving.retryable).toBe(true);
  });

  it("fails rather than re-running a function that writes (index_upsert_bids above the cap)", async () => {
    const capped = await fake({ maxRows: CAP });
    const records = fixtureIndexedRecords(NOW).slice(0, CAP + 3);
    expect(new Set(records.map((r) => r.bid.id)).size).toBe(CAP + 3);
    const newer = records.map((r) => withUpdate(r, "2030-01-01T00:00:00.000Z", `${r.bid.object} (nova)`));
    await expect(rpcIndex(capped).upsertBids(newer, NOW)).rejects.toThrow(
      /index_upsert_bids: incomplete answer: 7 of 10 rows .*cannot be paged/,
    );
    expect(calls(capped, "index_upsert_bids")).toHaveLength(1);
  });

  describe("openBidIndex", () => {
    const config = (at: FakeSupabase, databaseUrl?: string) =>
      loadConfig({
        SUPABASE_URL: at.url,
        SUPABASE_SERVICE_ROLE_KEY: KEY,
        DATABASE_URL: databaseUrl,
        DATA_DIR: PGLITE_MEMORY,
        UPGRADE_TOKEN_SECRET: "max-rows-test-upgrade-secret-0123456789",
      });
    // The store createStore opens for SUPABASE_URL (no connection held; its close is a no-op).
    const storeOn = (at: FakeSupabase) => SupabaseStore.open({ url: at.url, serviceRoleKey: KEY });
    const indexCalls = (at: FakeSupabase) => at.requests.filter((r) => r.fn.startsWith("index_"));

    it("with DATABASE_URL beside SUPABASE_URL: SQL on its own pool, no index RPC", async () => {
      const stand = await fake({ maxRows: CAP });
      const { logger, lines } = recordingLogger();
      const index = await openBidIndex(config(stand, database.url), await storeOn(stand), logger);
      expect(index).toBeInstanceOf(SqlBidIndex);
      expect(byId(await index.search(QUERY, NOW))).toEqual(byId(await sql.search(QUERY, NOW)));
      expect((await index.full(QUERY, NOW)).bids).toHaveLength(ids.length);
      expect(await index.bidsByIds(ids, NOW)).toHaveLength(ids.length);
      expect((await index.status()).rows).toBe(ids.length);
      expect(stand.requests).toEqual([]);
      expect(lines.filter((l) => l.msg === "bid_index_opened")).toEqual([
        expect.objectContaining({ transport: "postgres" }),
      ]);
      await index.close?.();
      await expect(index.search(QUERY, NOW)).rejects.toThrow(/after calling end/);
    });

    it("with SUPABASE_URL alone: RPC, and a warning to set DATABASE_URL", async () => {
      const stand = await fake({ maxRows: CAP });
      const { logger, lines } = recordingLogger();
      const index = await openBidIndex(config(stand), await storeOn(stand), logger);
      expect(index).toBeInstanceOf(SupabaseBidIndex);
      expect(await index.search(QUERY, NOW)).toHaveLength(ids.length);
      expect(calls(stand, "index_search")).toHaveLength(Math.ceil(ids.length / CAP));
      expect(lines.filter((l) => l.msg === "bid_index_opened")).toEqual([
        expect.objectContaining({ transport: "supabase_rpc" }),
      ]);
      expect(lines.filter((l) => l.level === 40 && /DATABASE_URL/.test(String(l.msg)))).toHaveLength(1);
    });

    it("fails to open on a DATABASE_URL that does not answer", async () => {
      const stand = await fake();
      const unreachable = config(stand, "postgres://postgres@127.0.0.1:1/none");
      await expect(openBidIndex(unreachable, await storeOn(stand), silentLogger())).rejects.toThrow(
        /ECONNREFUSED|connect/,
      );
    });

    it("the core on Supabase + DATABASE_URL searches the index over SQL and closes its pool", async () => {
      const stand = await fake({ maxRows: CAP });
      const core = await createCore(config(stand, database.url), {
        store: await storeOn(stand),
        logger: silentLogger(),
      });
      const index = core.deps.index!;
      expect(index).toBeInstanceOf(SqlBidIndex);
      expect(await index.search(QUERY, NOW)).toHaveLength(ids.length);
      await core.close();
      await expect(index.status()).rejects.toThrow(/after calling end/);
      expect(indexCalls(stand)).toEqual([]);
    });
  });
});
