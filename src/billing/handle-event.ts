import type Stripe from "stripe";
import type { LinkButton, Reply } from "../core/chat/reply.ts";
import type { AppliedSubscription, BillingStore } from "../core/ports/billing.ts";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ChatAddress } from "../core/ports/notifier.ts";
import type { Plan, PlanId, Store } from "../core/ports/store.ts";
import { createUpgradeToken, upgradeUrl } from "../core/upgrade-token.ts";
import {
  boletoPendingNotice,
  effectNotice,
  type NoticeLinks,
  paymentProblemNotice,
  unpaidNotice,
} from "./billing-notices.ts";
import { notifyFromMetadata } from "./checkout.ts";
import type { PriceCatalog } from "./price-catalog.ts";
import { idOf, mainItem, toSnapshot } from "./subscription-snapshot.ts";

/**
 * The Stripe lifecycle (`POST /stripe/webhook`, after the signature was verified). Events arrive
 * duplicated and out of order (https://docs.stripe.com/webhooks#event-ordering), so:
 * - each event id is claimed once (`claim_event('stripe', id)`) and given back when handling fails, so
 *   Stripe's retry is handled again;
 * - an event never carries the state we apply: its subscription is re-read from Stripe and its CURRENT
 *   state goes to `billing_apply_subscription` (one transaction, which also says what changed), so any
 *   order of any events ends in Stripe's state — a `deleted` before its `updated` included;
 * - notices follow the effect (told once per transition) or, for event-only facts (boleto pending, a first
 *   payment refused), are claimed once per session/invoice (`claim_event('stripe_notice', …)`) and sent
 *   only while the subscription is still not usable (a late "failed" after the payment went through is
 *   not told).
 * An invoice's subscription is `parent.subscription_details.subscription` in the pinned API version.
 */

export interface BillingEventDeps {
  stripe: Stripe;
  catalog: PriceCatalog;
  billingStore: BillingStore;
  store: Pick<Store, "claimEvent" | "listPlans">;
  clock: Clock;
  logger: Logger;
  graceDays: number;
  /** For the buttons in notices (portal link, a new checkout). */
  links: { publicBaseUrl: string; secret: string; ttlHours: number };
}

/** A message to send once the event is handled (the webhook answers Stripe first). */
export interface BillingNotice {
  to: ChatAddress;
  reply: Reply;
  accountId: string;
  kind: string;
}

export interface HandledEvent {
  outcome: "processed" | "duplicate" | "ignored";
  notices: BillingNotice[];
}

const HANDLED = new Set([
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.trial_will_end",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.payment_action_required",
]);

/** Effects that are not told (renewals are quiet). */
const QUIET_EFFECTS = new Set(["stale", "none", "pending", "renewed", "superseded"]);

/** The phase of a Stripe status, as `_billing_phase` in SQL. */
function isUsable(status: string | null | undefined): boolean {
  return status === "active" || status === "trialing" || status === "past_due" || status === "unpaid";
}

function isNotFound(error: unknown): boolean {
  const e = error as { statusCode?: unknown; code?: unknown };
  return e?.statusCode === 404 || e?.code === "resource_missing";
}

function isUnknownAccount(error: unknown): boolean {
  return /account_not_found/.test(String((error as Error)?.message ?? ""));
}

/** The subscription of an invoice (pinned API: under `parent.subscription_details`). */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const details = invoice.parent?.subscription_details;
  return idOf(details?.subscription as string | { id: string } | undefined);
}

class EventContext {
  readonly notices: BillingNotice[] = [];
  #plans: Map<PlanId, Plan> | null = null;

  constructor(
    readonly event: Stripe.Event,
    readonly deps: BillingEventDeps,
  ) {}

  async plan(id: PlanId): Promise<Plan | null> {
    this.#plans ??= new Map((await this.deps.store.listPlans()).map((p) => [p.id, p]));
    return this.#plans.get(id) ?? null;
  }

