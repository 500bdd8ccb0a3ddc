/**
 * Result ordering. Every order ends with a deterministic tie-break (newest, then id) so the same
 * search always lists bids the same way.
 *
 * Speed: the sort keys (publication instant, closing instant, known value, score, best-fit rank) are
 * computed once per bid before sorting, not in the comparator (`Date.parse` per comparison was most of
 * the time of sorting tens of thousands of index bids).
 *
 * `best_fit` ("ordenar por relevância", "mais relevantes") ranks by how well a bid fits the search, a
 * weighted sum in [0, 1], higher first, then newest, then id:
 *
 *     rank = 0.5 × density + 0.25 × valueFit + 0.25 × closingFit
 *
 * - density: the share of the object's words covered by keyword hits (`score / tokens` of the search's
 *   matcher on `objetoCompra`; for a sector, the best of the sector's and its included sectors' matchers),
 *   in [0, 1]; 0 without a text filter or when only the complementary text matched (it confirms, it does
 *   not rank).
 * - valueFit: 1 inside the sector's typical value range (`Sector.typicalValue`, BRL), falling with the
 *   decimal orders of magnitude outside it — 1 / (1 + |log10(value / nearest bound)|): 10× off → 0.5,
 *   100× off → 0.33. An unknown value (null or 0), or no range (no sector, or a sector without one) → 0.5,
 *   neutral.
 * - closingFit, from the days d until proposals close: closed, unknown or unparsable → 0; d < 2 (too soon
 *   to prepare a proposal) → 0.25 + 0.75 × d / 2; 2 ≤ d ≤ 10 → 1; d > 10 → 10 / d (20 days → 0.5).
 */
import type { Bid } from "../bid.ts";
import { parseInstant } from "../index/iso-instant.ts";
import type { SortKey } from "../search-query.ts";

/** What `best_fit` reads besides the bid (see the formula above); absent = density 0, neutral value fit. */
export interface RankingContext {
  /** Share of an object's words covered by the search's keywords, in [0, 1]; null = no text filter. */
  density: ((object: string) => number) | null;
  /** The sector's typical estimated value range in BRL; null/absent = every value is neutral. */
  typicalValue?: { min: number; max: number } | null;
}

/** Weights and closing-date bands of `best_fit` (documented at the top of the file). */
const DENSITY_WEIGHT = 0.5;
const VALUE_WEIGHT = 0.25;
const CLOSING_WEIGHT = 0.25;
const NEUTRAL_VALUE_FIT = 0.5;
const TOO_SOON_DAYS = 2;
const SWEET_SPOT_END_DAYS = 10;
const DAY_MS = 86_400_000;

/**
 * The bids' publication and closing instants as epoch ms, aligned with the bids (index rows carry them as
 * numbers): sorting then parses no date. Each must equal `parseInstant` of the bid's ISO field (null when
 * absent or unparsable).
 */
export interface KnownInstants {
  published: readonly (number | null)[];
  close: readonly (number | null)[];
}

/** A bid with its precomputed keys; `key` is the primary key of the order (null = unknown, last). */
interface Keyed {
  bid: Bid;
  id: string;
  published: number | null;
  key: number | null;
}

/**
 * Returns a sorted copy:
 * - newest / oldest: by publication instant, unknown dates last;
 * - value_desc / value_asc: by estimated value, unknown (null or 0 = confidential) last in both;
 * - closing_soon: bids whose proposals close after `now`, soonest first; then every other bid, newest first;
 * - relevance: by `scores` (higher first), ties newest first; without scores it is newest;
 * - best_fit: by the rank above (higher first), ties newest first, then id; `ranking` supplies the
 *   density and the sector's value range (without it only the closing date and known values count).
 */
export function sortBids(
  bids: readonly Bid[],
  sort: SortKey,
  now: Date,
  scores?: ReadonlyMap<string, number>,
  ranking?: RankingContext,
  instants?: KnownInstants,
): Bid[] {
  const primary = primaryKey(sort, now.getTime(), scores, ranking, instants);
  const keyed: Keyed[] = new Array(bids.length);
  for (let i = 0; i < bids.length; i++) {
    const bid = bids[i]!;
    keyed[i] = {
      bid,
      id: bid.id,
      published: instants ? instants.published[i]! : instant(bid.publishedAt),
      key: primary ? primary.of(bid, i) : null,
    };
  }
  keyed.sort(comparator(sort, primary?.direction ?? 1));
  const out: Bid[] = new Array(keyed.length);
  for (let i = 0; i < keyed.length; i++) out[i] = keyed[i]!.bid;
  return out;
}

