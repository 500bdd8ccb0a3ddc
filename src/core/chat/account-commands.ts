import { formatBRL, formatDate, formatInt } from "../format.ts";
import { errorMessage } from "../messages.ts";
import type { AccountBilling, BillingInterval } from "../ports/billing.ts";
import type { IdentityInput, Plan } from "../ports/store.ts";
import { createUpgradeToken, upgradeUrl } from "../upgrade-token.ts";
import type { ChatDeps } from "./chat-deps.ts";
import type { IncomingCommand } from "./incoming-command.ts";
import type { LinkButton, Reply } from "./reply.ts";

/** The identity a command speaks for. */
export function identityOf(cmd: IncomingCommand): IdentityInput {
  return { platform: cmd.platform, userId: cmd.userId, teamId: cmd.teamId, displayName: cmd.displayName };
}

/** "Máquina — R$ 597,00/mês". */
export function planLabel(plan: Plan): string {
  return plan.priceCents === null ? plan.name : `${plan.name} (${formatBRL(plan.priceCents / 100)}/mês)`;
}

/** Stripe statuses of a subscription that is still paid for (usable, or in its grace period). */
const PAYING = new Set(["active", "trialing", "past_due", "unpaid"]);
const OVERDUE = new Set(["past_due", "unpaid"]);

/** The account's billing, or null (no Stripe here, none yet, or the store failed: buttons degrade). */
async function accountBilling(accountId: string, deps: ChatDeps): Promise<AccountBilling | null> {
  if (!deps.billing) return null;
  try {
    return await deps.billing.account(accountId);
  } catch (error) {
    deps.logger.warn({ err: error }, "billing_account_unavailable");
    return null;
  }
}

function tokenFor(cmd: IncomingCommand, accountId: string, plan: Plan, deps: ChatDeps): string {
  return createUpgradeToken(
    { accountId, planId: plan.id, notify: { platform: cmd.platform, chatId: cmd.chatId } },
    { secret: deps.upgrade.secret, now: deps.clock.now(), ttlHours: deps.upgrade.ttlHours },
  );
}

/** A link to the Stripe customer portal of `accountId` ("Gerenciar assinatura", "Regularizar pagamento"). */
export function portalButton(
  cmd: IncomingCommand,
  accountId: string,
  plan: Plan,
  label: string,
  deps: ChatDeps,
): LinkButton {
  const token = tokenFor(cmd, accountId, plan, deps);
  return { label, url: `${deps.upgrade.publicBaseUrl}/billing/portal?token=${encodeURIComponent(token)}` };
}

/** The account that pays for `plan` here: the team's for a team plan (null outside a team). */
async function buyerOf(
  cmd: IncomingCommand,
  accountId: string,
  plan: Plan,
  deps: ChatDeps,
): Promise<string | null> {
  if (!plan.team) return accountId;
  if (!cmd.teamId) return null;
  return deps.store.resolveTeam(cmd.platform, cmd.teamId);
}

/**
 * A signed upgrade button for `plan`, notifying back into this conversation. A team plan names the team's
 * account (Slack workspace / Telegram group), so paying for it covers everyone there; outside a team
 * context there is no team to upgrade and no button (null). `interval` adds the yearly price choice.
 * When that account's subscription to this very plan is overdue, the button is the portal's
 * "Regularizar pagamento" instead (paying again would open a second subscription).
 */
export async function upgradeButton(
  cmd: IncomingCommand,
  accountId: string,
  plan: Plan,
  deps: ChatDeps,
  interval?: { interval: BillingInterval; label: string },
): Promise<LinkButton | null> {
  const target = await buyerOf(cmd, accountId, plan, deps);
  if (!target) return null;
  const billing = await accountBilling(target, deps);
  if (billing?.planId === plan.id && OVERDUE.has(billing.stripeStatus ?? "")) {
    return portalButton(cmd, target, plan, "Regularizar pagamento", deps);
  }
  const url = upgradeUrl(deps.upgrade.publicBaseUrl, tokenFor(cmd, target, plan, deps));
  return {
    label: `Assinar ${plan.name}${interval ? ` (${interval.label})` : ""}`,
    url: interval?.interval === "yearly" ? `${url}&interval=yearly` : url,
  };
}

/** Buttons for `plans`, skipping those that cannot apply here. */
export async function upgradeButtons(
  cmd: IncomingCommand,
  accountId: string,
  plans: Plan[],
  deps: ChatDeps,
): Promise<LinkButton[]> {
  const buttons = await Promise.all(plans.map((p) => upgradeButton(cmd, accountId, p, deps)));
  const seen = new Set<string>();
  return buttons.filter(
    (b): b is LinkButton => b !== null && !seen.has(b.label) && Boolean(seen.add(b.label)),
  );
}

function describePlan(plan: Plan, trial = false): string {
  return `${formatInt(plan.searchesPerMonth)} buscas${trial ? " no teste" : "/mês"}, até ${formatInt(plan.historyDays)} dias de histórico, ${plan.excel ? "planilha Excel" : "sem planilha Excel"}, ${formatInt(plan.perMinute)} buscas/minuto`;
}

