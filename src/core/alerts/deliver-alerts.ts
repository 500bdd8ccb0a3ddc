/**
 * Sends what matching stored: instant alerts (one message per alert per dispatch, listing its new bids),
 * daily digests at their hour (count, top bids, and the .xlsx on plans with Excel; nothing matched →
 * nothing sent), change notices and reminders. Each message's items are claimed with a token before the
 * send and marked after it, so a crash between matching and sending only delays the message (the claim
 * expires and the next dispatcher sends it) and a second dispatcher never sends what the first holds.
 *
 * Outcomes (`NotifyOutcome`): sent → items `sent`; a chat that blocked or removed the bot → its alerts
 * paused (`unreachable`), logged, never retried; rate limits, transient errors and WhatsApp's closed
 * 24-hour window → items back to `pending` (sent at a later dispatch); a refused message → `dropped`.
 * Alert deliveries never consume searches.
 */
import { randomUUID } from "node:crypto";
import type { Bid } from "../bid.ts";
import type { Reply } from "../chat/reply.ts";
import { XLSX_MIME } from "../chat/reply.ts";
import { buildBidsWorkbookBuffer } from "../excel/build-workbook.ts";
import { workbookFileName } from "../excel/file-name.ts";
import { sortBids } from "../filter/sort.ts";
import type { Alert, AlertStore, ReadyItem } from "../ports/alert-store.ts";
import type { BidIndex } from "../ports/bid-index.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Metrics } from "../ports/metrics.ts";
import type { ChatAddress, Notifier, NotifyOptions, NotifyOutcome } from "../ports/notifier.ts";
import type { AccountStatus, Plan, Store } from "../ports/store.ts";
import { FallbackSummarizer } from "../summary/fallback-summarizer.ts";
import { computeTotals } from "../summary/totals.ts";
import { changeReply, describeAlertQuery, digestReply, instantReply, reminderReply } from "./alert-texts.ts";
import type { BidChangeKind } from "./bid-changes.ts";
import { digestDue } from "./digest-schedule.ts";

/**
 * Where alert messages go: the paced outbox when configured, else a `Notifier` directly. `key` is unique
 * per message (item ids), for an outbox that deduplicates.
 */
export interface AlertSender {
  send(to: ChatAddress, replies: Reply[], options: NotifyOptions & { key: string }): Promise<NotifyOutcome>;
}

/** A sender straight to a `Notifier` (no outbox): the key is only logged by it. */
export function notifierSender(notifier: Notifier): AlertSender {
  return { send: (to, replies, options) => notifier.notify(to, replies, { purpose: options.purpose }) };
}

export interface AlertDeliveryDeps {
  alerts: AlertStore;
  index: Pick<BidIndex, "bidsByIds">;
  store: Pick<Store, "getAccountStatus" | "listPlans">;
  sender: AlertSender;
  clock: Clock;
  logger: Logger;
  /** `alert_deliveries_total{platform}` (handed to the sender), `alert_delivery_failures_total{platform,reason}`. */
  metrics?: Metrics;
}

export interface AlertDeliveryStats {
  messages: number;
  digests: number;
  itemsSent: number;
  failed: number;
  pausedChats: number;
}

/** How long a claim holds before another dispatcher may send the items. */
export const CLAIM_MS = 5 * 60_000;
/** Items read per dispatch. */
const READY_LIMIT = 20_000;
const LIVE: ReadonlySet<AccountStatus["subscriptionStatus"]> = new Set(["trialing", "active", "past_due"]);

interface AlertPlan {
  plan: Plan;
  live: boolean;
}

/** Plan per (account, context), read once per dispatch. */
function planReader(deps: AlertDeliveryDeps): (alert: Alert) => Promise<AlertPlan | null> {
  const cache = new Map<string, Promise<AlertPlan | null>>();
  let plans: Promise<Plan[]> | null = null;
  return (alert) => {
    const context = alert.scope === "channel" ? (alert.address.teamId ?? null) : null;
    const key = `${alert.accountId}|${context ?? ""}`;
    let found = cache.get(key);
    if (!found) {
      plans ??= deps.store.listPlans();
      found = (async () => {
        try {
          const status = await deps.store.getAccountStatus(alert.accountId, deps.clock.now(), context);
          const plan = (await plans).find((p) => p.id === status.plan.id) ?? status.plan;
          return { plan, live: LIVE.has(status.subscriptionStatus) };
        } catch (error) {
          deps.logger.warn({ err: error, alertId: alert.id }, "alert_plan_failed");
          return null;
        }
      })();
      cache.set(key, found);
    }
    return found;
  };
}

