/**
 * Port for the local PNCP index: our own copy of PNCP's contratações, kept fresh by the sync worker
 * (`src/core/sync/`) and read by `runSearch` (and later alerts). The same SQL (supabase/migrations) backs
 * it on Postgres, Supabase and the embedded store, so every implementation behaves identically.
 *
 * Coverage is tracked per (São Paulo publication day × modalidade) *window* of
 * `/v1/contratacoes/publicacao`: a window is `complete` only when every one of its pages arrived. Pages are
 * recorded together with their records in one transaction (`recordPage`), so a sync killed at any point
 * resumes exactly where it stopped and never counts a page it did not store.
 */
import type { Bid, BidStatus } from "../bid.ts";
import type { SortKey } from "../search-query.ts";
import type { SearchTotals } from "../summary/summarizer.ts";

/** One (publication day × modalidade) window of `/v1/contratacoes/publicacao`, fetched nationally. */
export interface WindowKey {
  /** São Paulo calendar date, YYYY-MM-DD. */
  day: string;
  modalidade: number;
}

export interface WindowState extends WindowKey {
  /** Every page arrived (and the window has been fetched at least once). */
  complete: boolean;
  /** `totalPaginas` PNCP reported on the latest page 1; null before page 1 arrived. */
  pagesTotal: number | null;
  /** Page numbers stored in the current pass (1-based, ascending). */
  pagesDone: number[];
  /** Records written for this window in the current pass. */
  records: number;
  /** When the window first became complete. */
  fetchedAt: Date | null;
  /** When a page of this window was last written (backfill or incremental refresh). */
  refreshedAt: Date | null;
}

/** A record as the index keeps it: the normalized bid plus the raw PNCP record it came from. */
export interface IndexedRecord {
  bid: Bid;
  /** The raw `/v1/contratacoes/*` record, kept so everything can be recomputed. */
  raw: unknown;
  /** `dataAtualizacaoGlobal` (else `dataAtualizacao`) as an ISO-8601 UTC instant; decides which version wins. */
  pncpUpdatedAt: string | null;
}

export interface UpsertOutcome {
  inserted: number;
  /** Rows replaced by a newer version. */
  updated: number;
  /** Rows whose stored version was as new or newer (nothing written). */
  unchanged: number;
  /** Ids inserted or updated (what alerts match, in a later issue). */
  changedIds: string[];
}

/**
 * Candidate rows for a search. The index narrows by these (indexes), then `runSearch` applies the same
 * `filterBids` the live path uses, so both paths give the same answer.
 */
export interface IndexSearch {
  /** Empty = every UF. */
  ufs: string[];
  modalidades: number[];
  /** Publication days (São Paulo), inclusive. Ignored when `openOnly`. */
  from: string;
  to: string;
  /**
   * Still receiving proposals at `now`; `to` after today bounds the closing date (as the live `/proposta`
   * path does).
   */
  openOnly: boolean;
  /** Sector id: candidates must carry its tag (computed when written, with the live matcher). */
  sector: string | null;
  /**
   * LIKE patterns over the accent-folded search text (`termPatterns` in src/core/index/search-text.ts):
   * candidates match at least one (a superset; the matcher decides). Empty = no text condition.
   */
  terms: string[];
  minValue: number | null;
  maxValue: number | null;
  /** false: `details` left null (the chat answer's light read; see `bidsByIds`). Default true. */
  withDetails?: boolean;
}

/**
 * The chat answer of a search the index answers alone, computed by the index over every match (no term
 * patterns: `IndexSearch.terms` must be empty; a term search reads rows and the matcher decides). Besides
 * the candidate conditions of `IndexSearch`, the field filters `filterBids` applies to index rows: a known
 * value for `minValue`, `statuses` (at `now`), `openOnly` = status recebendo_propostas, `esferas`.
 */
export interface IndexAnswerQuery extends IndexSearch {
  statuses: readonly BidStatus[];
  esferas: readonly string[];
  sort: SortKey;
  /** How many ids of the first matches (in `sort` order) to return. */
  limit: number;
}

/** Every match of an `IndexAnswerQuery` (its `limit` unused), read as `search` reads rows. */
export interface IndexMatches extends IndexCandidates {
  /** Rows the candidate conditions matched (before the field filters): `stats.source.index`. */
  candidates: number;
}

/**
 * The full result set and its answer from one snapshot (`BidIndex.full`): every match, unsorted, with its
 * instants as epoch ms (aligned with `bids`, so the caller sorts without parsing them back), and the facts
 * of `answer` computed over the same rows (its `topIds` empty: the caller orders the rows itself).
 */
export interface IndexFull extends IndexCandidates {
  answer: IndexAnswer;
  instants: { published: (number | null)[]; close: (number | null)[] };
}