  links(accountId: string, planId: PlanId, to: ChatAddress): NoticeLinks {
    const { publicBaseUrl, secret, ttlHours } = this.deps.links;
    const token = () =>
      createUpgradeToken(
        { accountId, planId, notify: { platform: to.platform, chatId: to.chatId } },
        { secret, now: this.deps.clock.now(), ttlHours },
      );
    return {
      portal: (label): LinkButton => ({
        label,
        url: `${publicBaseUrl}/billing/portal?token=${encodeURIComponent(token())}`,
      }),
      checkout: (): LinkButton | null => ({
        label: "Tentar de novo",
        url: upgradeUrl(publicBaseUrl, token()),
      }),
    };
  }

  tell(to: ChatAddress, accountId: string, reply: Reply | null, kind: string): void {
    if (reply) this.notices.push({ to, reply, accountId, kind });
  }

  /** Re-reads a subscription and applies its current state; null when it cannot be applied. */
  async sync(subscriptionId: string): Promise<{
    subscription: Stripe.Subscription;
    applied: AppliedSubscription;
    to: ChatAddress | null;
  } | null> {
    const { stripe, catalog, billingStore, clock, logger, graceDays } = this.deps;
    let subscription: Stripe.Subscription;
    try {
      subscription = await stripe.subscriptions.retrieve(subscriptionId);
    } catch (error) {
      if (isNotFound(error)) {
        logger.warn({ subscriptionId, event: this.event.id }, "billing_subscription_not_found");
        return null;
      }
      throw error;
    }
    const observedAt = clock.now();
    const planId =
      (await catalog.planOfPrice(mainItem(subscription)?.price)) ??
      (await this.plan(subscription.metadata?.plan_id as PlanId))?.id ??
      null;
    if (!planId) {
      logger.error({ subscriptionId, price: mainItem(subscription)?.price?.id }, "billing_unknown_price");
      return null;
    }
    let applied: AppliedSubscription;
    try {
      applied = await billingStore.applySubscription(toSnapshot(subscription, planId, observedAt), graceDays);
    } catch (error) {
      if (isUnknownAccount(error)) {
        logger.error(
          { subscriptionId, customer: idOf(subscription.customer as string) },
          "billing_unknown_account",
        );
        return null;
      }
      throw error;
    }
    logger.info(
      {
        subscriptionId,
        accountId: applied.accountId,
        planId,
        status: subscription.status,
        effect: applied.effect,
      },
      "billing_subscription_applied",
    );
    const to = notifyFromMetadata(subscription.metadata) ?? applied.notify;
    const plan = await this.plan(applied.planId);
    const previous = applied.previousPlanId ? await this.plan(applied.previousPlanId) : null;
    if (plan && to) {
      // A boleto that expired is also told by `async_payment_failed`: one claim for both.
      const once =
        applied.effect !== "expired" ||
        (await this.deps.store.claimEvent("stripe_notice", `unpaid:${subscription.id}`));
      const links = this.links(applied.accountId, plan.id, to);
      if (once)
        this.tell(to, applied.accountId, effectNotice(applied, plan, previous, links), applied.effect);
    } else if (!QUIET_EFFECTS.has(applied.effect)) {
      logger.warn({ accountId: applied.accountId, effect: applied.effect }, "billing_notice_no_chat");
    }
    return { subscription, applied, to };
  }

  /** An event-only notice, told once per key, only while the subscription is not usable. */
  async tellOnce(
    key: string,
    synced: Awaited<ReturnType<EventContext["sync"]>>,
    build: (plan: Plan, links: NoticeLinks) => Reply,
  ): Promise<void> {
    if (!synced || isUsable(synced.subscription.status)) return;
    const plan = await this.plan(synced.applied.planId);
    if (!plan || !synced.to) return;
    if (!(await this.deps.store.claimEvent("stripe_notice", key))) return;
    this.tell(
      synced.to,
      synced.applied.accountId,
      build(plan, this.links(synced.applied.accountId, plan.id, synced.to)),
      key.split(":")[0] ?? key,
    );
  }
}

