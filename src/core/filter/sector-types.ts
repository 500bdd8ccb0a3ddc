import type { SectorId } from "../sectors.ts";

/**
 * A market sector as data: one file per sector in `./sectors/` (`SectorData`), compiled once into a
 * `Sector` by `./sectors.ts`. Patterns are matched by `compileMatcher` (whole words, plurals automatic,
 * `prefix*` allowed, exclusions mask the span they cover). Write them in the singular as they appear in
 * PNCP `objetoCompra` texts; accents and case do not matter.
 */
export interface SectorData {
  id: SectorId;
  /** pt-BR display name, e.g. "Vestuário e Uniformes". */
  name: string;
  description: string;
  /** Where most of the sector's bids fall, in BRL (estimated value); read by the relevance sort. */
  typicalValue: { min: number; max: number };
  /** Single words that put a bid in the sector when `objetoCompra` names them. */
  words: readonly string[];
  /** Multi-word patterns with the same effect ("uniforme escolar", "papel a4"). */
  phrases: readonly string[];
  /**
   * Words or phrases with a second common meaning ("servidor", "bota", "sistema"): they count only when
   * something confirms them — another hit of the sector in `objetoCompra`, or one in
   * `informacaoComplementar`. A bid whose object has nothing else is a weak match (see the arbiter).
   */
  ambiguous: readonly string[];
  /** Phrases that must not count as a hit ("malha viária" is not clothing); they mask only the words they cover. */
  exclusions: readonly string[];
  /**
   * Phrases that, in `objetoCompra`, take the bid out of the sector whatever else it says — product
   * choices such as "Vestuário excludes military and combat uniforms", or services around the sector
   * ("curso de informática" is training, not IT equipment).
   */
  vetoes: readonly string[];
  /** Narrower sectors whose bids also belong here (`saude` includes `medicamentos`). */
  includes?: readonly SectorId[];
  /** Example searches shown by /setores. */
  examples: readonly string[];
  /**
   * Words that, typed alone, select this sector in the query parser (besides the id and the name):
   * "uniformes" → vestuario. Keep them few and unambiguous.
   */
  aliases: readonly string[];
}

/** A compiled sector: its data plus what is derived from it. */
export interface Sector extends SectorData {
  /**
   * Every pattern that can be a hit — `words`, `phrases` and `ambiguous` — as the matcher compiles them
   * (`compileMatcher({ keywords, exclusions })`) and the query parser reads them.
   */
  keywords: readonly string[];
  /** Content hash of this sector's data (its version): stored verdicts and index tags follow it. */
  version: string;
}
