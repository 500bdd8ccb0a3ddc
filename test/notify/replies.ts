/** Replies shared by the notifier and outbox tests: a billing text, results with their file, an upgrade. */
import type { Reply } from "../../src/core/chat/reply.ts";
import { XLSX_MIME } from "../../src/core/chat/reply.ts";

export const BILLING_TEXT: Reply = {
  kind: "text",
  text: "✅ Plano Máquina ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.",
};

export const UPGRADE: Reply = {
  kind: "upgrade",
  text: "Pagamento pendente. Regularize para continuar buscando.",
  buttons: [{ label: "Regularizar pagamento", url: "https://pncp.example.com/upgrade?token=abc" }],
};

export function results(fileFollows = true): Extract<Reply, { kind: "results" }> {
  return {
    kind: "results",
    text: "3 licitações novas para o seu alerta uniformes SP",
    headline: "3 licitações novas",
    description: "uniformes · SP",
    summary: {
      text: "Três novas licitações de uniformes em SP.",
      highlights: [],
      alert: null,
      source: "fallback",
    },
    totals: { count: 3, withValue: 1, totalValue: 1234.56, closingSoon: 0 },
    bids: [
      {
        title: "Uniformes escolares",
        value: "R$ 1.234,56",
        agency: "Prefeitura de Campinas",
        uf: "SP",
        municipality: "Campinas",
        closesAt: "10/12/2026 10:00",
        status: "Recebendo propostas",
        link: "https://pncp.gov.br/app/editais/1/2026/1",
      },
    ],
    more: 2,
    notes: [],
    partial: false,
    fileFollows,
  };
}

export function xlsx(bytes = 2048): Extract<Reply, { kind: "file" }> {
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + 7) % 251;
  return {
    kind: "file",
    filename: "alerta-uniformes-2026-12-01.xlsx",
    mimeType: XLSX_MIME,
    data,
    caption: "📎 Planilha com as 3 licitações",
  };
}