interface Message {
  alert: Alert;
  items: ReadyItem[];
  /** Claim token and message key (`alert:<id>:<token>`). */
  token: string;
  purpose: NotifyOptions["purpose"];
  build: (bids: Map<string, Bid>) => Promise<Reply[]>;
  /** The digest slot this message sends (marks it on success). */
  digest: boolean;
}

async function digestReplies(alert: Alert, bids: Bid[], plan: Plan, now: Date): Promise<Reply[]> {
  const sorted = sortBids(bids, "closing_soon", now);
  if (!plan.excel) return [digestReply(alert, sorted, false, null)];
  const totals = computeTotals(sorted, now);
  const summary = await new FallbackSummarizer().summarize({ query: alert.query, bids: sorted, totals, now });
  const data = await buildBidsWorkbookBuffer({
    query: alert.query,
    queryDescription: describeAlertQuery(alert.query),
    bids: sorted,
    totals,
    summary,
    generatedAt: now,
    notes: [`Alerta ${alert.queryText}: licitações novas desde o último resumo.`],
  });
  return [
    digestReply(alert, sorted, true, null),
    {
      kind: "file",
      filename: workbookFileName(`alerta ${alert.queryText}`, now),
      mimeType: XLSX_MIME,
      data,
      caption: `📎 Planilha do resumo: ${sorted.length === 1 ? "1 licitação" : `${sorted.length} licitações`}`,
    },
  ];
}

