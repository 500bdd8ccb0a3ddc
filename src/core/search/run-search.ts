import type { Bid } from "../bid.ts";
import type { BidsWorkbookInput } from "../excel/build-workbook.ts";
import type { SectorArbitration } from "../filter/arbiter/arbitrate.ts";
import { type FilterResult, filterBids, rankingFor } from "../filter/filter.ts";
import type { SectorVerdictLookup } from "../filter/sector-decision.ts";
import { sortBids } from "../filter/sort.ts";
import { cleanTerms } from "../filter/terms.ts";
import { freshnessNote } from "../index/freshness.ts";
import { planSearch, type SearchPlan, windowDays } from "../index/search-plan.ts";
import {
  emptyFetchStats,
  type FetchProgress,
  type FetchStats,
  type PncpClient,
} from "../pncp/pncp-client.ts";
import type { BidIndex, IndexAnswer, IndexSearch } from "../ports/bid-index.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { describeQuery } from "../query/describe-query.ts";
import { type SearchQuery, SORT_KEYS, type SortKey } from "../search-query.ts";
import type { SearchTotals, Summarizer, Summary } from "../summary/summarizer.ts";
import { factsFromCounts, type SummaryFacts } from "../summary/summary-facts.ts";
import { computeTotals } from "../summary/totals.ts";
import { inclusiveDays, saoPauloDate } from "../time.ts";
import { type GatheredBids, gatherBids } from "./search-sources.ts";

/** Ports a search needs; passed in, never imported as singletons. */
export interface SearchDeps {
  pncp: PncpClient;
  summarizer: Summarizer;
  clock: Clock;
  logger: Logger;
  /** The local PNCP index; absent = every search is live (as before the index existed). */
  index?: BidIndex | null;
  /** Horizon of the live open-bids path (`HttpPncpClient` `openHorizonDays`, default 180). */
  openHorizonDays?: number;
  /**
   * The grey-zone arbiter (`createSectorArbitration`, with OPENAI_API_KEY): verdicts for the weak sector
   * decisions among LIVE bids of a sector search. Index bids keep their stored tag (the deterministic
   * decision, written with the sync); absent or failing = the deterministic rule decides.
   */
  arbitrate?: SectorArbitration;
}

export interface SearchStats extends FetchStats {
  /** Bids left after filtering. */
  matched: number;
  /**
   * (Optional only so outcomes built elsewhere stay valid; `runSearch` always sets the next three.)
   * Where the candidate bids came from, counted in bids after deduplication and before filtering:
   * `index` rows of complete windows, `live` records fetched from PNCP now. Page and truncation counters
   * above are live-only (the page cap applies only to live windows).
   */
  source?: { index: number; live: number };
  /** (publication day × modalidade) windows answered by each source. */
  windows?: { index: number; live: number };
  /** Latest refresh of the index windows that answered (ISO instant); null when the index answered nothing. */
  indexFreshAt?: string | null;
}

/** Everything a search produced: what the CLI prints, the chat renders and the Excel holds. */
export interface SearchOutcome {
  query: SearchQuery;
  /** One pt-BR line saying how the query was understood. */
  description: string;
  /** The terms actually matched (user terms minus stopwords, or the sector's name). */
  termsUsed: string[];
  bids: Bid[];
  totals: SearchTotals;
  summary: Summary;
  stats: SearchStats;
  /** pt-BR line on where the data came from and how fresh it is; null for a purely live search. */
  freshness?: string | null;
  finishedAt: Date;
}

export interface SearchOptions {
  onProgress?: (progress: FetchProgress) => void;
  signal?: AbortSignal;
  /**
   * The chat answer: `bids` holds only the first `limit` matches (totals, summary and stats still cover
   * every match). When the index answers alone and the text filter is a sector (or none), the candidates
   * are read light (what filters, sort, status and summarizers read: no complementary text, links,
   * modalidade/situação names, srp or opening instant); only the first `limit` bids are then read whole.
   */
  limit?: number;
  /**
   * false: the bids may come without `details` (the complementary text), which the workbook does not show;
   * the index then reads ~40% fewer bytes. Default true.
   */
  withDetails?: boolean;
  /**
   * The chat answer before the full set, for a full-set call (no `limit`) the index answers alone in SQL:
   * the `limit` path's outcome (`answerFromIndex`, ~100 ms) is given to `send`, awaited, and only then is
   * the full set read (`matchesFromIndex`, seconds on national searches) and returned. Never called on any
   * other path (live windows, terms, município/órgão, `best_fit`); an error `send` throws propagates.
   */
  onAnswer?: { limit: number; send(outcome: SearchOutcome): Promise<void> };
}

/** How many days back a query reaches from today (what plans limit); open-only searches need 1. */
export function requestedHistoryDays(query: SearchQuery, now: Date): number {
  if (query.openOnly) return 1;
  return Math.max(1, inclusiveDays(query.from, saoPauloDate(now)));
}

