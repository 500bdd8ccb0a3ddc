import { formatBRL, formatDate, formatInt } from "../format.ts";
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

/**
 * A signed upgrade button for `plan`, notifying back into this conversation. A team plan names the team's
 * account (Slack workspace / Telegram group), so paying for it covers everyone there; outside a team
 * context there is no team to upgrade and no button (null).
 */
export async function upgradeButton(
  cmd: IncomingCommand,
  accountId: string,
  plan: Plan,
  deps: ChatDeps,
): Promise<LinkButton | null> {
  let target = accountId;
  if (plan.team) {
    if (!cmd.teamId) return null;
    target = await deps.store.resolveTeam(cmd.platform, cmd.teamId);
  }
  const token = createUpgradeToken(
    { accountId: target, planId: plan.id, notify: { platform: cmd.platform, chatId: cmd.chatId } },
    { secret: deps.upgrade.secret, now: deps.clock.now(), ttlHours: deps.upgrade.ttlHours },
  );
  return { label: `Assinar ${plan.name}`, url: upgradeUrl(deps.upgrade.publicBaseUrl, token) };
}

/** Buttons for `plans`, skipping those that cannot apply here. */
export async function upgradeButtons(
  cmd: IncomingCommand,
  accountId: string,
  plans: Plan[],
  deps: ChatDeps,
): Promise<LinkButton[]> {
  const buttons = await Promise.all(plans.map((p) => upgradeButton(cmd, accountId, p, deps)));
  return buttons.filter((b): b is LinkButton => b !== null);
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
  const next = plans
    .filter((p) => p.rank > plan.rank && p.id !== "free_trial" && (!p.team || cmd.teamId))
    .sort((a, b) => a.rank - b.rank)[0];
  if (!next) return { kind: "text", text: lines.join("\n") };
  lines.push("", `⬆️ O plano ${planLabel(next)} oferece ${describePlan(next)}.`);
  return {
    kind: "upgrade",
    text: lines.join("\n"),
    buttons: await upgradeButtons(cmd, accountId, [next], deps),
  };
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
  lines.push("", "Toque em um plano para assinar.");
  return {
    kind: "upgrade",
    text: lines.join("\n"),
    buttons: await upgradeButtons(cmd, accountId, options, deps),
  };
}