/** One dispatch: everything ready now. */
export async function deliverAlerts(deps: AlertDeliveryDeps): Promise<AlertDeliveryStats> {
  const stats: AlertDeliveryStats = { messages: 0, digests: 0, itemsSent: 0, failed: 0, pausedChats: 0 };
  const now = deps.clock.now();
  const active = await deps.alerts.activeAlerts();
  const byId = new Map(active.map((a) => [a.id, a] as const));
  const dueDigests = new Set(active.filter((a) => a.mode === "daily" && digestDue(a, now)).map((a) => a.id));
  const instant = active.filter((a) => a.mode === "instant").map((a) => a.id);
  const ready = await deps.alerts.readyItems([...instant, ...dueDigests], now, READY_LIMIT);
  const planOf = planReader(deps);
  const grouped = new Map<string, ReadyItem[]>();
  for (const item of ready) {
    const list = grouped.get(item.alertId);
    if (list) list.push(item);
    else grouped.set(item.alertId, [item]);
  }
  const messages: Message[] = [];
  const withMatches = new Set<string>();
  for (const [alertId, items] of grouped) {
    const alert = byId.get(alertId);
    if (!alert) continue;
    const plan = await planOf(alert);
    if (!plan) continue;
    if (!plan.live) {
      // Expired trial or lapsed plan: what it matched is not held for later.
      const token = randomUUID();
      const held = await deps.alerts.claimItems(
        items.map((i) => i.id),
        token,
        new Date(now.getTime() + CLAIM_MS),
        now,
      );
      await deps.alerts.finishItems(held, token, "dropped", now);
      deps.logger.info({ alertId, planId: plan.plan.id, items: held.length }, "alert_plan_inactive");
      continue;
    }
    const matches = items.filter((i) => i.kind === "match");
    const instantNow = alert.mode === "instant" && plan.plan.instantAlerts === true;
    if (matches.length > 0 && (instantNow || dueDigests.has(alertId))) {
      withMatches.add(alertId);
      const digest = !instantNow;
      // Items of an interrupted send go again as that same message (same token → same outbox key).
      const byToken = new Map<string, ReadyItem[]>();
      for (const item of matches) {
        const token = item.previousToken ?? "";
        const list = byToken.get(token);
        if (list) list.push(item);
        else byToken.set(token, [item]);
      }
      for (const [token, group] of byToken) {
        messages.push({
          alert,
          items: group,
          token: token || randomUUID(),
          purpose: digest ? "digest" : "alert",
          digest,
          build: async (bids) => {
            const list = group.map((i) => bids.get(i.bidId)).filter((b): b is Bid => b !== undefined);
            if (list.length === 0) return [];
            return digest ? digestReplies(alert, list, plan.plan, now) : [instantReply(alert, list)];
          },
        });
      }
    }
    for (const item of items) {
      if (item.kind === "match") continue;
      messages.push({
        alert,
        items: [item],
        token: item.previousToken ?? randomUUID(),
        purpose: item.kind === "change" ? "bid_change" : "reminder",
        digest: false,
        build: async (bids) => {
          const bid = bids.get(item.bidId);
          if (!bid) return [];
          return [
            item.kind === "change"
              ? changeReply(alert, bid, item.detail.change as BidChangeKind)
              : reminderReply(alert, bid),
          ];
        },
      });
    }
  }
  // Digests due with nothing matched: the slot is used up, nothing is sent.
  for (const id of dueDigests) if (!withMatches.has(id)) await deps.alerts.markDigest(id, now);

  const bidIds = [...new Set(messages.flatMap((m) => m.items.map((i) => i.bidId)))];
  const bids = new Map(
    (bidIds.length > 0 ? await deps.index.bidsByIds(bidIds, now) : []).map((b) => [b.id, b] as const),
  );
  const unreachable = new Set<string>();
  for (const message of messages) {
    const { alert } = message;
    const chatKey = `${alert.address.platform}:${alert.address.chatId}`;
    if (unreachable.has(chatKey)) continue;
    const { token } = message;
    const held = await deps.alerts.claimItems(
      message.items.map((i) => i.id),
      token,
      new Date(now.getTime() + CLAIM_MS),
      now,
    );
    if (held.length === 0) continue; // another dispatcher has them
    const heldSet = new Set(held);
    const heldItems = message.items.filter((i) => heldSet.has(i.id));
    const heldBids = new Map(
      heldItems.flatMap((i) => (bids.has(i.bidId) ? [[i.bidId, bids.get(i.bidId)!] as const] : [])),
    );
    let replies: Reply[];
    try {
      replies = await message.build(heldBids);
    } catch (error) {
      deps.logger.error({ err: error, alertId: alert.id }, "alert_message_failed");
      deps.metrics?.inc("alert_delivery_failures", {
        platform: alert.address.platform,
        reason: "build_failed",
      });
      await deps.alerts.finishItems(held, token, "pending", now);
      stats.failed++;
      continue;
    }
    if (replies.length === 0) {
      // The bids left the index: nothing to say.
      await deps.alerts.finishItems(held, token, "dropped", now);
      continue;
    }
    const outcome = await deps.sender
      .send(alert.address, replies, { purpose: message.purpose, key: `alert:${alert.id}:${token}` })
      .catch((error: unknown): NotifyOutcome => ({ ok: false, reason: "transient", detail: String(error) }));
    if (outcome.ok) {
      await deps.alerts.finishItems(held, token, "sent", now);
      if (message.digest) {
        await deps.alerts.markDigest(alert.id, now);
        stats.digests++;
      }
      stats.messages++;
      stats.itemsSent += held.length;
      deps.metrics?.inc("alert_deliveries", { platform: alert.address.platform });
      deps.logger.info(
        { alertId: alert.id, purpose: message.purpose, items: held.length, platform: alert.address.platform },
        "alert_sent",
      );
      continue;
    }
    stats.failed++;
    deps.metrics?.inc("alert_delivery_failures", {
      platform: alert.address.platform,
      reason: outcome.reason,
    });
    if (outcome.reason === "chat_unreachable") {
      unreachable.add(chatKey);
      await deps.alerts.finishItems(held, token, "dropped", now);
      const paused = await deps.alerts.pauseChat(alert.address.platform, alert.address.chatId);
      stats.pausedChats++;
      deps.logger.warn(
        { alertId: alert.id, platform: alert.address.platform, paused, detail: outcome.detail },
        "alert_chat_unreachable",
      );
      continue;
    }
    const retry = outcome.reason !== "rejected" && outcome.reason !== "unsupported";
    await deps.alerts.finishItems(held, token, retry ? "pending" : "dropped", now);
    deps.logger.warn(
      { alertId: alert.id, reason: outcome.reason, retryAfterMs: outcome.retryAfterMs, items: held.length },
      retry ? "alert_send_deferred" : "alert_send_rejected",
    );
  }
  return stats;
}
