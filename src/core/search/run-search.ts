import type { Bid } from "../bid.ts";
import type { BidsWorkbookInput } from "../excel/build-workbook.ts";
import { filterBids } from "../filter/filter.ts";
import type { FetchProgress, FetchStats, PncpClient } from "../pncp/pncp-client.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { describeQuery } from "../query/describe-query.ts";
import type { SearchQuery } from "../query/search-query.ts";
import type { SearchTotals, Summarizer, Summary } from "../summary/summarizer.ts";
import { computeTotals } from "../summary/totals.ts";
import { inclusiveDays, saoPauloDate } from "../time.ts";

/** Ports a search needs; passed in, never imported as singletons. */
export interface SearchDeps {
  pncp: PncpClient;
  summarizer: Summarizer;
  clock: Clock;
  logger: Logger;
}

export interface SearchStats extends FetchStats {
  /** Bids left after filtering. */
  matched: number;
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
  finishedAt: Date;
}

export interface SearchOptions {
  onProgress?: (progress: FetchProgress) => void;
  signal?: AbortSignal;
}

/** How many days back a query reaches from today (what plans limit); open-only searches need 1. */
export function requestedHistoryDays(query: SearchQuery, now: Date): number {
  if (query.openOnly) return 1;
  return Math.max(1, inclusiveDays(query.from, saoPauloDate(now)));
}

/**
 * Fetch → filter → totals → summary. Throws AppError PNCP_UNAVAILABLE only when PNCP gave nothing at
 * all; partial fetches come back with `stats.partial`.
 */
export async function runSearch(
  query: SearchQuery,
  deps: SearchDeps,
  options: SearchOptions = {},
): Promise<SearchOutcome> {
  const { pncp, summarizer, clock, logger } = deps;
  const fetched = await pncp.fetchBids(
    {
      ufs: query.ufs,
      modalidades: query.modalidades,
      from: query.from,
      to: query.to,
      openOnly: query.openOnly,
    },
    { onProgress: options.onProgress, signal: options.signal },
  );
  const now = clock.now();
  const filtered = filterBids(fetched.bids, query, now);
  const totals = computeTotals(filtered.bids, now);
  const summary = await summarizer.summarize({ query, bids: filtered.bids, totals, now });
  const stats: SearchStats = { ...fetched.stats, matched: filtered.bids.length };
  logger.info(
    {
      fetched: stats.fetched,
      matched: stats.matched,
      pages: stats.pages,
      requests: stats.requests,
      retries: stats.retries,
      partial: stats.partial,
      durationMs: stats.durationMs,
      summary: summary.source,
    },
    "search_completed",
  );
  return {
    query,
    description: describeQuery(query, filtered.termsUsed),
    termsUsed: filtered.termsUsed,
    bids: filtered.bids,
    totals,
    summary,
    stats,
    finishedAt: clock.now(),
  };
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