const DEFAULT_OPEN_HORIZON_DAYS = 180;

/** The whole query live, as one request (no index, or the index could not be read). */
function livePlan(query: SearchQuery): SearchPlan {
  const request = {
    ufs: query.ufs,
    modalidades: query.modalidades,
    from: query.from,
    to: query.to,
    openOnly: query.openOnly,
  };
  return {
    index: null,
    coveredKeys: null,
    live: [request],
    windows: { index: 0, live: 0 },
    liveDays: 0,
    freshAt: null,
  };
}

async function plan(query: SearchQuery, deps: SearchDeps, now: Date): Promise<SearchPlan> {
  const index = deps.index;
  if (!index) return livePlan(query);
  const options = {
    today: saoPauloDate(now),
    openHorizonDays: deps.openHorizonDays ?? DEFAULT_OPEN_HORIZON_DAYS,
  };
  const days = windowDays(query, options);
  if (!days) return planSearch(query, [], options);
  try {
    return planSearch(query, await index.windows(days.from, days.to, query.modalidades), options);
  } catch (error) {
    // The index is an accelerator: when it cannot be read, the search is answered live as before.
    deps.logger.warn({ err: error }, "index_unavailable");
    return livePlan(query);
  }
}

/** The arbiter's verdicts for the live bids of a sector-only search; undefined when it does not apply. */
async function arbitrateLive(
  gathered: GatheredBids,
  query: SearchQuery,
  deps: SearchDeps,
): Promise<SectorVerdictLookup | undefined> {
  if (!deps.arbitrate || !query.sector || cleanTerms(query.terms).length > 0) return undefined;
  const live = gathered.bids.filter((bid) => !gathered.fromIndex.has(bid.id));
  if (live.length === 0) return undefined;
  try {
    return await deps.arbitrate(live, query.sector);
  } catch (error) {
    deps.logger.warn({ err: error, sector: query.sector }, "sector_arbiter_failed");
    return undefined;
  }
}

/**
 * The filter over gathered bids: `filterBids` on everything, except that index bids of a sector search
 * already passed the sector's text rule when written (their tags, with the live score stored), so only the
 * field filters run on them and the stored scores rank them; the result is the same as `filterBids` on
 * all (test/index/same-answer.test.ts).
 */
function filterGathered(
  gathered: GatheredBids,
  query: SearchQuery,
  now: Date,
  verdicts?: SectorVerdictLookup,
): FilterResult {
  const { sectorScores, fromIndex } = gathered;
  if (!sectorScores || !query.sector || cleanTerms(query.terms).length > 0 || fromIndex.size === 0) {
    return filterBids(gathered.bids, query, now, verdicts);
  }
  if (fromIndex.size === gathered.bids.length) {
    // Index only (the chat and national searches): the stored scores rank the survivors as they are.
    const kept = filterBids(gathered.bids, { ...query, sector: null, terms: [] }, now).bids;
    const termsUsed = cleanTerms(query.terms);
    return {
      bids: sortBids(kept, query.sort, now, sectorScores, rankingFor(query)),
      termsUsed,
      scores: sectorScores,
    };
  }
  const indexBids = gathered.bids.filter((bid) => fromIndex.has(bid.id));
  const liveBids = gathered.bids.filter((bid) => !fromIndex.has(bid.id));
  const fieldsOnly = filterBids(indexBids, { ...query, sector: null, terms: [] }, now).bids;
  const live = filterBids(liveBids, query, now, verdicts);
  const scores = new Map(live.scores);
  for (const bid of fieldsOnly) scores.set(bid.id, sectorScores.get(bid.id) ?? 0);
  return {
    bids: sortBids([...live.bids, ...fieldsOnly], query.sort, now, scores, rankingFor(query)),
    termsUsed: live.termsUsed,
    scores,
  };
}

/**
 * Index + live → filter → totals → summary. Complete index windows are read from the index; the rest is
 * fetched live (`search-plan.ts`). Throws AppError PNCP_UNAVAILABLE only when PNCP gave nothing at all and
 * the index answered nothing; partial fetches come back with `stats.partial`.
 */
