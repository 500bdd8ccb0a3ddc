/**
 * `/alerta` and `/alertas` in chat: save a query as an alert (how it was understood, how many bids it
 * would have matched in the last 7 days, instant or daily), list, pause, resume, re-schedule, remove.
 *
 * Decisions:
 * - In a Slack channel or Telegram group the alert belongs to the chat: it posts there, everyone there
 *   sees and manages it in `/alertas`, and it counts against the plan that applies in that chat (the
 *   team's account when a live team plan covers it, as for searches). In a DM it is personal.
 * - Buttons name alerts by id (`#17`), typed commands by their position in `/alertas`; either way only
 *   alerts of the chat the command came from can be touched.
 * - Saving an alert costs no search; the 7-day preview reads the local index only (no PNCP call).
 */
import { identityOf, upgradeButtons } from "../chat/account-commands.ts";
import type { ChatDeps } from "../chat/chat-deps.ts";
import type { IncomingCommand } from "../chat/incoming-command.ts";
import type { Button, Reply } from "../chat/reply.ts";
import { interpretQuery } from "../chat/search-command.ts";
import { suggestUpgrade } from "../entitlements/suggest-upgrade.ts";
import { filterBids } from "../filter/filter.ts";
import { cleanTerms } from "../filter/terms.ts";
import { formatInt, plural } from "../format.ts";
import { termPatterns } from "../index/search-text.ts";
import { errorMessage } from "../messages.ts";
import type { Alert, AlertPatch, AlertStore } from "../ports/alert-store.ts";
import type { ChatAddress } from "../ports/notifier.ts";
import type { AccountStatus, Plan } from "../ports/store.ts";
import type { SearchQuery } from "../search-query.ts";
import { addDays, saoPauloDate } from "../time.ts";
import { type AlertArgs, type AlertRef, readAlertArgs } from "./alert-args.ts";
import {
  alertLabel,
  describeAlertQuery,
  listButtons,
  listText,
  scheduleButtons,
  scheduleText,
} from "./alert-texts.ts";
import { suggestAlertUpgrade } from "./alert-upgrade.ts";
import { DEFAULT_DIGEST_HOUR } from "./digest-schedule.ts";

/** What the alert commands add to the chat core's ports. */
export interface AlertChatDeps {
  /** Absent: `/alerta` answers that alerts are not enabled here. */
  alerts?: AlertStore | null;
}

type Deps = ChatDeps & AlertChatDeps;

/** Days the preview counts. */
const PREVIEW_DAYS = 7;
const LIVE_STATUSES: ReadonlySet<AccountStatus["subscriptionStatus"]> = new Set([
  "trialing",
  "active",
  "past_due",
]);

const NOT_ENABLED = "Os alertas não estão ativados nesta instalação do Smart PNCP.";
const NO_PLATFORM = "Alertas funcionam no Slack, no Telegram e no WhatsApp.";

function usage(): string {
  return [
    "Diga o que acompanhar depois de /alerta. Exemplos:",
    "/alerta uniformes SC",
    "/alerta setor:saude RJ acima de 100 mil diário 18h",
    "/alerta pregão informática SP instantâneo lembrete",
    "",
    "Veja e gerencie os seus com /alertas.",
  ].join("\n");
}

function addressOf(cmd: IncomingCommand): ChatAddress | null {
  if (cmd.platform === "cli") return null;
  return {
    platform: cmd.platform,
    chatId: cmd.chatId,
    teamId: cmd.teamId,
    ...(cmd.threadId ? { threadId: cmd.threadId } : {}),
  };
}

/** The plan that applies to alerts saved by `cmd` here, with its capabilities from `plans`. */
async function alertPlan(
  cmd: IncomingCommand,
  deps: Deps,
): Promise<{ personalId: string; ownerId: string; status: AccountStatus; plan: Plan; plans: Plan[] }> {
  const now = deps.clock.now();
  const personalId = await deps.store.resolveIdentity(identityOf(cmd), now);
  const context = cmd.isPrivate ? null : cmd.teamId;
  const [status, plans] = await Promise.all([
    deps.store.getAccountStatus(personalId, now, context),
    deps.store.listPlans(),
  ]);
  const plan = plans.find((p) => p.id === status.plan.id) ?? status.plan;
  return { personalId, ownerId: status.effectiveAccountId, status, plan, plans };
}

/** The query an alert keeps: its period is meaningless (alerts are about new bids) and left as parsed. */
function previewQuery(query: SearchQuery, now: Date): SearchQuery {
  const today = saoPauloDate(now);
  return { ...query, from: addDays(today, -(PREVIEW_DAYS - 1)), to: today };
}

