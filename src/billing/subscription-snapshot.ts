import type Stripe from "stripe";
import type { SubscriptionSnapshot } from "../core/ports/billing.ts";
import type { PlanId } from "../core/ports/store.ts";

/**
 * A Stripe subscription (as re-read from the API, never an event's possibly stale copy) as the snapshot
 * `billing_apply_subscription` applies. With the pinned API version the billing period is on the
 * subscription items (`items.data[].current_period_end`), not on the subscription: the latest end of the
 * items is the period (https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end).
 */

function seconds(value: number | null | undefined): Date | null {
  return typeof value === "number" && Number.isFinite(value) ? new Date(value * 1000) : null;
}

/** The id of an expandable field (`"cus_…"` or `{ id: "cus_…" }`). */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === "string" ? value : value.id;
}

/** The item whose period ends last (our subscriptions have one item). */
export function mainItem(subscription: Stripe.Subscription): Stripe.SubscriptionItem | null {
  const items = subscription.items?.data ?? [];
  let best: Stripe.SubscriptionItem | null = null;
  for (const item of items) if (!best || item.current_period_end > best.current_period_end) best = item;
  return best;
}

export function toSnapshot(
  subscription: Stripe.Subscription,
  planId: PlanId,
  observedAt: Date,
): SubscriptionSnapshot {
  const item = mainItem(subscription);
  const customerId = idOf(subscription.customer as string | { id: string });
  if (!customerId) throw new Error(`subscription ${subscription.id} has no customer`);
  const accountId = subscription.metadata?.account_id?.trim() || null;
  return {
    subscriptionId: subscription.id,
    customerId,
    accountId,
    planId,
    stripeStatus: subscription.status,
    priceId: item?.price?.id ?? null,
    periodEnd: seconds(item?.current_period_end),
    // `cancel_at` set (portal "cancel at period end" on flexible billing) counts as a scheduled cancel too.
    cancelAtPeriodEnd:
      subscription.cancel_at_period_end === true || typeof subscription.cancel_at === "number",
    endedAt: seconds(subscription.ended_at),
    observedAt,
  };
}