export async function runSearch(
  query: SearchQuery,
  deps: SearchDeps,
  options: SearchOptions = {},
): Promise<SearchOutcome> {
  const { summarizer, clock, logger } = deps;
  const startedAt = clock.now();
  let searchPlan = await plan(query, deps, startedAt);
  const light =
    options.limit !== undefined &&
    searchPlan.index !== null &&
    searchPlan.live.length === 0 &&
    cleanTerms(query.terms).length === 0;
  if (light && searchPlan.index)
    searchPlan = { ...searchPlan, index: { ...searchPlan.index, withDetails: false } };
  const indexAlone =
    deps.index && searchPlan.index && searchPlan.live.length === 0 && cleanTerms(query.terms).length === 0;
  if (indexAlone && deps.index && searchPlan.index && answeredInSql(query)) {
    if (light)
      return answerFromIndex(query, deps, deps.index, searchPlan, searchPlan.index, options.limit ?? 0);
    const { onAnswer } = options;
    if (onAnswer && options.limit === undefined) {
      // The chat answer exactly as the `limit` path computes it (light read), then the full set.
      const lightIndex = { ...searchPlan.index, withDetails: false };
      const answerPlan = { ...searchPlan, index: lightIndex };
      await onAnswer.send(
        await answerFromIndex(query, deps, deps.index, answerPlan, lightIndex, onAnswer.limit),
      );
    }
    return matchesFromIndex(query, deps, deps.index, searchPlan, {
      ...searchPlan.index,
      withDetails: options.withDetails ?? true,
    });
  }
  const gathered = await gatherBids(
    searchPlan,
    { pncp: deps.pncp, index: deps.index ?? null, logger },
    startedAt,
    { onProgress: options.onProgress, signal: options.signal },
  );
  const now = clock.now();
  const verdicts = await arbitrateLive(gathered, query, deps);
  const filtered = filterGathered(gathered, query, now, verdicts);
  const totals = computeTotals(filtered.bids, now);
  const summary = await summarizer.summarize({ query, bids: filtered.bids, totals, now });
  const fromIndex = gathered.fromIndex.size;
  const stats: SearchStats = {
    ...gathered.stats,
    matched: filtered.bids.length,
    source: { index: fromIndex, live: gathered.bids.length - fromIndex },
    windows: searchPlan.windows,
    indexFreshAt: searchPlan.index ? (searchPlan.freshAt?.toISOString() ?? null) : null,
  };
  logger.info(
    {
      fetched: stats.fetched,
      matched: stats.matched,
      pages: stats.pages,
      requests: stats.requests,
      retries: stats.retries,
      partial: stats.partial,
      durationMs: stats.durationMs,
      source: stats.source,
      windows: stats.windows,
      summary: summary.source,
    },
    "search_completed",
  );
  let bids = filtered.bids;
  if (options.limit !== undefined) {
    bids = bids.slice(0, Math.max(0, options.limit));
    if (light && deps.index) {
      const full = new Map(
        (
          await deps.index.bidsByIds(
            bids.map((b) => b.id),
            now,
          )
        ).map((b) => [b.id, b]),
      );
      bids = bids.map((bid) => full.get(bid.id) ?? bid);
    }
  }
  const freshness = freshnessNote(
    { index: searchPlan.index !== null, live: searchPlan.live.length > 0, liveDays: searchPlan.liveDays },
    searchPlan.freshAt,
    now,
  );
  return {
    query,
    description: describeQuery(query, filtered.termsUsed),
    termsUsed: filtered.termsUsed,
    bids,
    totals,
    summary,
    stats,
    freshness,
    finishedAt: clock.now(),
  };
}

/** The orders `index_answer` reproduces in SQL (`best_fit` weighs text density: it needs the rows). */
const SQL_SORTS: ReadonlySet<SortKey> = new Set(SORT_KEYS.filter((key) => key !== "best_fit"));

/** Whether the index's SQL answer covers the query; município and órgão (text folding) need the rows. */
function answeredInSql(query: SearchQuery): boolean {
  return query.municipios.length === 0 && query.orgaos.length === 0 && SQL_SORTS.has(query.sort);
}

/** Bids the summarizer is given on the SQL path: what an LLM summary sends at most. */
const SUMMARY_BIDS = 50;

/**
 * The chat answer when the index answers alone: count, totals and the summary's facts computed in SQL over
 * every match (`BidIndex.answer`), and only the first bids read whole. The outcome equals the all-rows
 * path's (test/index/index-answer.test.ts), with `bids` cut to `limit`.
 */
async function answerFromIndex(
  query: SearchQuery,
  deps: SearchDeps,
  index: BidIndex,
  searchPlan: SearchPlan,
  indexQuery: IndexSearch,
  limit: number,
): Promise<SearchOutcome> {
  const { clock, summarizer } = deps;
  const started = Date.now();
  const now = clock.now();
  const answer = await index.answer(
    {
      ...indexQuery,
      statuses: query.statuses,
      esferas: query.esferas,
      sort: query.sort,
      limit: Math.max(limit, SUMMARY_BIDS),
    },
    now,
  );
  const ids = new Set(answer.topIds);
  if (answer.largestId) ids.add(answer.largestId);
  if (answer.soonestId) ids.add(answer.soonestId);
  const byId = new Map((await index.bidsByIds([...ids], now)).map((bid) => [bid.id, bid]));
  const first = answer.topIds.flatMap((id) => byId.get(id) ?? []);
  const facts = answerFacts(answer, byId, first[0] ?? null);
  const { totals } = answer;
  const summary = await summarizer.summarize({ query, bids: first, totals, facts, now });
  const found = { bids: first.slice(0, Math.max(0, limit)), totals, summary, candidates: answer.candidates };
  return indexOnlyOutcome(query, deps, searchPlan, found, started, now);
}

