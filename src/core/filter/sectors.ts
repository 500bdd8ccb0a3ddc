/**
 * The sector catalogue: one data file per sector in `./sectors/`, compiled here into `Sector`s (all
 * patterns in `keywords`, a content hash in `version`), plus the compiled matchers (once, on first use).
 *
 * Decision: the data are typed `.ts` modules, not JSON — they load the same under tsx and in the compiled
 * `dist/` build (no asset copying), and the type checker rejects a misspelt field or sector id.
 * `SECTOR_CATALOG_VERSION` hashes every sector's content and the decision rule's version, so editing a
 * list (or the rule in `sector-decision.ts`) re-tags the index and invalidates stored LLM verdicts.
 */
import { createHash } from "node:crypto";
import { SECTOR_IDS, type SectorId } from "../sectors.ts";
import { normalizeText } from "../text-fold.ts";
import { compileMatcher, type Matcher } from "./matcher.ts";
import type { Sector, SectorData } from "./sector-types.ts";
import { ALIMENTOS } from "./sectors/alimentos.ts";
import { ENGENHARIA } from "./sectors/engenharia.ts";
import { ENGENHARIA_RODOVIARIA } from "./sectors/engenharia-rodoviaria.ts";
import { EQUIPAMENTOS_MEDICOS } from "./sectors/equipamentos-medicos.ts";
import { FACILITIES } from "./sectors/facilities.ts";
import { FROTA_VEICULAR } from "./sectors/frota-veicular.ts";
import { INFORMATICA } from "./sectors/informatica.ts";
import { INSUMOS_HOSPITALARES } from "./sectors/insumos-hospitalares.ts";
import { MANUTENCAO_PREDIAL } from "./sectors/manutencao-predial.ts";
import { MATERIAIS_ELETRICOS } from "./sectors/materiais-eletricos.ts";
import { MATERIAIS_HIDRAULICOS } from "./sectors/materiais-hidraulicos.ts";
import { MEDICAMENTOS } from "./sectors/medicamentos.ts";
import { MOBILIARIO } from "./sectors/mobiliario.ts";
import { PAPELARIA } from "./sectors/papelaria.ts";
import { PRODUTOS_LIMPEZA } from "./sectors/produtos-limpeza.ts";
import { SAUDE } from "./sectors/saude.ts";
import { SOFTWARE } from "./sectors/software.ts";
import { SOFTWARE_LICENCAS } from "./sectors/software-licencas.ts";
import { TRANSPORTE } from "./sectors/transporte.ts";
import { VESTUARIO } from "./sectors/vestuario.ts";
import { VIGILANCIA } from "./sectors/vigilancia.ts";

export type { Sector, SectorData } from "./sector-types.ts";

/**
 * Version of the decision rule in `sector-decision.ts` (field rule, ambiguous words, vetoes, includes).
 * Bump it when that file changes what it decides: it is part of every sector's version.
 */
export const SECTOR_RULES_VERSION = "object-decides-1";

const DATA: Readonly<Record<SectorId, SectorData>> = {
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
  software_licencas: SOFTWARE_LICENCAS,
  produtos_limpeza: PRODUTOS_LIMPEZA,
  medicamentos: MEDICAMENTOS,
  equipamentos_medicos: EQUIPAMENTOS_MEDICOS,
  insumos_hospitalares: INSUMOS_HOSPITALARES,
  frota_veicular: FROTA_VEICULAR,
  engenharia_rodoviaria: ENGENHARIA_RODOVIARIA,
  materiais_eletricos: MATERIAIS_ELETRICOS,
  materiais_hidraulicos: MATERIAIS_HIDRAULICOS,
};

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** What decides a sector's matches (display fields — name, examples — do not change any verdict). */
function decidingContent(data: SectorData): unknown {
  const { words, phrases, ambiguous, exclusions, vetoes, includes } = data;
  const included = (includes ?? []).map((id) => decidingContent(DATA[id]));
  return [data.id, SECTOR_RULES_VERSION, words, phrases, ambiguous, exclusions, vetoes, included];
}

function compile(data: SectorData): Sector {
  return {
    ...data,
    keywords: [...data.words, ...data.phrases, ...data.ambiguous],
    version: hash(JSON.stringify(decidingContent(data))),
  };
}

/** Every sector by id. */
export const SECTORS: Readonly<Record<SectorId, Sector>> = Object.fromEntries(
  SECTOR_IDS.map((id) => [id, compile(DATA[id])]),
) as Record<SectorId, Sector>;

/** Hash of every sector's version: a change makes every index tag and stored verdict stale. */
export const SECTOR_CATALOG_VERSION: string = hash(SECTOR_IDS.map((id) => SECTORS[id].version).join(","));

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

const prefilters = new Map<SectorId, Matcher>();

/** Every pattern of the sector and of the sectors it includes, without exclusions: no hit here, no match. */
function allPatterns(id: SectorId): string[] {
  const sector = SECTORS[id];
  return [...sector.keywords, ...(sector.includes ?? []).flatMap(allPatterns)];
}

/**
 * A cheap first pass for the filter: a bid whose object has no hit of this matcher cannot be in the sector
 * (exclusions only remove hits), so one scan rejects most bids. Cached like {@link sectorMatcher}.
 */
export function sectorPrefilter(id: SectorId): Matcher {
  let matcher = prefilters.get(id);
  if (!matcher) {
    matcher = SECTORS[id].includes?.length
      ? compileMatcher({ keywords: allPatterns(id) })
      : sectorMatcher(id);
    prefilters.set(id, matcher);
  }
  return matcher;
}

const vetoMatchers = new Map<SectorId, Matcher | null>();

/** The sector's vetoes as a matcher (null when it has none); cached like {@link sectorMatcher}. */
export function sectorVetoMatcher(id: SectorId): Matcher | null {
  let matcher = vetoMatchers.get(id);
  if (matcher === undefined) {
    const { vetoes } = SECTORS[id];
    matcher = vetoes.length > 0 ? compileMatcher({ keywords: vetoes }) : null;
    vetoMatchers.set(id, matcher);
  }
  return matcher;
}

const ambiguousSets = new Map<SectorId, ReadonlySet<string>>();

/** The sector's ambiguous patterns, as written (the labels `Matcher` reports in `hits`). */
export function sectorAmbiguous(id: SectorId): ReadonlySet<string> {
  let set = ambiguousSets.get(id);
  if (!set) {
    set = new Set(SECTORS[id].ambiguous.map((pattern) => pattern.trim()));
    ambiguousSets.set(id, set);
  }
  return set;
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