/** /plano: plan, usage this month, reset date, trial days left, what the next plan adds. */
export async function planReply(cmd: IncomingCommand, deps: ChatDeps): Promise<Reply> {
  const now = deps.clock.now();
  const accountId = await deps.store.resolveIdentity(identityOf(cmd), now);
  const [status, plans] = await Promise.all([
    deps.store.getAccountStatus(accountId, now, cmd.teamId),
    deps.store.listPlans(),
  ]);
  const { plan } = status;
  const trial = plan.trialDays !== null;
  const lines = [
    `📦 Seu plano: ${planLabel(plan)}${plan.team && status.effectiveAccountId !== accountId ? " (da sua equipe)" : ""}`,
    trial
      ? `Buscas do teste: ${formatInt(status.used)} de ${formatInt(plan.searchesPerMonth)} (restam ${formatInt(status.remaining)}).`
      : `Buscas este mês: ${formatInt(status.used)} de ${formatInt(plan.searchesPerMonth)} (restam ${formatInt(status.remaining)}). Renovação: ${formatDate(status.resetsAt)}.`,
    `Inclui: ${describePlan(plan, trial)}.`,
  ];
  if (trial && status.trialEndsAt) {
    const days = Math.ceil((status.trialEndsAt.getTime() - now.getTime()) / 86_400_000);
    lines.push(
      days > 0
        ? `Teste grátis: ${days === 1 ? "falta 1 dia" : `faltam ${days} dias`} (até ${formatDate(status.trialEndsAt)}).`
        : `Teste grátis encerrado em ${formatDate(status.trialEndsAt)}.`,
    );
  } else if (status.periodEnd) {
    lines.push(`Assinatura válida até ${formatDate(status.periodEnd)}.`);
  }
  const manage = await manageButtons(cmd, status.effectiveAccountId, plan, deps, lines);
  const next = plans
    .filter((p) => p.rank > plan.rank && p.id !== "free_trial" && (!p.team || cmd.teamId))
    .sort((a, b) => a.rank - b.rank)[0];
  if (!next) return { kind: "text", text: lines.join("\n"), ...(manage.length ? { buttons: manage } : {}) };
  lines.push("", `⬆️ O plano ${planLabel(next)} oferece ${describePlan(next)}.`);
  return {
    kind: "upgrade",
    text: lines.join("\n"),
    buttons: [...manage, ...(await upgradeButtons(cmd, accountId, [next], deps))],
  };
}

/**
 * On a plan paid through Stripe: "Gerenciar assinatura" (a portal session created when opened), or
 * "Regularizar pagamento" with the grace date when the payment is overdue. Adds its lines to `lines`.
 */
async function manageButtons(
  cmd: IncomingCommand,
  accountId: string,
  plan: Plan,
  deps: ChatDeps,
  lines: string[],
): Promise<LinkButton[]> {
  if (plan.priceCents === null) return [];
  const billing = await accountBilling(accountId, deps);
  if (!billing?.customerId || !PAYING.has(billing.stripeStatus ?? "")) return [];
  if (OVERDUE.has(billing.stripeStatus ?? "")) {
    lines.push(
      billing.graceEndsAt && billing.graceEndsAt.getTime() > deps.clock.now().getTime()
        ? `⚠️ Pagamento pendente: regularize até ${formatDate(billing.graceEndsAt)} para não interromper as buscas.`
        : "⚠️ Pagamento pendente: as buscas estão suspensas até a regularização.",
    );
    return [portalButton(cmd, accountId, plan, "Regularizar pagamento", deps)];
  }
  if (billing.cancelAtPeriodEnd && billing.periodEnd) {
    lines.push(`Cancelamento agendado: o plano não renova depois de ${formatDate(billing.periodEnd)}.`);
  }
  return [portalButton(cmd, accountId, plan, "Gerenciar assinatura", deps)];
}

/** /assinar: the paid plans above the current one, as link buttons. */
export async function subscribeReply(cmd: IncomingCommand, deps: ChatDeps): Promise<Reply> {
  const now = deps.clock.now();
  const accountId = await deps.store.resolveIdentity(identityOf(cmd), now);
  const [status, plans] = await Promise.all([
    deps.store.getAccountStatus(accountId, now, cmd.teamId),
    deps.store.listPlans(),
  ]);
  const options = plans
    .filter(
      (p) => p.id !== "free_trial" && (p.rank > status.plan.rank || status.subscriptionStatus !== "active"),
    )
    .sort((a, b) => a.rank - b.rank);
  if (options.length === 0) {
    return {
      kind: "text",
      text: `Você já está no plano mais completo: ${planLabel(status.plan)}. Obrigado! 🙌`,
    };
  }
  const lines = ["💳 Planos Smart PNCP:", ""];
  for (const p of options)
    lines.push(`• ${planLabel(p)}: ${describePlan(p)}${p.team ? " (para a equipe toda)" : ""}`);
  if (!deps.billing) {
    // No Stripe on this server: list the plans, say how to get one (an administrator's `plan set`).
    lines.push("", errorMessage("BILLING_NOT_CONFIGURED"));
    return { kind: "text", text: lines.join("\n") };
  }
  const offers = await deps.billing.offers();
  const buttons: LinkButton[] = [];
  for (const p of options) {
    const intervals = offers.get(p.id) ?? [];
    if (intervals.length === 0) continue;
    const both = intervals.includes("yearly") && intervals.includes("monthly");
    for (const interval of intervals) {
      const label = interval === "yearly" ? "anual" : "mensal";
      const button = await upgradeButton(cmd, accountId, p, deps, both ? { interval, label } : undefined);
      if (button && !buttons.some((b) => b.url === button.url || b.label === button.label))
        buttons.push(button);
    }
  }
  buttons.unshift(...(await manageButtons(cmd, status.effectiveAccountId, status.plan, deps, lines)));
  lines.push(
    "",
    buttons.length > 0 ? "Toque em um plano para assinar." : errorMessage("BILLING_NOT_CONFIGURED"),
  );
  return { kind: "upgrade", text: lines.join("\n"), buttons };
}
