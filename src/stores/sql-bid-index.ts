/**
 * The `BidIndex` over the SQL functions of supabase/migrations/0007_index.sql and 0008_index_search.sql. Every write that must be
 * atomic is one function call, so the same class runs on plain SQL (PGlite, Postgres: `SqlBidIndex`) and on
 * PostgREST RPC (Supabase: `SupabaseBidIndex`); only the transport differs, as for `FunctionStore`.
 * Rows are built (folded text, sector tags) in `bid-index/index-rows.ts`.
 */
import type { Bid, BidStatus } from "../core/bid.ts";
import { parseInstant } from "../core/index/iso-instant.ts";
import { SECTOR_TAGS_VERSION } from "../core/index/sector-tags.ts";
import type {
  BidIndex,
  CoverageRange,
  IndexAnswer,
  IndexAnswerQuery,
  IndexCandidates,
  IndexedRecord,
  IndexFull,
  IndexMatches,
  IndexSearch,
  IndexStatus,
  SectorTagUpdate,
  UpsertOutcome,
  WindowKey,
  WindowState,
} from "../core/ports/bid-index.ts";
import { CLOSING_SOON_DAYS } from "../core/summary/totals.ts";
import { addDays, saoPauloWallToUtcMs } from "../core/time.ts";
import { fromBidRow, toBidRows } from "./bid-index/index-rows.ts";
import type { RpcTransport } from "./function-store.ts";
import { instantOrNull as instant } from "./rows.ts";
import type { Row, SqlExecutor } from "./sql-executor.ts";
import { type SqlStore, sqlTransport } from "./sql-store.ts";

/** Rows per `index_upsert_bids` call: large enough for throughput, small enough for one request body. */
export const UPSERT_BATCH = 1000;

function day(value: unknown): string {
  if (value instanceof Date) {
    // A `date` column comes back as local midnight from pg and as UTC midnight from PGlite.
    const utc = new Date(Date.UTC(value.getFullYear(), value.getMonth(), value.getDate()));
    return (value.getUTCHours() === 0 ? value : utc).toISOString().slice(0, 10);
  }
  return String(value).slice(0, 10);
}

function toWindow(row: Row): WindowState {
  const pages = Array.isArray(row.pages_done) ? row.pages_done.map(Number) : [];
  return {
    day: day(row.day),
    modalidade: Number(row.modalidade),
    complete: row.complete === true,
    pagesTotal: row.pages_total === null || row.pages_total === undefined ? null : Number(row.pages_total),
    pagesDone: pages.sort((a, b) => a - b),
    records: Number(row.records ?? 0),
    fetchedAt: instant(row.fetched_at),
    refreshedAt: instant(row.refreshed_at),
  };
}

/** Shared by every transport: maps the port onto the SQL functions. */
export class FunctionBidIndex implements BidIndex {
  readonly #rpc: RpcTransport;

  constructor(rpc: RpcTransport) {
    this.#rpc = rpc;
  }

