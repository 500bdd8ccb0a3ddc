/**
 * The sector catalogue: names, keywords, exclusions and examples for every `SectorId`, plus the
 * compiled matcher of each sector (compiled once, on first use).
 */
import { SECTOR_IDS, type SectorId } from "../sectors.ts";
import { normalizeText } from "../text-fold.ts";
import { compileMatcher, type Matcher } from "./matcher.ts";
import { ALIMENTOS, INFORMATICA, MOBILIARIO, PAPELARIA, VESTUARIO } from "./sector-data-goods.ts";
import { SAUDE } from "./sector-data-health.ts";
import { SOFTWARE, TRANSPORTE, VIGILANCIA } from "./sector-data-services.ts";
import { ENGENHARIA, FACILITIES, MANUTENCAO_PREDIAL } from "./sector-data-works.ts";
import type { Sector } from "./sector-types.ts";

export type { Sector } from "./sector-types.ts";

/** Every sector by id. */
export const SECTORS: Readonly<Record<SectorId, Sector>> = {
  vestuario: VESTUARIO,
  alimentos: ALIMENTOS,
  informatica: INFORMATICA,
  mobiliario: MOBILIARIO,
  papelaria: PAPELARIA,
  engenharia: ENGENHARIA,
  software: SOFTWARE,
  facilities: FACILITIES,
  saude: SAUDE,
  vigilancia: VIGILANCIA,
  transporte: TRANSPORTE,
  manutencao_predial: MANUTENCAO_PREDIAL,
};

const matchers = new Map<SectorId, Matcher>();

/** The compiled matcher of a sector; compiled on first call and cached for the process lifetime. */
export function sectorMatcher(id: SectorId): Matcher {
  let matcher = matchers.get(id);
  if (!matcher) {
    const sector = SECTORS[id];
    matcher = compileMatcher({ keywords: sector.keywords, exclusions: sector.exclusions });
    matchers.set(id, matcher);
  }
  return matcher;
}

let aliasIndex: Map<string, SectorId> | null = null;

/**
 * The sector a piece of user text names exactly — its id (`manutencao_predial`), its name
 * ("Vestuário e Uniformes") or one of its aliases ("uniformes", "informática") — accents and case
 * ignored; null otherwise. Ordinary keywords ("jaleco") do not name a sector.
 */
export function sectorByName(text: string): SectorId | null {
  if (!aliasIndex) {
    aliasIndex = new Map();
    for (const id of SECTOR_IDS) {
      const sector = SECTORS[id];
      for (const name of [id, sector.name, ...sector.aliases]) aliasIndex.set(normalizeText(name), id);
    }
  }
  return aliasIndex.get(normalizeText(text)) ?? null;
}
