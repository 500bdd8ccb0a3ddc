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
  /** `valorTotalEstimado`; null when missing (0 is kept: PNCP uses it for confidential budgets). */
  estimatedValue: number | null;
  homologatedValue: number | null;
  /** ISO-8601 UTC instants (PNCP sends Brasília local time without offset). */
  publishedAt: string | null;
  proposalsOpenAt: string | null;
  proposalsCloseAt: string | null;
  situationId: number | null;
  situationName: string | null;
  status: BidStatus;
  /** Bidding-platform URL when real, else the PNCP edital page. */
  link: string;
  /** Publishing system (`usuarioNome`), e.g. "Compras.gov.br". */
  source: string | null;
}