  #json(value: unknown): unknown {
    return this.#rpc.jsonAsText ? JSON.stringify(value) : value;
  }

  async upsertBids(records: IndexedRecord[], now: Date): Promise<UpsertOutcome> {
    const outcome: UpsertOutcome = { inserted: 0, updated: 0, unchanged: 0, changedIds: [] };
    for (let i = 0; i < records.length; i += UPSERT_BATCH) {
      const batch = records.slice(i, i + UPSERT_BATCH);
      const rows = await this.#rpc.rows("index_upsert_bids", { p_rows: this.#json(toBidRows(batch, now)) });
      const distinct = new Set(batch.map((record) => record.bid.id)).size;
      for (const row of rows) {
        if (row.inserted === true) outcome.inserted++;
        else outcome.updated++;
        outcome.changedIds.push(String(row.id));
      }
      outcome.unchanged += distinct - rows.length;
    }
    return outcome;
  }

  async recordPage(
    window: WindowKey,
    page: number,
    pagesTotal: number,
    records: IndexedRecord[],
    now: Date,
  ): Promise<WindowState> {
    const row = await this.#rpc.one("index_record_page", {
      p_day: window.day,
      p_modalidade: window.modalidade,
      p_page: page,
      p_pages_total: pagesTotal,
      p_rows: this.#json(toBidRows(records, now)),
      p_now: now.toISOString(),
    });
    return toWindow(row);
  }

  async restartWindow(window: WindowKey, now: Date): Promise<void> {
    await this.#rpc.scalar("index_restart_window", {
      p_day: window.day,
      p_modalidade: window.modalidade,
      p_now: now.toISOString(),
    });
  }

  async windows(from: string, to: string, modalidades: number[]): Promise<WindowState[]> {
    const rows = await this.#rpc.rows("index_windows_in", {
      p_from: from,
      p_to: to,
      p_modalidades: modalidades,
    });
    return rows.map(toWindow);
  }

  #searchArgs(query: IndexSearch, now: Date): Record<string, unknown> {
    return {
      p_ufs: query.ufs,
      p_modalidades: query.modalidades,
      p_from: query.from,
      p_to: query.to,
      p_open_only: query.openOnly,
      p_now: now.toISOString(),
      p_close_before: query.openOnly ? closeBefore(query) : null,
      p_sector: query.sector,
      p_patterns: query.terms,
      p_min_value: query.minValue,
      p_max_value: query.maxValue,
      p_details: query.withDetails ?? true,
    };
  }

  async search(query: IndexSearch, now: Date): Promise<Bid[]> {
    return (await this.candidates(query, now)).bids;
  }

  async candidates(query: IndexSearch, now: Date): Promise<IndexCandidates> {
    const sectorScores = query.sector ? new Map<string, number>() : null;
    if (query.modalidades.length === 0) return { bids: [], sectorScores };
    const rows = await this.#rpc.rows("index_search", this.#searchArgs(query, now));
    const bids = rows.map((row) => {
      const bid = fromBidRow(row, now);
      sectorScores?.set(bid.id, Number(row.sector_score ?? 0));
      return bid;
    });
    return { bids, sectorScores };
  }

  async answer(query: IndexAnswerQuery, now: Date): Promise<IndexAnswer> {
    if (query.modalidades.length === 0 || query.terms.length > 0) {
      throw new Error("index answer: needs modalidades and no term patterns");
    }
    const { p_details: _light, p_patterns: _none, ...args } = this.#searchArgs(query, now);
    const row = await this.#rpc.one("index_answer", {
      ...args,
      p_statuses: [...query.statuses],
      p_esferas: [...query.esferas],
      p_sort: query.sort,
      p_limit: Math.max(0, Math.floor(query.limit)),
      p_soon_until: new Date(now.getTime() + CLOSING_SOON_DAYS * 86_400_000).toISOString(),
    });
    return toAnswer(row);
  }

  async matches(query: IndexAnswerQuery, now: Date): Promise<IndexMatches> {
    const sectorScores = query.sector ? new Map<string, number>() : null;
    if (query.modalidades.length === 0 || query.terms.length > 0) {
      throw new Error("index matches: needs modalidades and no term patterns");
    }
    const { p_patterns: _none, ...args } = this.#searchArgs(query, now);
    const rows = await this.#rpc.rows("index_matches", {
      ...args,
      p_statuses: [...query.statuses],
      p_esferas: [...query.esferas],
      p_sort: query.sort,
    });
    const bids = rows.map((row) => {
      const bid = fromBidRow(row, now);
      sectorScores?.set(bid.id, Number(row.sector_score ?? 0));
      return bid;
    });
    // No match: the candidates (all filtered out, or none) are counted as index_search would return them.
    const candidates = rows.length > 0 ? Number(rows[0]!.candidates) : await this.count(query, now);
    return { bids, sectorScores, candidates };
  }

  async full(query: IndexAnswerQuery, now: Date): Promise<IndexFull> {
    if (query.modalidades.length === 0 || query.terms.length > 0) {
      throw new Error("index full: needs modalidades and no term patterns");
    }
    const { p_patterns: _none, ...args } = this.#searchArgs(query, now);
    const rows = await this.#rpc.rows("index_full", {
      ...args,
      p_statuses: [...query.statuses],
      p_esferas: [...query.esferas],
      p_sort: query.sort,
      p_soon_until: new Date(now.getTime() + CLOSING_SOON_DAYS * 86_400_000).toISOString(),
    });
    const sectorScores = query.sector ? new Map<string, number>() : null;
    const bids: Bid[] = [];
    const published: (number | null)[] = [];
    const close: (number | null)[] = [];
    let answer: IndexAnswer | null = null;
    for (const row of rows) {
      if (row.answer === true) {
        answer = toAnswer(row);
        continue;
      }
      const bid = fromBidRow(row, now);
      bids.push(bid);
      published.push(knownMs(row.published_at, bid.publishedAt));
      close.push(knownMs(row.proposals_close_at, bid.proposalsCloseAt));
      sectorScores?.set(bid.id, Number(row.sector_score ?? 0));
    }
    if (!answer) throw new Error("index_full: the answer row is missing");
    return { bids, sectorScores, answer, instants: { published, close } };
  }

  async bidsByIds(ids: readonly string[], now: Date): Promise<Bid[]> {
    if (ids.length === 0) return [];
    const rows = await this.#rpc.rows("index_bids_by_ids", { p_ids: [...ids] });
    return rows.map((row) => fromBidRow(row, now));
  }

  async count(query: IndexSearch, now: Date): Promise<number> {
    if (query.modalidades.length === 0) return 0;
    const { p_details: _unused, ...args } = this.#searchArgs(query, now);
    return Number(await this.#rpc.scalar("index_count", args));
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const held = await this.#rpc.scalar("index_acquire_lease", {
      p_name: name,
      p_holder: holder,
      p_ttl_ms: Math.max(1, Math.round(ttlMs)),
      p_now: now.toISOString(),
    });
    return held === true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#rpc.scalar("index_release_lease", { p_name: name, p_holder: holder });
  }

  async recordRound(now: Date, stats: Record<string, number>): Promise<void> {
    await this.#rpc.scalar("index_record_round", { p_now: now.toISOString(), p_stats: this.#json(stats) });
  }

  async status(): Promise<IndexStatus> {
    const [row, coverageRows] = await Promise.all([
      this.#rpc.one("index_status", { p_tags_version: SECTOR_TAGS_VERSION }),
      this.#rpc.rows("index_coverage", {}),
    ]);
    const coverage = new Map<number, CoverageRange>();
    for (const r of coverageRows) {
      const modalidade = Number(r.modalidade);
      let entry = coverage.get(modalidade);
      if (!entry) {
        entry = { modalidade, ranges: [], partialWindows: Number(r.partial_windows ?? 0) };
        coverage.set(modalidade, entry);
      }
      if (r.from_day !== null && r.from_day !== undefined) {
        entry.ranges.push({ from: day(r.from_day), to: day(r.to_day) });
      }
    }
    return {
      rows: Number(row.rows ?? 0),
      coverage: [...coverage.values()].sort((a, b) => a.modalidade - b.modalidade),
      freshAt: instant(row.fresh_at),
      lastRoundAt: instant(row.last_round_at),
      diskBytes: row.disk_bytes === null || row.disk_bytes === undefined ? null : Number(row.disk_bytes),
      tagsVersion: SECTOR_TAGS_VERSION,
      staleTagRows: Number(row.stale_tag_rows ?? 0),
    };
  }

  async freshness(): Promise<{ freshAt: Date | null; lastRoundAt: Date | null }> {
    const row = await this.#rpc.one("index_freshness", {});
    return { freshAt: instant(row.fresh_at), lastRoundAt: instant(row.last_round_at) };
  }

  async staleTagBids(version: string, limit: number, now: Date): Promise<Bid[]> {
    const rows = await this.#rpc.rows("index_stale_rows", { p_version: version, p_limit: limit });
    return rows.map((row) => fromBidRow(row, now));
  }

  async setTags(tags: readonly SectorTagUpdate[], version: string): Promise<number> {
    if (tags.length === 0) return 0;
    const rows = tags.map((t) => ({ id: t.id, sector_tags: t.tags, sector_scores: t.scores }));
    return Number(await this.#rpc.scalar("index_set_tags", { p_rows: this.#json(rows), p_version: version }));
  }
}

