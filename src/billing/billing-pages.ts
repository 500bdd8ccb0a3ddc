import type { ServerResponse } from "node:http";
import { escapeHtml, sendText } from "../server/http.ts";

/**
 * Our small pt-BR pages around Stripe: the upgrade link's plan page, Checkout's success and cancel pages,
 * the portal's return page and the friendly errors. Every user-visible word is pt-BR; nothing secret.
 */

/** A complete HTML page (escaped title; `body` is trusted markup built by us). */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#1f2937}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.5rem;text-align:left}.chosen{background:#ecfdf5;font-weight:600}</style></head><body>${body}</body></html>`;
}

/** Sends a one-paragraph page. */
export function sendPage(res: ServerResponse, status: number, title: string, paragraph: string): void {
  sendText(res, status, page(title, `<h1>Smart PNCP</h1><p>${escapeHtml(paragraph)}</p>`), "text/html");
}

/** 303 to Stripe (Checkout or portal). */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, "cache-control": "no-store", "content-length": 0 });
  res.end();
}

export const PAGE_TEXT = {
  success:
    "Pagamento enviado! Assim que o Stripe confirmar, o plano é ativado e você recebe a confirmação na conversa com o bot. Se pagou com boleto, isso acontece quando o banco compensar o pagamento (em geral até 3 dias úteis). Pode fechar esta página.",
  cancel:
    "O pagamento não foi concluído e nada foi cobrado. Para tentar de novo, volte à conversa com o bot e toque no botão de assinatura (ou envie /assinar).",
  portalReturn:
    "Pronto! Pode fechar esta página e voltar à conversa com o bot. Envie /plano para ver seu plano.",
  noPrice:
    "Este plano ainda não está à venda on-line neste servidor. Fale com o administrador do Smart PNCP ou tente outro plano com /assinar.",
  noCustomer:
    "Não encontrei uma assinatura paga on-line para esta conta. Para assinar, envie /assinar na conversa com o bot.",
  expired: "Este link de assinatura expirou. Peça um novo com /assinar na conversa com o bot.",
  invalid: "Link de assinatura inválido. Peça um novo com /assinar na conversa com o bot.",
} as const;
