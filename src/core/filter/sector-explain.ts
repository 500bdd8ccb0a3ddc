/**
 * Why a text is (or is not) in a sector, for `smart-pncp sectors explain`: the decision of
 * `sector-decision.ts` plus what it hides — the keywords the exclusions blanked and the exclusion phrases
 * found. Pure; the CLI only renders it.
 */
import type { SectorId } from "../sectors.ts";
import { compileMatcher, type Matcher } from "./matcher.ts";
import { decideSector, type SectorDecision } from "./sector-decision.ts";
import { SECTORS } from "./sectors.ts";

/** The decision with the masking made visible. */
export interface SectorExplanation extends SectorDecision {
  /** Exclusion phrases found in the object / complementary text. */
  objectExclusions: string[];
  detailsExclusions: string[];
  /** Keywords that would have counted in the object / complementary text had no exclusion covered them. */
  objectBlanked: string[];
  detailsBlanked: string[];
}

const unmasked = new Map<SectorId, { keywords: Matcher; exclusions: Matcher }>();

function matchersOf(sector: SectorId) {
  let pair = unmasked.get(sector);
  if (!pair) {
    const data = SECTORS[sector];
    pair = {
      keywords: compileMatcher({ keywords: data.keywords }),
      exclusions: compileMatcher({ keywords: data.exclusions }),
    };
    unmasked.set(sector, pair);
  }
  return pair;
}

/** Explains the decision for `object` (objetoCompra) and optional `details` (informacaoComplementar). */
export function explainSector(
  sector: SectorId,
  object: string,
  details: string | null = null,
): SectorExplanation {
  const decision = decideSector(sector, { id: "explain", object, details });
  const { keywords, exclusions } = matchersOf(sector);
  const blanked = (text: string | null, kept: readonly string[]) =>
    text ? keywords.match(text).hits.filter((hit) => !kept.includes(hit)) : [];
  return {
    ...decision,
    objectExclusions: exclusions.match(object).hits,
    detailsExclusions: details ? exclusions.match(details).hits : [],
    objectBlanked: blanked(object, decision.objectHits),
    detailsBlanked: blanked(details, decision.detailsHits),
  };
}
