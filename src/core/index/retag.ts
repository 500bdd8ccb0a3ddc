/**
 * The re-tag job: rows written under an older sector-tag version (a sector's keyword lists changed) get
 * their tags recomputed with the live matcher, a batch at a time, until none is left. Idempotent and
 * resumable: progress is the rows' own `tags_version`.
 */
import type { BidIndex } from "../ports/bid-index.ts";
import { SECTOR_TAGS_VERSION, sectorTagsOf } from "./sector-tags.ts";

export interface RetagOptions {
  /** Rows per batch (default 2000). */
  batchSize?: number;
  /** Stop after this many batches (default: until done). */
  maxBatches?: number;
  signal?: AbortSignal;
  now?: () => Date;
}

export interface RetagResult {
  rows: number;
  batches: number;
  /** True when no stale row is left. */
  done: boolean;
}

/** Re-tags every row whose version differs from `SECTOR_TAGS_VERSION`. */
export async function retagIndex(index: BidIndex, options: RetagOptions = {}): Promise<RetagResult> {
  const batchSize = Math.max(1, options.batchSize ?? 2000);
  const now = options.now ?? (() => new Date());
  let rows = 0;
  let batches = 0;
  while (!options.signal?.aborted && (options.maxBatches === undefined || batches < options.maxBatches)) {
    const stale = await index.staleTagBids(SECTOR_TAGS_VERSION, batchSize, now());
    if (stale.length === 0) return { rows, batches, done: true };
    const tags = sectorTagsOf(stale);
    rows += await index.setTags(
      stale.map((bid, k) => ({ id: bid.id, tags: tags[k]!.tags, scores: tags[k]!.scores })),
      SECTOR_TAGS_VERSION,
    );
    batches++;
    if (stale.length < batchSize) return { rows, batches, done: true };
  }
  return { rows, batches, done: false };
}