async function dispatch(ctx: EventContext): Promise<"processed" | "ignored"> {
  const { event, deps } = ctx;
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed": {
      const session = event.data.object;
      if (session.mode !== "subscription") return "ignored";
      const accountId = session.client_reference_id ?? session.metadata?.account_id ?? null;
      const customerId = idOf(session.customer as string | { id: string } | null);
      const subscriptionId = idOf(session.subscription as string | { id: string } | null);
      if (accountId && customerId) {
        try {
          await deps.billingStore.saveCustomer(accountId, customerId, notifyFromMetadata(session.metadata));
        } catch (error) {
          if (!isUnknownAccount(error)) throw error;
          deps.logger.error({ session: session.id }, "billing_unknown_account");
        }
      }
      if (!subscriptionId) return "ignored";
      const synced = await ctx.sync(subscriptionId);
      if (event.type === "checkout.session.completed") {
        // MONITORING.md business event (once per event: the webhook claims each event id).
        deps.logger.info(
          {
            event: "checkout_completed",
            accountId,
            planId: session.metadata?.plan_id ?? null,
            paymentStatus: session.payment_status,
            session: session.id,
          },
          "checkout_completed",
        );
      }
      if (event.type === "checkout.session.completed" && session.payment_status === "unpaid") {
        await ctx.tellOnce(`boleto_pending:${session.id}`, synced, (plan) => boletoPendingNotice(plan));
      }
      if (event.type === "checkout.session.async_payment_failed") {
        // Claimed per subscription, like the `expired` effect's notice: told once whichever comes first.
        await ctx.tellOnce(`unpaid:${subscriptionId}`, synced, (plan, links) => unpaidNotice(plan, links));
      }
      return "processed";
    }
    case "checkout.session.expired":
      // Abandoned before paying: no subscription exists, nothing changes.
      return "ignored";
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
    case "customer.subscription.trial_will_end": {
      await ctx.sync(event.data.object.id);
      return "processed";
    }
    case "invoice.paid":
    case "invoice.payment_failed":
    case "invoice.payment_action_required": {
      const invoice = event.data.object;
      const subscriptionId = invoiceSubscriptionId(invoice);
      if (!subscriptionId) return "ignored";
      const synced = await ctx.sync(subscriptionId);
      if (event.type !== "invoice.paid" && synced && synced.subscription.status === "incomplete") {
        const kind = event.type === "invoice.payment_failed" ? "failed" : "action_required";
        await ctx.tellOnce(`payment_${kind}:${invoice.id}`, synced, (plan, links) =>
          paymentProblemNotice(plan, kind, invoice.hosted_invoice_url ?? null, links),
        );
      }
      return "processed";
    }
    default:
      return "ignored";
  }
}

/**
 * Handles one verified event. Duplicates (by event id) and types we do not handle are answered without
 * effect. Throws when Stripe or the store failed (the caller answers 500 so Stripe retries); the claim
 * was given back first.
 */
export async function handleStripeEvent(event: Stripe.Event, deps: BillingEventDeps): Promise<HandledEvent> {
  if (!HANDLED.has(event.type)) {
    deps.logger.info({ event: event.id, type: event.type }, "billing_event_ignored");
    return { outcome: "ignored", notices: [] };
  }
  if (!(await deps.store.claimEvent("stripe", event.id))) {
    deps.logger.info({ event: event.id, type: event.type }, "billing_event_duplicate");
    return { outcome: "duplicate", notices: [] };
  }
  const ctx = new EventContext(event, deps);
  try {
    const outcome = await dispatch(ctx);
    deps.logger.info(
      { event: event.id, type: event.type, outcome, notices: ctx.notices.length },
      "billing_event_handled",
    );
    return { outcome, notices: ctx.notices };
  } catch (error) {
    await deps.billingStore.releaseEvent(event.id).catch((releaseError: unknown) => {
      deps.logger.error({ err: releaseError, event: event.id }, "billing_event_release_failed");
    });
    throw error;
  }
}
