/**
 * Status of a bid as a supplier sees it. PNCP's own situação is almost always "1 Divulgada no PNCP",
 * which says nothing about the proposal phase, so the status is inferred (rules in order, first wins):
 *
 * 1. situação 2 Revogada or 3 Anulada → `encerrada` (the process is over for good).
 * 2. situação 4 Suspensa → `em_julgamento`: a suspended process takes no proposals but is not over
 *    (it may resume, often with a new closing date), and "under review" is the honest bucket of the three.
 *    This wins over a homologated value: real records are suspended after homologation (Vitória 387/2025).
 * 3. A homologated value exists → `encerrada` (a result was published).
 * 4. Proposals close in the future → `recebendo_propostas` (also when they have not opened yet: a
 *    supplier can still prepare and send a proposal, which is what the filter is for).
 * 5. Proposals closed, no result: `em_julgamento`, unless they closed more than `STALE_JUDGING_DAYS` ago,
 *    then `encerrada` — PNCP often never receives the homologation, and a pregão "em julgamento" for half a
 *    year is effectively finished for a supplier.
 * 6. No closing date: direct hires (instrumento 3 "Ato que autoriza a Contratação Direta", or modalidade
 *    8 Dispensa / 9 Inexigibilidade / 14 Inaplicabilidade) have no proposal phase — the contractor is
 *    already chosen — so `encerrada`. Anything else without dates is `em_julgamento`: we cannot claim it
 *    is open, nor that it is over.
 */
import type { BidStatus } from "../bid.ts";

/** Days after the proposal deadline without a result after which a bid counts as `encerrada`. */
export const STALE_JUDGING_DAYS = 180;

const DIRECT_HIRE_MODALIDADES = new Set([8, 9, 14]);
const DIRECT_HIRE_INSTRUMENT = 3;

/** The fields status inference reads; a `Bid` satisfies it (instrumentCode is optional). */
export interface StatusInput {
  situationId: number | null;
  homologatedValue: number | null;
  /** ISO-8601 instant (UTC). */
  proposalsCloseAt: string | null;
  modalityId: number;
  /** `tipoInstrumentoConvocatorioCodigo` when known. */
  instrumentCode?: number | null;
}

/** Infers the bid status at `now` (rules in the module comment). Pure; safe to re-run with another clock. */
export function inferStatus(input: StatusInput, now: Date): BidStatus {
  if (input.situationId === 2 || input.situationId === 3) return "encerrada";
  if (input.situationId === 4) return "em_julgamento";
  if (input.homologatedValue !== null) return "encerrada";

  const closeMs = input.proposalsCloseAt ? Date.parse(input.proposalsCloseAt) : Number.NaN;
  if (!Number.isNaN(closeMs)) {
    const nowMs = now.getTime();
    if (closeMs > nowMs) return "recebendo_propostas";
    const staleMs = STALE_JUDGING_DAYS * 86_400_000;
    return nowMs - closeMs > staleMs ? "encerrada" : "em_julgamento";
  }

  const directHire =
    input.instrumentCode === DIRECT_HIRE_INSTRUMENT || DIRECT_HIRE_MODALIDADES.has(input.modalityId);
  return directHire ? "encerrada" : "em_julgamento";
}
