import { PAGE_TEXT, page, redirect, sendPage } from "../billing/billing-pages.ts";
import type { UpgradeBilling } from "../billing/create-billing.ts";
import type { Route } from "../bots/adapter.ts";
import type { ChatDeps } from "../core/chat/chat-deps.ts";
import { formatBRL, formatDate, formatInt } from "../core/format.ts";
import { errorMessage } from "../core/messages.ts";
import type { BillingInterval } from "../core/ports/billing.ts";
import type { ChatAddress } from "../core/ports/notifier.ts";
import type { Plan } from "../core/ports/store.ts";
import { verifyUpgradeToken } from "../core/upgrade-token.ts";
import { escapeHtml, sendText } from "./http.ts";

function planRow(plan: Plan, chosen: boolean): string {
  const price = plan.priceCents === null ? "grátis" : `${formatBRL(plan.priceCents / 100)}/mês`;
  return `<tr class="${chosen ? "chosen" : ""}"><td>${escapeHtml(plan.name)}</td><td>${escapeHtml(price)}</td><td>${formatInt(plan.searchesPerMonth)}</td><td>${formatInt(plan.historyDays)} dias</td><td>${plan.excel ? "sim" : "não"}</td></tr>`;
}

const CHAT_PLATFORMS = new Set(["slack", "telegram", "whatsapp"]);

/**
 * GET /upgrade?token=…[&interval=yearly]: verifies the signed, expiring token (account, plan, chat to
 * notify). With Stripe configured it creates a Checkout Session for that plan and redirects (303) — or
 * to the customer portal when the account already pays for a subscription; `interval` only picks the
 * price (a user's choice, so it is not part of the signature). Without Stripe the page explains the plans
 * and that online payment is not set up here. A bad or expired token gets the friendly pt-BR page.
 */
export function upgradeRoute(deps: ChatDeps, secret: string, billing?: UpgradeBilling): Route {
  return {
    method: "GET",
    path: "/upgrade",
    async handle({ res, url }) {
      const token = url.searchParams.get("token") ?? "";
      const verified = verifyUpgradeToken(token, { secret, now: deps.clock.now() });
      if (!verified.ok) {
        const expired = verified.reason === "expired";
        sendPage(res, expired ? 410 : 400, "Link inválido", expired ? PAGE_TEXT.expired : PAGE_TEXT.invalid);
        return;
      }
      const plans = (await deps.store.listPlans()).sort((a, b) => a.rank - b.rank);
      const chosen = plans.find((p) => p.id === verified.payload.planId);
      const { notify, accountId } = verified.payload;
      // MONITORING.md business event: the user opened an upgrade link (a valid one).
      deps.logger.info(
        { event: "upgrade_clicked", accountId, planId: verified.payload.planId, platform: notify.platform },
        "upgrade_clicked",
      );
      deps.counters.metrics.inc("upgrade_clicks", {
        plan: verified.payload.planId,
        platform: notify.platform,
      });
      if (billing && chosen && chosen.priceCents !== null && CHAT_PLATFORMS.has(notify.platform)) {
        const interval: BillingInterval =
          url.searchParams.get("interval") === "yearly" ? "yearly" : "monthly";
        try {
          const account = await deps.billing?.account(accountId);
          const address: ChatAddress = {
            platform: notify.platform as ChatAddress["platform"],
            chatId: notify.chatId,
            teamId: notify.platform === "slack" ? (account?.teamId ?? null) : null,
          };
          const opened = await billing.open(accountId, chosen, interval, address);
          if (opened.ok) return redirect(res, opened.url);
          return sendPage(res, 404, "Plano indisponível", PAGE_TEXT.noPrice);
        } catch (error) {
          deps.logger.error({ err: error, planId: chosen.id }, "billing_checkout_failed");
          return sendPage(res, 502, "Tente de novo", errorMessage("BILLING_UNAVAILABLE"));
        }
      }
      const rows = plans.map((p) => planRow(p, p.id === chosen?.id)).join("");
      const how = billing
        ? "Para assinar, toque no botão de assinatura na conversa com o bot."
        : errorMessage("BILLING_NOT_CONFIGURED");
      const body = `<h1>Smart PNCP — planos</h1><p>Plano escolhido: <strong>${escapeHtml(chosen?.name ?? verified.payload.planId)}</strong>.</p><table><thead><tr><th>Plano</th><th>Preço</th><th>Buscas/mês</th><th>Histórico</th><th>Excel</th></tr></thead><tbody>${rows}</tbody></table><p>${escapeHtml(how)} Este link vale até ${formatDate(verified.payload.expiresAt)}.</p>`;
      sendText(res, 200, page("Planos Smart PNCP", body), "text/html");
    },
  };
}
