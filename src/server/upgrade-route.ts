import type { Route } from "../bots/adapter.ts";
import type { ChatDeps } from "../core/chat/chat-deps.ts";
import { formatBRL, formatDate, formatInt } from "../core/format.ts";
import type { Plan } from "../core/ports/store.ts";
import { verifyUpgradeToken } from "../core/upgrade-token.ts";
import { escapeHtml, sendText } from "./http.ts";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#1f2937}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:.5rem;text-align:left}.chosen{background:#ecfdf5;font-weight:600}</style></head><body>${body}</body></html>`;
}

function planRow(plan: Plan, chosen: boolean): string {
  const price = plan.priceCents === null ? "grátis" : `${formatBRL(plan.priceCents / 100)}/mês`;
  return `<tr class="${chosen ? "chosen" : ""}"><td>${escapeHtml(plan.name)}</td><td>${escapeHtml(price)}</td><td>${formatInt(plan.searchesPerMonth)}</td><td>${formatInt(plan.historyDays)} dias</td><td>${plan.excel ? "sim" : "não"}</td></tr>`;
}

/**
 * GET /upgrade?token=…: verifies the signed, expiring token and explains the plans, highlighting the one
 * offered. The billing issue replaces the explanation with a Stripe Checkout redirect.
 */
export function upgradeRoute(deps: ChatDeps, secret: string): Route {
  return {
    method: "GET",
    path: "/upgrade",
    async handle({ res, url }) {
      const token = url.searchParams.get("token") ?? "";
      const verified = verifyUpgradeToken(token, { secret, now: deps.clock.now() });
      if (!verified.ok) {
        const why =
          verified.reason === "expired"
            ? "Este link de assinatura expirou. Peça um novo com /assinar na conversa com o bot."
            : "Link de assinatura inválido. Peça um novo com /assinar na conversa com o bot.";
        sendText(
          res,
          verified.reason === "expired" ? 410 : 400,
          page("Link inválido", `<h1>Smart PNCP</h1><p>${why}</p>`),
          "text/html",
        );
        return;
      }
      const plans = (await deps.store.listPlans()).sort((a, b) => a.rank - b.rank);
      const chosen = plans.find((p) => p.id === verified.payload.planId);
      const rows = plans.map((p) => planRow(p, p.id === chosen?.id)).join("");
      const body = `<h1>Smart PNCP — planos</h1><p>Plano escolhido: <strong>${escapeHtml(chosen?.name ?? verified.payload.planId)}</strong>.</p><table><thead><tr><th>Plano</th><th>Preço</th><th>Buscas/mês</th><th>Histórico</th><th>Excel</th></tr></thead><tbody>${rows}</tbody></table><p>O pagamento on-line estará disponível em breve. Este link vale até ${formatDate(verified.payload.expiresAt)}.</p>`;
      sendText(res, 200, page("Planos Smart PNCP", body), "text/html");
    },
  };
}