/** Everything the chat reply and its summary need from all matches, and the ids of the first ones. */
export interface IndexAnswer {
  /** Rows the candidate conditions matched (before the field filters): `stats.source.index`. */
  candidates: number;
  totals: SearchTotals;
  /** Bids per UF (unknown UF left out), per modalidade id, per status at `now`. */
  ufs: Array<[string, number]>;
  modalidades: Array<[number, number]>;
  statuses: Array<[BidStatus, number]>;
  /** Distinct non-empty órgãos; every órgão / "Município/UF" with the top count, when that count is ≥ 2. */
  agencyCount: number;
  agencyLeaders: Array<[string, number]>;
  cityLeaders: Array<[string, number]>;
  /** Ids of the first `limit` matches, in order. */
  topIds: string[];
  /** The first match (in order) with the highest known value, and of the soonest closing after now. */
  largestId: string | null;
  soonestId: string | null;
}

export interface IndexCandidates {
  bids: Bid[];
  /** Bid id → sector relevance score; null when the search had no sector. */
  sectorScores: Map<string, number> | null;
}

/** New sector tags of one row (re-tag job), with the live score of each tag in the same order. */
export interface SectorTagUpdate {
  id: string;
  tags: readonly string[];
  scores: readonly number[];
}

export interface CoverageRange {
  modalidade: number;
  /** Inclusive São Paulo day ranges of complete windows, ascending. */
  ranges: Array<{ from: string; to: string }>;
  partialWindows: number;
}

export interface IndexStatus {
  rows: number;
  coverage: CoverageRange[];
  /** Latest `refreshedAt` of any window: how fresh the index is. */
  freshAt: Date | null;
  /** Latest completed sync round. */
  lastRoundAt: Date | null;
  /** Database size on disk (bytes) when the engine can tell. */
  diskBytes: number | null;
  /** Sector-tag version the rows carry, and how many rows carry an older one (pending re-tag). */
  tagsVersion: string;
  staleTagRows: number;
}

export interface BidIndex {
  /** Upserts records by `numeroControlePNCP`, keeping the newest version by `pncpUpdatedAt`. */
  upsertBids(records: IndexedRecord[], now: Date): Promise<UpsertOutcome>;
  /**
   * One page of a window, atomically: its records upserted and the page marked done. Page 1 also sets
   * `pagesTotal` (and a changed `pagesTotal` restarts the pass). When every page is done the window
   * becomes complete.
   */
  recordPage(
    window: WindowKey,
    page: number,
    pagesTotal: number,
    records: IndexedRecord[],
    now: Date,
  ): Promise<WindowState>;
  /** Starts a new pass over a window (an incremental refresh): pages done are cleared, `complete` kept. */
  restartWindow(window: WindowKey, now: Date): Promise<void>;
  /** States of the windows in [from, to] × modalidades that exist (missing = never fetched). */
  windows(from: string, to: string, modalidades: number[]): Promise<WindowState[]>;
  /** Candidates for a search (see `IndexSearch`); statuses recomputed at `now`. */
  search(query: IndexSearch, now: Date): Promise<Bid[]>;
  /**
   * `search` plus, when `query.sector` is set, each candidate's stored live relevance score for that
   * sector (what `filterBids` would score), so the sector matcher need not run again.
   */
  candidates(query: IndexSearch, now: Date): Promise<IndexCandidates>;
  /** Full bids by id (any order; missing ids are left out), statuses at `now`. */
  bidsByIds(ids: readonly string[], now: Date): Promise<Bid[]>;
  /** The chat answer computed over every match (see `IndexAnswerQuery`), shipping only a few ids. */
  answer(query: IndexAnswerQuery, now: Date): Promise<IndexAnswer>;
  /**
   * Every match (unsorted) with the field filters of `IndexAnswerQuery` applied, and the stored sector
   * scores: the full result set of a search the index answers alone. `withDetails` false leaves
   * `details` null (the workbook does not show it).
   */
  matches(query: IndexAnswerQuery, now: Date): Promise<IndexMatches>;
  /**
   * `matches` and `answer` in one read (one snapshot: the totals count exactly the rows returned), so the
   * caller neither recomputes totals and summary facts over every row nor parses instants to sort them.
   */
  full(query: IndexAnswerQuery, now: Date): Promise<IndexFull>;
  /** Count of candidates, for the chat answer without loading every row. */
  count(query: IndexSearch, now: Date): Promise<number>;
  /**
   * A named lease (one syncer across instances): true when `holder` now holds it until now + ttlMs
   * (acquired, or renewed by the same holder).
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** Records that a sync round finished (for freshness and `index status`). */
  recordRound(now: Date, stats: Record<string, number>): Promise<void>;
  status(): Promise<IndexStatus>;
  /** Latest window refresh and sync round, without counting rows (for /health). */
  freshness(): Promise<{ freshAt: Date | null; lastRoundAt: Date | null }>;
  /** Up to `limit` rows written under a sector-tag version other than `version` (re-tag job), by id. */
  staleTagBids(version: string, limit: number, now: Date): Promise<Bid[]>;
  /** Stores new tags for rows, stamping them with `version`; returns the rows updated. */
  setTags(tags: readonly SectorTagUpdate[], version: string): Promise<number>;
}
