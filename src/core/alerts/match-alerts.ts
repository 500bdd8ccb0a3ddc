/**
 * Batch matching of saved alerts against the bids one sync round wrote: which alert gets which bid.
 * Pure; `runAlertMatching` feeds it from the queue.
 *
 * Decisions:
 * - The verdict is the search's own `filterBids`, so an alert fires exactly for the bids `/buscar` with
 *   the same text would list (period aside). A sector-only alert reads the STORED sector tag as the
 *   sector verdict (it was computed by `filterBids` when the bid was written, as index searches do) and
 *   `filterBids` then applies the other filters; an alert with terms runs the full matcher.
 * - Speed (10,000 alerts × ~4,000 bids, bench/alerts.bench.ts): alerts with the same query are matched once;
 *   sector alerts only see the bids carrying the tag; term alerts only see the bids containing, as a whole
 *   word, some form (`wordForms`) of one token of each term — a superset of what the matcher accepts,
 *   looked up in a token → bids index built once per batch (prefix terms scan the batch vocabulary).
 * - Alerts are about new bids: a bid is matched for an alert only when it was published at most a day
 *   before the alert was saved (a backfill of old days never floods a new alert).
 */
import type { Bid } from "../bid.ts";
import { filterBids } from "../filter/filter.ts";
import { cleanTerms } from "../filter/terms.ts";
import { wordForms } from "../filter/word-forms.ts";
import { searchText } from "../index/search-text.ts";
import type { SearchQuery } from "../search-query.ts";
import { tokenize } from "../text-fold.ts";

/** What matching needs of an alert. */
export interface MatchableAlert {
  id: string;
  query: SearchQuery;
  createdAt: Date;
}

/** How long before an alert was saved a bid may have been published and still be "new" for it. */
export const NEW_BID_GRACE_MS = 86_400_000;

/** The fields that decide membership (not period or sort), as one key: equal keys match equally. */
function membershipKey(query: SearchQuery): string {
  return JSON.stringify([
    query.terms,
    query.sector,
    query.ufs,
    query.modalidades,
    query.minValue,
    query.maxValue,
    query.openOnly,
    query.statuses,
    query.esferas,
    query.municipios,
    query.orgaos,
  ]);
}

/** Alerts grouped by membership (equal queries matched once), built once per round for every batch. */
export class PreparedAlerts {
  readonly groups = new Map<string, MatchableAlert[]>();
  readonly ids: ReadonlySet<string>;
  readonly size: number;

  constructor(alerts: readonly MatchableAlert[]) {
    this.size = alerts.length;
    this.ids = new Set(alerts.map((a) => a.id));
    for (const alert of alerts) {
      const key = membershipKey(alert.query);
      const group = this.groups.get(key);
      if (group) group.push(alert);
      else this.groups.set(key, [alert]);
    }
  }
}

/** Token → bids of the batch, built on first use. */
class TokenIndex {
  readonly #postings = new Map<string, Set<Bid>>();

  constructor(bids: readonly Bid[]) {
    for (const bid of bids) {
      for (const token of tokenize(searchText(bid))) {
        let set = this.#postings.get(token);
        if (!set) {
          set = new Set();
          this.#postings.set(token, set);
        }
        set.add(bid);
      }
    }
  }

  /** Bids with some form of `token` as a word (or a word starting with it, for a prefix). */
  lookup(token: string, prefix: boolean): Set<Bid> {
    const out = new Set<Bid>();
    if (prefix) {
      for (const [word, set] of this.#postings) if (word.startsWith(token)) for (const b of set) out.add(b);
    }
    for (const form of wordForms(token)) {
      const set = this.#postings.get(form);
      if (set) for (const b of set) out.add(b);
    }
    return out;
  }
}

/** A superset of the bids the matcher accepts for any of `terms`; null = no usable token (every bid). */
function termCandidates(terms: readonly string[], index: TokenIndex): Set<Bid> | null {
  const union = new Set<Bid>();
  for (const term of terms) {
    let best: Set<Bid> | null = null;
    for (const piece of term.trim().split(/\s+/)) {
      const isPrefix = piece.endsWith("*");
      const tokens = tokenize(isPrefix ? piece.slice(0, -1) : piece);
      tokens.forEach((token, i) => {
        const found = index.lookup(token, isPrefix && i === tokens.length - 1);
        if (!best || found.size < best.size) best = found;
      });
    }
    if (best === null) return null;
    for (const b of best as Set<Bid>) union.add(b);
  }
  return union;
}

function publishedMs(bid: Bid): number {
  return bid.publishedAt ? Date.parse(bid.publishedAt) : Number.NaN;
}

/**
 * Alert id → ids of the bids it matches in this batch (alerts without a match are absent).
 * `tags`: each bid's stored sector tags (bids without an entry carry none).
 */
export function matchAlerts(
  bids: readonly Bid[],
  tags: ReadonlyMap<string, readonly string[]>,
  alerts: readonly MatchableAlert[] | PreparedAlerts,
  now: Date,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const prepared = alerts instanceof PreparedAlerts ? alerts : new PreparedAlerts(alerts);
  if (bids.length === 0 || prepared.size === 0) return out;
  const groups = prepared.groups;
  const bySector = new Map<string, Bid[]>();
  for (const bid of bids) {
    for (const tag of tags.get(bid.id) ?? []) {
      const list = bySector.get(tag);
      if (list) list.push(bid);
      else bySector.set(tag, [bid]);
    }
  }
  let tokenIndex: TokenIndex | null = null;
  const published = new Map(bids.map((b) => [b.id, publishedMs(b)] as const));
  for (const group of groups.values()) {
    const query = group[0]!.query;
    const terms = cleanTerms(query.terms);
    let candidates: readonly Bid[];
    let effective: SearchQuery = query;
    if (terms.length === 0 && query.sector) {
      candidates = bySector.get(query.sector) ?? [];
      effective = { ...query, sector: null };
    } else if (terms.length > 0) {
      tokenIndex ??= new TokenIndex(bids);
      const found = termCandidates(terms, tokenIndex);
      candidates = found ? [...found] : bids;
    } else {
      candidates = bids;
    }
    if (candidates.length === 0) continue;
    // filterBids reads an empty `modalidades` as "any"; an alert's modalidades always restrict.
    const matched = filterBids(candidates, effective, now).bids;
    if (matched.length === 0) continue;
    for (const alert of group) {
      const since = alert.createdAt.getTime() - NEW_BID_GRACE_MS;
      const ids = matched.filter((b) => (published.get(b.id) ?? Number.NaN) >= since).map((b) => b.id);
      if (ids.length > 0) out.set(alert.id, ids);
    }
  }
  return out;
}
