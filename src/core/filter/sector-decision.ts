/**
 * Whether a bid belongs to a sector — the one decision the live filter, the index tags, the explain command
 * and the LLM arbiter share.
 *
 * Decisions (issue 11, a bid analyst's reading):
 * - **The object decides.** `objetoCompra` must name the sector; `informacaoComplementar` may only
 *   confirm an ambiguous word, never decide alone (a clinic renovation whose complementary text names a
 *   "Dr. … Botas" is not Vestuário).
 * - **Ambiguous words need confirmation** (`SectorData.ambiguous`: "servidor", "bota", "sistema"): another
 *   hit of the sector in the object, or any hit in the complementary text.
 * - **Vetoes** in the object take the bid out of the sector (military uniforms are not Vestuário; a course
 *   about software is not software).
 * - **Includes**: a broad sector (`saude`) also takes every bid of its narrower ones (`medicamentos`).
 * - **Weak matches** (only ambiguous words, one single-word hit in a long object, or evidence only in the
 *   complementary text) are marked `weak`; with an LLM the arbiter's stored verdict overrides them, without
 *   one the deterministic decision here stands.
 * - Relevance of a match is 2 × object score + complementary score, as for user terms.
 */
import type { Bid } from "../bid.ts";
import type { SectorId } from "../sectors.ts";
import { tokenize } from "../text-fold.ts";
import type { MatchResult } from "./matcher.ts";
import { SECTORS, sectorAmbiguous, sectorMatcher, sectorPrefilter, sectorVetoMatcher } from "./sectors.ts";

/** Why a match is in the grey zone (sent to the arbiter when one is configured). */
export type WeakReason = "ambiguous_only" | "low_density" | "details_only";

/** The text fields of a bid the decision reads. */
export type SectorText = Pick<Bid, "id" | "object" | "details">;

/** Stored arbiter verdicts, looked up synchronously while filtering (filled before, see `arbiter/`). */
export interface SectorVerdictLookup {
  /** The arbiter's answer for this bid and sector (at the sector's current version), if any. */
  get(bidId: string, sector: SectorId): boolean | undefined;
}

/** The decision and its evidence. */
export interface SectorDecision {
  sector: SectorId;
  matched: boolean;
  /** Relevance when matched (2 × object score + complementary score), else 0. */
  score: number;
  /** The field whose evidence decided a match; null when not matched. */
  field: "objetoCompra" | "informacaoComplementar" | null;
  /** Distinct patterns found in the object / the complementary text, as written in the data. */
  objectHits: string[];
  detailsHits: string[];
  /** The veto phrase found in the object, if any (then `matched` is false). */
  veto: string | null;
  /** Set when the match is in the grey zone; null for clear decisions. */
  weak: WeakReason | null;
  /** The included (narrower) sector whose match made this one, when the sector's own lists did not. */
  via: SectorId | null;
  /** True when an arbiter verdict decided instead of the rule. */
  arbitrated: boolean;
}

/** One single-word hit in an object this long (in words) is "low density". */
const LONG_OBJECT_WORDS = 30;

const NO_MATCH: Pick<MatchResult, "matched" | "hits" | "score"> = { matched: false, hits: [], score: 0 };

/** The decision for one bid and sector; `verdicts` (optional) override weak matches. */
export function decideSector(
  sector: SectorId,
  bid: SectorText,
  verdicts?: SectorVerdictLookup,
): SectorDecision {
  const own = decideOwn(sector, bid);
  let decision = own;
  // A clear match of the sector's own lists needs no look at the narrower sectors it includes.
  if (!own.veto && (!own.matched || own.weak !== null)) {
    for (const child of SECTORS[sector].includes ?? []) {
      const sub = decideSector(child, bid);
      if (sub.matched && (!decision.matched || (decision.weak !== null && sub.weak === null))) {
        decision = { ...sub, sector, via: sub.via ?? child, score: Math.max(sub.score, own.score) };
      }
    }
  }
  if (decision.weak !== null && verdicts) {
    const verdict = verdicts.get(bid.id, sector);
    if (verdict !== undefined) return withVerdict(decision, verdict);
  }
  return decision;
}

/** Relevance score of a bid for a sector, or null when it is not in the sector (the filter's call). */
export function sectorScore(
  sector: SectorId,
  bid: SectorText,
  verdicts?: SectorVerdictLookup,
): number | null {
  // Fast path: a match needs a hit of the sector (or of one it includes) in the object, unless the arbiter
  // already decided this bid — so one scan of the object rejects most bids.
  if (verdicts?.get(bid.id, sector) === undefined && !sectorPrefilter(sector).match(bid.object).matched) {
    return null;
  }
  const decision = decideSector(sector, bid, verdicts);
  return decision.matched ? decision.score : null;
}

function decideOwn(sector: SectorId, bid: SectorText): SectorDecision {
  const base: SectorDecision = {
    sector,
    matched: false,
    score: 0,
    field: null,
    objectHits: [],
    detailsHits: [],
    veto: null,
    weak: null,
    via: null,
    arbitrated: false,
  };
  const matcher = sectorMatcher(sector);
  const inObject = matcher.match(bid.object);
  const inDetails = bid.details ? matcher.match(bid.details) : NO_MATCH;
  if (!inObject.matched && !inDetails.matched) return base;
  const veto = sectorVetoMatcher(sector)?.match(bid.object);
  if (veto?.matched) return { ...base, veto: veto.hits[0] ?? null };
  const found = { ...base, objectHits: inObject.hits, detailsHits: inDetails.hits };
  const score = 2 * inObject.score + inDetails.score;
  const ambiguous = sectorAmbiguous(sector);
  if (!inObject.matched) {
    // Only a clear word of the sector in the complementary text is worth asking about (boilerplate such as
    // "sistema Compras.gov.br" is not).
    const clearInDetails = inDetails.hits.some((hit) => !ambiguous.has(hit));
    return clearInDetails ? { ...found, weak: "details_only" } : found;
  }
  const strong = inObject.hits.some((hit) => !ambiguous.has(hit));
  if (strong) {
    const weak = inObject.score === 1 && isLong(bid.object, inObject) ? "low_density" : null;
    return { ...found, matched: true, score, field: "objetoCompra", weak };
  }
  const confirmed = inObject.hits.length >= 2 || inDetails.matched;
  return confirmed
    ? { ...found, matched: true, score, field: "objetoCompra", weak: "ambiguous_only" }
    : { ...found, weak: "ambiguous_only" };
}

/** The matcher may report the text's word count (`tokens`); otherwise it is counted here. */
function isLong(text: string, result: object): boolean {
  const tokens = (result as { tokens?: unknown }).tokens;
  return (typeof tokens === "number" ? tokens : tokenize(text).length) >= LONG_OBJECT_WORDS;
}

function withVerdict(decision: SectorDecision, inSector: boolean): SectorDecision {
  if (!inSector) return { ...decision, matched: false, score: 0, field: null, arbitrated: true };
  const score = Math.max(decision.score, 1);
  const field = decision.objectHits.length > 0 ? "objetoCompra" : "informacaoComplementar";
  return { ...decision, matched: true, score, field, arbitrated: true };
}