/** The key before the tie-breaks, and its direction; null for newest/oldest (publication only). */
function primaryKey(
  sort: SortKey,
  nowMs: number,
  scores?: ReadonlyMap<string, number>,
  ranking?: RankingContext,
  instants?: KnownInstants,
): { of: (bid: Bid, index: number) => number | null; direction: 1 | -1 } | null {
  switch (sort) {
    case "newest":
    case "oldest":
      return null;
    case "value_desc":
      return { of: knownValue, direction: -1 };
    case "value_asc":
      return { of: knownValue, direction: 1 };
    case "closing_soon":
      return {
        of: (bid, index) => {
          const close = instants ? instants.close[index]! : instant(bid.proposalsCloseAt);
          return close !== null && close > nowMs ? close : null;
        },
        direction: 1,
      };
    case "relevance":
      // Higher first; a bid without a score counts as 0 (never "unknown").
      return { of: (bid) => scores?.get(bid.id) ?? 0, direction: -1 };
    case "best_fit":
      return { of: (bid) => bestFitRank(bid, nowMs, ranking), direction: -1 };
  }
}

/** The `best_fit` rank of a bid, in [0, 1] (formula at the top of the file). */
export function bestFitRank(bid: Bid, nowMs: number, ranking?: RankingContext): number {
  const density = ranking?.density ? clamp01(ranking.density(bid.object)) : 0;
  return (
    DENSITY_WEIGHT * density +
    VALUE_WEIGHT * valueFit(knownValue(bid), ranking?.typicalValue ?? null) +
    CLOSING_WEIGHT * closingFit(instant(bid.proposalsCloseAt), nowMs)
  );
}

function valueFit(value: number | null, range: { min: number; max: number } | null): number {
  if (value === null || !range || !Number.isFinite(value)) return NEUTRAL_VALUE_FIT;
  const min = Math.min(range.min, range.max);
  const max = Math.max(range.min, range.max);
  if (!(min > 0) || !Number.isFinite(max)) return NEUTRAL_VALUE_FIT;
  if (value >= min && value <= max) return 1;
  const orders = Math.abs(Math.log10(value < min ? min / value : value / max));
  return 1 / (1 + orders);
}

function closingFit(closeMs: number | null, nowMs: number): number {
  if (closeMs === null || closeMs <= nowMs) return 0;
  const days = (closeMs - nowMs) / DAY_MS;
  if (days < TOO_SOON_DAYS) return 0.25 + (0.75 * days) / TOO_SOON_DAYS;
  if (days <= SWEET_SPOT_END_DAYS) return 1;
  return SWEET_SPOT_END_DAYS / days;
}

function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0; // NaN → 0
}

type Compare = (a: Keyed, b: Keyed) => number;

function comparator(sort: SortKey, direction: 1 | -1): Compare {
  switch (sort) {
    case "newest":
      return newest;
    case "oldest":
      return (a, b) => then(nullsLast(a.published, b.published, 1), byId, a, b);
    default:
      return (a, b) => then(nullsLast(a.key, b.key, direction), newest, a, b);
  }
}

/** `result` unless it is exactly 0 (a NaN is returned as is, as a comparator chain does). */
function then(result: number, next: Compare, a: Keyed, b: Keyed): number {
  return result !== 0 ? result : next(a, b);
}

const byId: Compare = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const newest: Compare = (a, b) => then(nullsLast(a.published, b.published, -1), byId, a, b);

function instant(value: string | null): number | null {
  if (value === null) return null;
  const ms = parseInstant(value);
  return Number.isNaN(ms) ? null : ms;
}

function knownValue(bid: Bid): number | null {
  return bid.estimatedValue !== null && bid.estimatedValue > 0 ? bid.estimatedValue : null;
}

/** Known values first, ordered by `direction`; unknown (null) last. */
function nullsLast(a: number | null, b: number | null, direction: 1 | -1): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return (a - b) * direction;
}
