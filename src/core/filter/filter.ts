/**
 * Filters and sorts fetched bids for one `SearchQuery`.
 *
 * Decisions:
 * - Text: the user's own terms (stopwords removed) REPLACE the sector keywords; the sector's exclusions
 *   still apply when a sector is set. No sector and no terms → every bid passes the text filter.
 *   Text is matched on `object` and `details`; relevance = 2 × object score + details score. The
 *   `best_fit` sort also reads keyword density and the sector's value range (`rankingFor`, `sort.ts`).
 * - Values: a missing value (null) or PNCP's 0 (confidential budget) is "unknown": it never satisfies a
 *   minimum (excluded when `minValue` is set) and never violates a maximum (kept). Sorting by value puts
 *   unknown values last in both directions.
 * - `openOnly`: status "recebendo_propostas" and a closing instant that is not already past `now`.
 * - Dates are not re-filtered here: the PNCP client fetched the period (and `/proposta` results are,
 *   by design, not bounded by publication date).
 * - UF, esfera: a bid with an unknown UF / esfera fails the filter when one is set.
 * - Municípios: a 7-digit IBGE code or a name compared whole after normalization ("sao paulo" ≠
 *   "sao paulo de olivenca"). Órgãos: a CNPJ (14 chars, or its 8-digit root) or a name fragment searched
 *   in agency + unit.
 */
import type { Bid } from "../bid.ts";
import type { SearchQuery } from "../search-query.ts";
import { normalizeText } from "../text-fold.ts";
import { compileMatcher, type Matcher } from "./matcher.ts";
import { type SectorVerdictLookup, sectorScore } from "./sector-decision.ts";
import { SECTORS, sectorMatcher } from "./sectors.ts";
import { type RankingContext, sortBids } from "./sort.ts";
import { cleanTerms } from "./terms.ts";

/** Bids that passed, sorted per `query.sort`; the terms searched; relevance scores when text was matched. */
export interface FilterResult {
  bids: Bid[];
  termsUsed: string[];
  /** Bid id → relevance score; absent when no text filter applied. */
  scores?: Map<string, number>;
}

type BidPredicate = (bid: Bid) => boolean;

/** Applies every filter of `query` to `bids` and sorts the survivors. Pure; `now` drives openOnly/closing_soon. */
export function filterBids(
  bids: readonly Bid[],
  query: SearchQuery,
  now: Date,
  verdicts?: SectorVerdictLookup,
): FilterResult {
  const termsUsed = cleanTerms(query.terms);
  const matcher = textMatcher(query, termsUsed);
  const predicates = fieldPredicates(query, now);
  const scores = matcher ? new Map<string, number>() : undefined;
  const kept: Bid[] = [];
  // A sector search decides with the field rule (sector-decision.ts); user terms match object and details.
  const sector = termsUsed.length === 0 ? query.sector : null;
  const fieldCount = predicates.length;
  next: for (const bid of bids) {
    for (let p = 0; p < fieldCount; p++) if (!predicates[p]!(bid)) continue next;
    if (matcher && scores) {
      const score = sector ? sectorScore(sector, bid, verdicts) : textScore(matcher, bid);
      if (score === null) continue;
      scores.set(bid.id, score);
    }
    kept.push(bid);
  }
  const ranking = query.sort === "best_fit" ? rankingFor(query, matcher) : undefined;
  const sorted = sortBids(kept, query.sort, now, scores, ranking);
  return scores ? { bids: sorted, termsUsed, scores } : { bids: sorted, termsUsed };
}

/**
 * What the `best_fit` sort needs for this query: the keyword density of an object (the user terms'
 * matcher, or the best of the sector's and its included sectors' matchers) and the sector's typical value
 * range. Every caller of `sortBids` for a query (the index path too) passes this, so they rank alike.
 */
export function rankingFor(query: SearchQuery, termsMatcher?: Matcher | null): RankingContext {
  const termsUsed = cleanTerms(query.terms);
  const sector = query.sector ? SECTORS[query.sector] : null;
  const matchers =
    termsUsed.length > 0
      ? [termsMatcher ?? textMatcher(query, termsUsed)!]
      : query.sector
        ? [sectorMatcher(query.sector), ...(sector?.includes ?? []).map(sectorMatcher)]
        : [];
  const density =
    matchers.length === 0
      ? null
      : (object: string) => {
          let best = 0;
          for (const matcher of matchers) {
            const { score, tokens } = matcher.match(object);
            if (tokens > 0 && score / tokens > best) best = score / tokens;
          }
          return best;
        };
  return { density, typicalValue: sector?.typicalValue ?? null };
}

