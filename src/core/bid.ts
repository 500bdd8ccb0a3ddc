/**
 * The one normalized shape of a PNCP contratação that the whole app works with.
 * Built by `src/core/pncp/normalize.ts` from a raw `/v1/contratacoes/*` record.
 */

/** Lifecycle of a bid as a supplier sees it, inferred from dates, results and situação. */
export type BidStatus = "recebendo_propostas" | "em_julgamento" | "encerrada";

export const BID_STATUSES: readonly BidStatus[] = ["recebendo_propostas", "em_julgamento", "encerrada"];

/** `orgaoEntidade.esferaId`: F Federal, E Estadual, M Municipal, D Distrital. */
export type Esfera = "F" | "E" | "M" | "D";

export interface Bid {
  /** `numeroControlePNCP`, e.g. `44935278000126-1-000343/2025`; unique key. */
  id: string;
  /** `objetoCompra`, whitespace collapsed. */
  object: string;
  /** `informacaoComplementar` (may be long), or null. */
  details: string | null;
  /** `orgaoEntidade.razaoSocial`, else the unit name. */
  agency: string;
  /** Agency CNPJ (14 chars; may become alphanumeric in 2026). */
  cnpj: string;
  /** `unidadeOrgao.nomeUnidade`. */
  unit: string | null;
  /** `unidadeOrgao.ufSigla`, else the UF that was queried. */
  uf: string | null;
  municipality: string | null;
  /** IBGE municipality code as a string (7 digits). */
  ibgeCode: string | null;
  esfera: Esfera | null;
  modalityId: number;
  modalityName: string;
  /**
   * `valorTotalEstimado`; null when missing. A 0 is kept as 0: PNCP sends it for a confidential budget
   * (`orcamentoSigiloso`, "sigiloso"). Neither is a known value: see {@link knownValue}.
   */
  estimatedValue: number | null;
  homologatedValue: number | null;
  /** ISO-8601 UTC instants (PNCP sends Brasília local time without offset). */
  publishedAt: string | null;
  proposalsOpenAt: string | null;
  proposalsCloseAt: string | null;
  situationId: number | null;
  situationName: string | null;
  status: BidStatus;
  /**
   * The link every renderer shows ("Abrir no PNCP"): always the PNCP page, the same as `pncpUrl`.
   * Decision: the source system's link is often a generic portal home page (or `""`/`"string"`), while
   * the PNCP page always resolves and links onward; so the source link lives apart in `sourceUrl`.
   */
  link: string;
  /**
   * The bid's public PNCP page, built as PNCP's site does:
   * `https://pncp.gov.br/app/editais/{cnpj}/{anoCompra}/{sequencialCompra}` (sequencial unpadded).
   */
  pncpUrl: string;
  /** `linkSistemaOrigem` (ComprasNet, BNC, …) when it is a real http(s) URL; null for `""`/`"string"`/missing. */
  sourceUrl: string | null;
  /** `srp`: true for a registro de preços; null when PNCP did not say. */
  srp: boolean | null;
  /** Publishing system (`usuarioNome`), e.g. "Compras.gov.br". */
  source: string | null;
}

/**
 * The estimated value when it is known (finite and above 0), else null. PNCP's 0 means a confidential
 * budget ("sigiloso") and null "não informado": both stay out of totals and of "com valor informado".
 */
export function knownValue(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? value : null;
}
