/**
 * Sector tags of indexed bids: the sectors whose LIVE filter accepts a bid, computed when the bid is
 * written, so a sector search over the index is a tag lookup that gives exactly the live answer.
 *
 * Decision: the tag is decided by `filterBids` itself (a sector query with no other filter), not by a copy
 * of its text rule, so the index can never drift from the live path. `SECTOR_TAGS_VERSION` is the
 * catalogue's content hash (`SECTOR_CATALOG_VERSION`: every sector's data file and the decision rule);
 * rows written under another version are re-tagged (`retag.ts`).
 */
import type { Bid } from "../bid.ts";
import { filterBids } from "../filter/filter.ts";
import { SECTOR_CATALOG_VERSION } from "../filter/sectors.ts";
import type { SearchQuery } from "../search-query.ts";
import { SECTOR_IDS, type SectorId } from "../sectors.ts";

/** Content hash of every sector's data file and of the decision rule: a change makes every stored tag stale. */
export const SECTOR_TAGS_VERSION: string = SECTOR_CATALOG_VERSION;

/**
 * A query that keeps exactly the bids the sector's text rule accepts: no other filter (`filterBids` reads
 * an empty `modalidades` as "any"; dates are not re-filtered there).
 */
function sectorOnlyQuery(sector: SectorId): SearchQuery {
  return {
    terms: [],
    sector,
    ufs: [],
    from: "2000-01-01",
    to: "2000-01-01",
    modalidades: [],
    minValue: null,
    maxValue: null,
    openOnly: false,
    statuses: [],
    esferas: [],
    municipios: [],
    orgaos: [],
    sort: "newest",
  };
}

const QUERIES = new Map(SECTOR_IDS.map((id) => [id, sectorOnlyQuery(id)] as const));
const EPOCH = new Date(0);

/** The sectors whose live filter accepts a bid, with the live relevance score for each (same order). */
export interface SectorTags {
  tags: SectorId[];
  scores: number[];
}

const MEMO_LIMIT = 20_000;
/** Tags by exact text (object + details): PNCP repeats objects ("MATERIAL DE EXPEDIENTE") and the sync
 * re-writes the same bids; the text alone decides the tags, so a repeat costs a lookup. */
let memo = new Map<string, SectorTags>();

function textKey(bid: Bid): string {
  return `${bid.object}\u0000${bid.details ?? ""}`;
}

/** The sector tags and scores (ascending sector order) of each bid, in input order. */
export function sectorTagsOf(bids: readonly Bid[]): SectorTags[] {
  const out: SectorTags[] = [];
  const todo: Bid[] = [];
  const pending = new Map<string, SectorTags>();
  for (const bid of bids) {
    const key = textKey(bid);
    const known = memo.get(key) ?? pending.get(key);
    if (known) {
      out.push(known);
      continue;
    }
    const entry: SectorTags = { tags: [], scores: [] };
    pending.set(key, entry);
    out.push(entry);
    todo.push(bid);
  }
  for (const [id, query] of QUERIES) {
    const result = filterBids(todo, query, EPOCH);
    for (const bid of result.bids) {
      const entry = pending.get(textKey(bid))!;
      entry.tags.push(id);
      entry.scores.push(result.scores?.get(bid.id) ?? 0);
    }
  }
  if (memo.size + pending.size > MEMO_LIMIT) memo = new Map();
  for (const [key, entry] of pending) memo.set(key, entry);
  return out;
}
