/** Stable sector ids. Their names, keywords and exclusions live in `src/core/filter/sectors.ts`. */
export const SECTOR_IDS = [
  "vestuario",
  "alimentos",
  "informatica",
  "mobiliario",
  "papelaria",
  "engenharia",
  "software",
  "facilities",
  "saude",
  "vigilancia",
  "transporte",
  "manutencao_predial",
] as const;

export type SectorId = (typeof SECTOR_IDS)[number];