/** The summary's facts from the index's SQL answer; `byId` holds its largest and soonest bids when read. */
function answerFacts(answer: IndexAnswer, byId: ReadonlyMap<string, Bid>, first: Bid | null): SummaryFacts {
  return factsFromCounts({
    count: answer.totals.count,
    ufs: answer.ufs,
    modalidades: answer.modalidades,
    statuses: answer.statuses,
    agencyCount: answer.agencyCount,
    agencyLeaders: answer.agencyLeaders,
    cityLeaders: answer.cityLeaders,
    largest: answer.largestId ? (byId.get(answer.largestId) ?? null) : null,
    soonestOpen: answer.soonestId ? (byId.get(answer.soonestId) ?? null) : null,
    first,
  });
}

/** The outcome of a search the index answered alone (stats, log line, description, freshness). */
function indexOnlyOutcome(
  query: SearchQuery,
  deps: SearchDeps,
  searchPlan: SearchPlan,
  found: { bids: Bid[]; totals: SearchOutcome["totals"]; summary: Summary; candidates: number },
  started: number,
  now: Date,
): SearchOutcome {
  const { totals, summary } = found;
  const stats: SearchStats = {
    ...emptyFetchStats(),
    durationMs: Date.now() - started,
    matched: totals.count,
    source: { index: found.candidates, live: 0 },
    windows: searchPlan.windows,
    indexFreshAt: searchPlan.freshAt?.toISOString() ?? null,
  };
  logCompleted(deps.logger, stats, summary);
  const termsUsed = cleanTerms(query.terms);
  return {
    query,
    description: describeQuery(query, termsUsed),
    termsUsed,
    bids: found.bids,
    totals,
    summary,
    stats,
    freshness: freshnessNote({ index: true, live: false, liveDays: 0 }, searchPlan.freshAt, now),
    finishedAt: deps.clock.now(),
  };
}

/**
 * The full result set when the index answers alone: one read (`BidIndex.full`) gives every match with the
 * field filters applied and, from the same snapshot, the answer's totals and summary facts computed in
 * SQL; the rows are sorted here once, on the instants they carry as numbers. Same outcome as
 * `filterGathered` over the candidates (test/index/index-answer.test.ts).
 */
async function matchesFromIndex(
  query: SearchQuery,
  deps: SearchDeps,
  index: BidIndex,
  searchPlan: SearchPlan,
  indexQuery: IndexSearch,
): Promise<SearchOutcome> {
  const { clock, summarizer } = deps;
  const started = Date.now();
  const now = clock.now();
  const found = await index.full(
    { ...indexQuery, statuses: query.statuses, esferas: query.esferas, sort: query.sort, limit: 0 },
    now,
  );
  const bids = sortBids(
    found.bids,
    query.sort,
    now,
    found.sectorScores ?? undefined,
    rankingFor(query),
    found.instants,
  );
  const { answer } = found;
  const byId = new Map<string, Bid>();
  for (const id of [answer.largestId, answer.soonestId]) {
    const bid = id === null ? undefined : bids.find((b) => b.id === id);
    if (bid) byId.set(bid.id, bid);
  }
  const facts = answerFacts(answer, byId, bids[0] ?? null);
  const { totals } = answer;
  const summary = await summarizer.summarize({
    query,
    bids: bids.slice(0, SUMMARY_BIDS),
    totals,
    facts,
    now,
  });
  return indexOnlyOutcome(
    query,
    deps,
    searchPlan,
    { bids, totals, summary, candidates: answer.candidates },
    started,
    now,
  );
}

function logCompleted(logger: Logger, stats: SearchStats, summary: Summary): void {
  logger.info(
    {
      fetched: 0,
      matched: stats.matched,
      pages: 0,
      requests: 0,
      retries: 0,
      partial: false,
      durationMs: stats.durationMs,
      source: stats.source,
      windows: stats.windows,
      summary: summary.source,
    },
    "search_completed",
  );
}

/** What the Excel builder needs from a search outcome (`notes` go to the "Resumo" sheet). */
export function workbookInput(outcome: SearchOutcome, notes: string[] = []): BidsWorkbookInput {
  return {
    query: outcome.query,
    queryDescription: outcome.description,
    bids: outcome.bids,
    totals: outcome.totals,
    summary: outcome.summary,
    generatedAt: outcome.finishedAt,
    termsUsed: outcome.termsUsed,
    notes,
  };
}
