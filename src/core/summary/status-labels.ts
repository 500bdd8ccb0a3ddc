import type { BidStatus } from "../bid.ts";

/** pt-BR label of a bid status, as shown in chat, the CLI and the Excel "Situação" column. */
export const BID_STATUS_LABELS: Readonly<Record<BidStatus, string>> = {
  recebendo_propostas: "Recebendo propostas",
  em_julgamento: "Em julgamento",
  encerrada: "Encerrada",
};

/** The pt-BR label of `status`. */
export function bidStatusLabel(status: BidStatus): string {
  return BID_STATUS_LABELS[status];
}

/** Lowercase plural labels, for counts and filter descriptions ("3 encerradas", "em julgamento"). */
export const BID_STATUS_PLURAL: Readonly<Record<BidStatus, string>> = {
  recebendo_propostas: "recebendo propostas",
  em_julgamento: "em julgamento",
  encerrada: "encerradas",
};
