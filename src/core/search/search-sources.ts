/**
 * Gathers a search's candidate bids from the index (covered windows) and from PNCP live (the rest), and
 * merges them. Live fetches of one search run together under the client's shared concurrency limit; their
 * progress is summed into one bar.
 */
import type { Bid } from "../bid.ts";
import { AppError, toAppError } from "../errors.ts";
import { type SearchPlan, windowKey } from "../index/search-plan.ts";
import {
  emptyFetchStats,
  type FetchOptions,
  type FetchStats,
  type PncpClient,
  type PncpFetchRequest,
} from "../pncp/pncp-client.ts";
import type { BidIndex } from "../ports/bid-index.ts";
import type { Logger } from "../ports/logger.ts";
import { saoPauloDate } from "../time.ts";

export interface GatheredBids {
  /** Live bids first (fetched now), then index bids not fetched live; deduplicated by id. */
  bids: Bid[];
  /** Ids that came from the index. */
  fromIndex: Set<string>;
  /** Stored sector scores of the index bids (sector searches). */
  sectorScores: Map<string, number> | null;
  /** Live counters only (the index sends no requests); `durationMs` is the whole gathering. */
  stats: FetchStats;
}

function addStats(into: FetchStats, from: FetchStats): void {
  into.requests += from.requests;
  into.pages += from.pages;
  into.pagesTotal += from.pagesTotal;
  into.fetched += from.fetched;
  into.invalid += from.invalid;
  into.duplicates += from.duplicates;
  into.retries += from.retries;
  into.failed += from.failed;
  into.partial ||= from.partial;
  into.truncated ||= from.truncated;
  into.issues.push(...from.issues);
}

async function fetchLive(
  pncp: PncpClient,
  requests: readonly PncpFetchRequest[],
  options: FetchOptions,
  canFailAll: boolean,
  logger: Logger,
): Promise<{ bids: Bid[]; stats: FetchStats }> {
  const stats = emptyFetchStats();
  if (requests.length === 0) return { bids: [], stats };
  const progress = requests.map(() => ({ pagesDone: 0, pagesTotal: 0 }));
  const report = () =>
    options.onProgress?.({
      pagesDone: progress.reduce((n, p) => n + p.pagesDone, 0),
      pagesTotal: progress.reduce((n, p) => n + p.pagesTotal, 0),
    });
  const results = await Promise.allSettled(
    requests.map((request, i) =>
      pncp.fetchBids(request, {
        signal: options.signal,
        onProgress: (p) => {
          progress[i] = p;
          report();
        },
      }),
    ),
  );
  const bids: Bid[] = [];
  let failures = 0;
  let firstError: unknown = null;
  results.forEach((result, i) => {
    if (result.status === "fulfilled") {
      bids.push(...result.value.bids);
      addStats(stats, result.value.stats);
      return;
    }
    const error = toAppError(result.reason);
    if (error.code !== "PNCP_UNAVAILABLE") throw result.reason;
    failures++;
    firstError ??= result.reason;
    const request = requests[i]!;
    logger.warn({ err: error, from: request.from, to: request.to }, "live_slice_failed");
    stats.partial = true;
    for (const modalidade of request.modalidades) {
      stats.issues.push({
        uf: null,
        modalidade,
        from: request.from,
        to: request.to,
        pages: 0,
        reason: "failed",
      });
    }
    stats.failed += 1;
  });
  // Nothing at all came back and the index answered nothing either: as before, PNCP is unavailable.
  if (failures === requests.length && canFailAll)
    throw firstError ?? new AppError("PNCP_UNAVAILABLE", "no page");
  return { bids, stats };
}

/** Runs a plan: index candidates and live fetches together, merged (live wins on overlap). */
export async function gatherBids(
  plan: SearchPlan,
  deps: { pncp: PncpClient; index: BidIndex | null; logger: Logger },
  now: Date,
  options: FetchOptions,
): Promise<GatheredBids> {
  const started = Date.now();
  const [indexed, live] = await Promise.all([
    plan.index && deps.index ? deps.index.candidates(plan.index, now) : null,
    fetchLive(deps.pncp, plan.live, options, plan.index === null, deps.logger),
  ]);
  const seen = new Set<string>();
  const bids: Bid[] = [];
  for (const bid of live.bids) {
    if (seen.has(bid.id)) continue;
    seen.add(bid.id);
    bids.push(bid);
  }
  const fromIndex = new Set<string>();
  for (const bid of indexed?.bids ?? []) {
    if (seen.has(bid.id)) continue;
    if (plan.coveredKeys && !inCoveredWindow(bid, plan.coveredKeys)) continue;
    seen.add(bid.id);
    fromIndex.add(bid.id);
    bids.push(bid);
  }
  live.stats.durationMs = Date.now() - started;
  return { bids, fromIndex, sectorScores: indexed?.sectorScores ?? null, stats: live.stats };
}

function inCoveredWindow(bid: Bid, covered: ReadonlySet<string>): boolean {
  if (!bid.publishedAt) return false;
  return covered.has(windowKey(bid.modalityId, saoPauloDate(new Date(bid.publishedAt))));
}