/** Years 0000–9999 in epoch ms: where `isoFromMs` prints exactly what `parseInstant` reads back. */
const EXACT_MS = { min: -62_167_219_200_000, max: 253_402_300_799_999 };

/**
 * The epoch ms `sortBids` would parse from `iso` (the bid's field, printed by `fromBidRow` from the same
 * column): the column itself, rounded as `fromBidRow` rounds it; parsed only outside years 0000–9999.
 */
function knownMs(value: unknown, iso: string | null): number | null {
  if (iso === null) return null;
  const n = Math.round(Number(value));
  if (n >= EXACT_MS.min && n <= EXACT_MS.max) return n;
  const parsed = parseInstant(iso);
  return Number.isNaN(parsed) ? null : parsed;
}

/** jsonb arrives parsed from pg and PGlite, as text from some transports. */
function json(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

function pairs<K>(value: unknown, key: (raw: unknown) => K): Array<[K, number]> {
  const list = json(value);
  if (!Array.isArray(list)) return [];
  return list.map((entry) => [key((entry as unknown[])[0]), Number((entry as unknown[])[1])]);
}

function toAnswer(row: Row): IndexAnswer {
  const ids = json(row.top_ids);
  return {
    candidates: Number(row.candidates ?? 0),
    totals: {
      count: Number(row.total ?? 0),
      totalValue: Number(row.value_cents ?? 0) / 100,
      withValue: Number(row.with_value ?? 0),
      closingSoon: Number(row.closing_soon ?? 0),
    },
    ufs: pairs(row.ufs, String),
    modalidades: pairs(row.modalities, Number),
    statuses: pairs(row.statuses, (raw) => String(raw) as BidStatus),
    agencyCount: Number(row.agency_count ?? 0),
    agencyLeaders: pairs(row.agency_leaders, String),
    cityLeaders: pairs(row.city_leaders, String),
    topIds: Array.isArray(ids) ? ids.map(String) : [],
    largestId: row.largest_id === null || row.largest_id === undefined ? null : String(row.largest_id),
    soonestId: row.soonest_id === null || row.soonest_id === undefined ? null : String(row.soonest_id),
  };
}

/**
 * The instant before which an open bid must close: the end (São Paulo) of `to`, as the live `/proposta`
 * path's `dataFinal` bounds the closing day. runSearch passes `to` already widened to today + horizon.
 */
function closeBefore(query: IndexSearch): string {
  return new Date(saoPauloWallToUtcMs(Date.parse(`${addDays(query.to, 1)}T00:00:00Z`))).toISOString();
}

/** The index over plain SQL on the store's own connection(s): PGlite, embedded Postgres or a pg Pool. */
export class SqlBidIndex extends FunctionBidIndex {
  constructor(db: SqlExecutor) {
    super(sqlTransport(db));
  }
}

/** The bid index sharing a SQL store's executor (the migrations that create its tables ran on open). */
export function createBidIndex(store: Pick<SqlStore, "executor">): SqlBidIndex {
  return new SqlBidIndex(store.executor);
}
