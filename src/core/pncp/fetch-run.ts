/**
 * Bookkeeping of one `fetchBids` call: counters, progress, what was lost, and the final assembly of
 * the bids (deduplicated, in plan order so the output never depends on which page answered first).
 */
import type { Bid } from "../bid.ts";
import {
  emptyFetchStats,
  type FetchProgress,
  type FetchStats,
  type PncpFetchResult,
  type SliceIssue,
} from "./pncp-client.ts";
import type { Slice } from "./slice-plan.ts";

/** Why pages of a slice are missing. */
export type LossReason = SliceIssue["reason"];

/** Mutable state of one fetch; not shared between calls. */
export class FetchRun {
  readonly stats: FetchStats;
  readonly #slices: readonly Slice[];
  readonly #onProgress: ((progress: FetchProgress) => void) | undefined;
  /** slice index → page number → bids of that page. */
  readonly #pages = new Map<number, Map<number, Bid[]>>();
  readonly #issues = new Map<string, { index: number; issue: SliceIssue }>();
  #pagesDone = 0;
  #pagesPlanned: number;

  constructor(slices: readonly Slice[], onProgress?: (progress: FetchProgress) => void) {
    this.#slices = slices;
    this.#onProgress = onProgress;
    this.#pagesPlanned = slices.length;
    this.stats = emptyFetchStats();
  }

  /** Page 1 of a slice told us its size: `reported` pages exist, `planned` more will be requested. */
  sliceSized(reported: number, planned: number): void {
    this.stats.pagesTotal += Math.max(1, reported);
    this.#pagesPlanned += planned;
    this.#emit();
  }

  /** A page arrived (204 and past-the-end count as pages with no bids). */
  pageFetched(slice: Slice, page: number, bids: Bid[], received: number, invalid: number): void {
    let pages = this.#pages.get(slice.index);
    if (!pages) {
      pages = new Map();
      this.#pages.set(slice.index, pages);
    }
    pages.set(page, bids);
    this.stats.pages++;
    this.stats.fetched += received;
    this.stats.invalid += invalid;
    this.#pagesDone++;
    this.#emit();
  }

  /** Pages of a slice that will not be fetched. Failed/circuit-open pages were planned; capped ones were not. */
  pagesLost(slice: Slice, pages: number, reason: LossReason): void {
    if (pages <= 0) return;
    const key = `${slice.index}:${reason}`;
    const entry = this.#issues.get(key);
    if (entry) entry.issue.pages += pages;
    else {
      const issue = {
        uf: slice.uf,
        modalidade: slice.modalidade,
        from: slice.from,
        to: slice.to,
        pages,
        reason,
      };
      this.#issues.set(key, { index: slice.index, issue });
    }
    if (reason === "page_cap") {
      this.stats.truncated = true;
      return;
    }
    this.stats.failed += pages;
    this.#pagesDone += pages;
    this.#emit();
  }

  /** Final result: bids deduplicated by id (first in plan order wins), stats frozen. */
  finish(durationMs: number): PncpFetchResult {
    const seen = new Set<string>();
    const bids: Bid[] = [];
    for (const slice of this.#slices) {
      const pages = this.#pages.get(slice.index);
      if (!pages) continue;
      for (const page of [...pages.keys()].sort((a, b) => a - b)) {
        for (const bid of pages.get(page) ?? []) {
          if (seen.has(bid.id)) this.stats.duplicates++;
          else {
            seen.add(bid.id);
            bids.push(bid);
          }
        }
      }
    }
    this.stats.issues = [...this.#issues.values()]
      .sort((a, b) => a.index - b.index || a.issue.reason.localeCompare(b.issue.reason))
      .map((entry) => entry.issue);
    this.stats.partial = this.stats.issues.length > 0;
    this.stats.durationMs = durationMs;
    return { bids, stats: this.stats };
  }

  #emit(): void {
    this.#onProgress?.({ pagesDone: this.#pagesDone, pagesTotal: this.#pagesPlanned });
  }
}
