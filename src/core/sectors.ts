/**
 * Stable sector ids (contracts: `setor:<id>` in queries, index tags, stored verdicts). Their data — names,
 * keywords, exclusions, value ranges — lives in one file per sector in `src/core/filter/sectors/`.
 * The first twelve are the original catalogue; the rest complete the 20 sectors of the reference system
 * (`saude`, `software`, `facilities`, `transporte` and `engenharia` stand for its broader counterparts and
 * include the narrower new ones).
 */
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
  "software_licencas",
  "produtos_limpeza",
  "medicamentos",
  "equipamentos_medicos",
  "insumos_hospitalares",
  "frota_veicular",
  "engenharia_rodoviaria",
  "materiais_eletricos",
  "materiais_hidraulicos",
] as const;

export type SectorId = (typeof SECTOR_IDS)[number];