/** How many bids of the last 7 days the alert would have matched, from the local index (null: no index). */
async function previewCount(query: SearchQuery, deps: Deps): Promise<number | null> {
  if (!deps.index) return null;
  const now = deps.clock.now();
  const q = previewQuery(query, now);
  const terms = cleanTerms(q.terms);
  const sectorOnly = terms.length === 0 && q.sector !== null;
  try {
    const { bids } = await deps.index.candidates(
      {
        ufs: q.ufs,
        modalidades: q.modalidades,
        from: q.from,
        to: q.to,
        openOnly: false,
        sector: sectorOnly ? q.sector : null,
        terms: termPatterns(terms),
        minValue: q.minValue,
        maxValue: q.maxValue,
        withDetails: !sectorOnly,
      },
      now,
    );
    return filterBids(bids, sectorOnly ? { ...q, sector: null } : q, now).bids.length;
  } catch (error) {
    deps.logger.warn({ err: error }, "alert_preview_failed");
    return null;
  }
}

async function refusal(
  cmd: IncomingCommand,
  deps: Deps,
  accountId: string,
  text: string,
  upgrade: Plan | null,
): Promise<Reply> {
  const buttons = upgrade ? await upgradeButtons(cmd, accountId, [upgrade], deps) : [];
  return { kind: "upgrade", text, buttons };
}

async function createAlert(
  cmd: IncomingCommand,
  args: Extract<AlertArgs, { kind: "create" }>,
  alerts: AlertStore,
  deps: Deps,
): Promise<Reply[]> {
  const address = addressOf(cmd);
  if (!address) return [{ kind: "text", text: NO_PLATFORM }];
  if (args.text === "") return [{ kind: "text", text: usage() }];
  const parsed = await interpretQuery(args.text, deps);
  const { ownerId, status, plan, plans } = await alertPlan(cmd, deps);
  const isTeam = plan.team;
  if (!LIVE_STATUSES.has(status.subscriptionStatus)) {
    const upgrade = suggestUpgrade(plans, plan, { kind: "paid" }, isTeam);
    const code = plan.trialDays !== null ? "TRIAL_EXPIRED" : "PLAN_INACTIVE";
    return [
      await refusal(
        cmd,
        deps,
        ownerId,
        errorMessage(code, { plan, upgrade, trialEndsAt: status.trialEndsAt }),
        upgrade,
      ),
    ];
  }
  const limit = plan.alertsLimit ?? 0;
  const instantAllowed = plan.instantAlerts === true;
  const replies: Reply[] = [];
  let mode = args.mode ?? "daily";
  if (mode === "instant" && !instantAllowed) {
    const upgrade = suggestAlertUpgrade(plans, plan, { kind: "instant" }, isTeam);
    replies.push(
      await refusal(
        cmd,
        deps,
        ownerId,
        errorMessage("ALERT_INSTANT_NOT_IN_PLAN", { plan, upgrade }),
        upgrade,
      ),
    );
    mode = "daily";
  }
  const now = deps.clock.now();
  const created = await alerts.createAlert(
    {
      accountId: ownerId,
      address,
      scope: cmd.isPrivate ? "personal" : "channel",
      queryText: args.text.slice(0, 2000),
      query: parsed.query,
      mode,
      digestHour: args.digestHour ?? DEFAULT_DIGEST_HOUR,
      reminder: args.reminder,
    },
    limit,
    now,
  );
  if (!created.ok) {
    const upgrade = suggestAlertUpgrade(plans, plan, { kind: "alerts", count: created.count }, isTeam);
    deps.logger.info({ planId: plan.id, count: created.count, limit }, "alert_limit_reached");
    return [
      await refusal(
        cmd,
        deps,
        ownerId,
        errorMessage("ALERT_LIMIT", { plan, quota: limit, used: created.count, upgrade }),
        upgrade,
      ),
    ];
  }
  const { alert } = created;
  deps.logger.info({ alertId: alert.id, mode, scope: alert.scope }, "alert_created");
  const count = await previewCount(parsed.query, deps);
  const lines = [
    `🔔 Alerta salvo (${formatInt(created.count)} de ${formatInt(limit)}): ${describeAlertQuery(parsed.query)}`,
  ];
  if (parsed.unrecognized.length > 0) {
    lines.push(`Não entendi: ${parsed.unrecognized.map((u) => `"${u}"`).join(", ")} (ignorado).`);
  }
  for (const note of parsed.notes) lines.push(`ℹ️ ${note}`);
  if (count !== null) {
    lines.push(
      count === 0
        ? `Nos últimos ${PREVIEW_DAYS} dias, nenhuma licitação publicada teria chegado por este alerta.`
        : `Nos últimos ${PREVIEW_DAYS} dias, ${plural(count, "licitação publicada teria chegado", "licitações publicadas teriam chegado")} por este alerta.`,
    );
  }
  lines.push(
    `Entrega: ${scheduleText(alert)}.`,
    alert.scope === "channel" ? "Este alerta é desta conversa e posta aqui." : "Este alerta é pessoal.",
    "",
    "Prefere receber na hora ou no resumo diário? Toque abaixo, ou veja todos em /alertas.",
  );
  replies.push({ kind: "text", text: lines.join("\n"), buttons: scheduleButtons(alert) });
  return replies;
}