function textMatcher(query: SearchQuery, termsUsed: string[]): Matcher | null {
  if (termsUsed.length > 0) {
    const exclusions = query.sector ? SECTORS[query.sector].exclusions : [];
    return compileMatcher({ keywords: termsUsed, exclusions });
  }
  return query.sector ? sectorMatcher(query.sector) : null;
}

/** Relevance of a bid, or null when neither its object nor its details match. */
function textScore(matcher: Matcher, bid: Bid): number | null {
  const inObject = matcher.match(bid.object);
  const inDetails = bid.details ? matcher.match(bid.details) : null;
  if (!inObject.matched && !inDetails?.matched) return null;
  return 2 * inObject.score + (inDetails?.score ?? 0);
}

/** True for a known, non-zero estimated value. */
export function hasKnownValue(bid: Bid): bid is Bid & { estimatedValue: number } {
  return bid.estimatedValue !== null && bid.estimatedValue > 0;
}

function fieldPredicates(query: SearchQuery, now: Date): BidPredicate[] {
  const predicates: BidPredicate[] = [];
  if (query.ufs.length > 0) {
    const ufs = new Set<string>(query.ufs);
    predicates.push((bid) => bid.uf !== null && ufs.has(bid.uf.toUpperCase()));
  }
  const { minValue, maxValue } = query;
  if (minValue !== null) predicates.push((bid) => hasKnownValue(bid) && bid.estimatedValue >= minValue);
  if (maxValue !== null) predicates.push((bid) => !hasKnownValue(bid) || bid.estimatedValue <= maxValue);
  if (query.modalidades.length > 0) {
    const modalidades = new Set(query.modalidades);
    predicates.push((bid) => modalidades.has(bid.modalityId));
  }
  if (query.statuses.length > 0) {
    const statuses = new Set<string>(query.statuses);
    predicates.push((bid) => statuses.has(bid.status));
  }
  if (query.openOnly) {
    const nowMs = now.getTime();
    predicates.push(
      (bid) =>
        bid.status === "recebendo_propostas" &&
        (bid.proposalsCloseAt === null || Date.parse(bid.proposalsCloseAt) > nowMs),
    );
  }
  if (query.esferas.length > 0) {
    const esferas = new Set<string>(query.esferas);
    predicates.push((bid) => bid.esfera !== null && esferas.has(bid.esfera));
  }
  if (query.municipios.length > 0) predicates.push(municipioPredicate(query.municipios));
  if (query.orgaos.length > 0) predicates.push(orgaoPredicate(query.orgaos));
  return predicates;
}

function municipioPredicate(municipios: readonly string[]): BidPredicate {
  const codes = new Set<string>();
  const names = new Set<string>();
  for (const entry of municipios) {
    const trimmed = entry.trim();
    if (/^\d{7}$/.test(trimmed)) codes.add(trimmed);
    else names.add(normalizeText(trimmed));
  }
  return (bid) =>
    (bid.ibgeCode !== null && codes.has(bid.ibgeCode)) ||
    (bid.municipality !== null && names.has(normalizeText(bid.municipality)));
}

const CNPJ_FULL = /^[0-9A-Z]{12}\d{2}$/;
const CNPJ_ROOT = /^\d{8}$/;

function orgaoPredicate(orgaos: readonly string[]): BidPredicate {
  const cnpjs: string[] = [];
  const fragments: string[] = [];
  for (const entry of orgaos) {
    const compact = entry.replace(/[\s./-]/g, "").toUpperCase();
    if (CNPJ_FULL.test(compact) || CNPJ_ROOT.test(compact)) cnpjs.push(compact);
    else if (normalizeText(entry) !== "") fragments.push(` ${normalizeText(entry)} `);
  }
  return (bid) => {
    const cnpj = bid.cnpj.replace(/[\s./-]/g, "").toUpperCase();
    if (cnpjs.some((wanted) => cnpj.startsWith(wanted))) return true;
    if (fragments.length === 0) return false;
    const names = ` ${normalizeText(`${bid.agency} ${bid.unit ?? ""}`)} `;
    return fragments.some((fragment) => names.includes(fragment));
  };
}
