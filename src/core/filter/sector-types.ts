import type { SectorId } from "../sectors.ts";

/**
 * A market sector as data. Keywords and exclusions are matched by `compileMatcher` (whole words,
 * plurals automatic, `prefix*` allowed, exclusions mask the span they cover). Write keywords in the
 * singular as they appear in PNCP `objetoCompra` texts; accents and case do not matter.
 */
export interface Sector {
  id: SectorId;
  /** pt-BR display name, e.g. "Vestuário e Uniformes". */
  name: string;
  description: string;
  keywords: readonly string[];
  /** Ambiguous phrases that must not count as a keyword hit ("malha viária" is not clothing). */
  exclusions: readonly string[];
  /** Example searches shown by /setores. */
  examples: readonly string[];
  /**
   * Words that, typed alone, select this sector in the query parser (besides the id and the name):
   * "uniformes" → vestuario. Keep them few and unambiguous.
   */
  aliases: readonly string[];
}