function findAlert(list: readonly Alert[], ref: AlertRef | null): Alert | null {
  if (ref === null) return list.length === 1 ? list[0]! : null;
  if (ref.kind === "id") return list.find((a) => a.id === ref.id) ?? null;
  return list[ref.n - 1] ?? null;
}

async function manageAlert(
  cmd: IncomingCommand,
  args: Extract<AlertArgs, { kind: "manage" }>,
  alerts: AlertStore,
  deps: Deps,
): Promise<Reply[]> {
  if (cmd.platform === "cli") return [{ kind: "text", text: NO_PLATFORM }];
  const list = await alerts.chatAlerts(cmd.platform, cmd.chatId);
  const alert = findAlert(list, args.ref);
  if (!alert) {
    const text =
      list.length === 0
        ? "Nenhum alerta nesta conversa. Crie um com /alerta <consulta>."
        : `Não achei esse alerta. Use o número mostrado em /alertas (1 a ${list.length}).`;
    return [{ kind: "text", text }];
  }
  const label = alertLabel(alert);
  if (args.action === "remove") {
    await alerts.deleteAlert(alert.id, deps.clock.now());
    deps.logger.info({ alertId: alert.id }, "alert_removed");
    return [{ kind: "text", text: `🗑️ Alerta ${label} removido.` }];
  }
  const patch: AlertPatch = {};
  const replies: Reply[] = [];
  switch (args.action) {
    case "pause":
      patch.status = "paused";
      break;
    case "resume":
      patch.status = "active";
      break;
    case "reminder":
      patch.reminder = true;
      break;
    case "no_reminder":
      patch.reminder = false;
      break;
    case "daily":
      patch.mode = "daily";
      if (args.digestHour !== null) patch.digestHour = args.digestHour;
      break;
    case "instant": {
      const { ownerId, plan, plans } = await alertPlan(cmd, deps);
      if (plan.instantAlerts !== true) {
        const upgrade = suggestAlertUpgrade(plans, plan, { kind: "instant" }, plan.team);
        return [
          await refusal(
            cmd,
            deps,
            ownerId,
            errorMessage("ALERT_INSTANT_NOT_IN_PLAN", { plan, upgrade }),
            upgrade,
          ),
        ];
      }
      patch.mode = "instant";
      break;
    }
  }
  const updated = (await alerts.updateAlert(alert.id, patch)) ?? alert;
  const text =
    args.action === "pause"
      ? `🔕 Alerta ${label} pausado. Para retomar: /alerta retomar ${list.indexOf(alert) + 1}.`
      : args.action === "resume"
        ? `🔔 Alerta ${label} ativo de novo: ${scheduleText(updated)}.`
        : `✅ Alerta ${label}: ${scheduleText(updated)}.`;
  const buttons: Button[] =
    args.action === "pause" ? [{ label: "▶️ Retomar", command: `/alerta retomar #${alert.id}` }] : [];
  replies.push({ kind: "text", text, buttons });
  return replies;
}

/** `/alerta …`: the replies to send, in order. */
export async function alertCommand(cmd: IncomingCommand, argsText: string, deps: Deps): Promise<Reply[]> {
  const alerts = deps.alerts;
  if (!alerts) return [{ kind: "text", text: NOT_ENABLED }];
  const args = readAlertArgs(argsText);
  if (args.kind === "empty") return [{ kind: "text", text: usage() }];
  if (args.kind === "manage") return manageAlert(cmd, args, alerts, deps);
  return createAlert(cmd, args, alerts, deps);
}

/** `/alertas`: this chat's alerts with buttons to pause, resume or remove each. */
export async function alertsListCommand(cmd: IncomingCommand, deps: Deps): Promise<Reply> {
  const alerts = deps.alerts;
  if (!alerts) return { kind: "text", text: NOT_ENABLED };
  if (cmd.platform === "cli") return { kind: "text", text: NO_PLATFORM };
  const list = await alerts.chatAlerts(cmd.platform, cmd.chatId);
  let limit: number | null = null;
  try {
    limit = (await alertPlan(cmd, deps)).plan.alertsLimit ?? null;
  } catch (error) {
    deps.logger.warn({ err: error }, "alert_plan_failed");
  }
  return { kind: "text", text: listText(list, limit), buttons: listButtons(list) };
}

/** The "Salvar como alerta" button under search results (kept in the chat flow; re-exported here). */
export { saveAlertButton } from "../chat/save-alert-button.ts";
