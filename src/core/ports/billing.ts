import type { ChatAddress } from "./notifier.ts";
import type { PlanId } from "./store.ts";

/**
 * Ports for billing (issue 9). `BillingStore` keeps Stripe customers and subscriptions and applies each
 * lifecycle effect in one SQL transaction (supabase/migrations/0009_billing.sql); `ChatBilling` is what
 * the chat core may ask about payments (`/assinar`, `/plano`, refusal buttons). The Stripe
 * implementation lives in `src/billing/`; the core never imports the SDK.
 */

/** A subscription's state as read from Stripe (the current state, not an event's copy). */
export interface SubscriptionSnapshot {
  subscriptionId: string;
  customerId: string;
  /** From the subscription's metadata (set at checkout); null = look the customer up. */
  accountId: string | null;
  planId: PlanId;
  /** Stripe's status: active, trialing, past_due, unpaid, incomplete, incomplete_expired, canceled, paused. */
  stripeStatus: string;
  priceId: string | null;
  /** The subscription item's `current_period_end`. */
  periodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  endedAt: Date | null;
  /** When this state was read from Stripe: an older reading never overwrites a newer one. */
  observedAt: Date;
}

/** What applying a snapshot did (`billing_apply_subscription`). */
export type BillingEffect =
  | "stale"
  | "none"
  | "pending"
  | "activated"
  | "recovered"
  | "renewed"
  | "changed"
  | "past_due"
  | "cancel_scheduled"
  | "cancel_undone"
  | "ended"
  | "expired"
  | "superseded";

export interface AppliedSubscription {
  effect: BillingEffect;
  accountId: string;
  planId: PlanId;
  previousPlanId: PlanId | null;
  periodEnd: Date | null;
  /** Until when a past-due subscription stays usable. */
  graceEndsAt: Date | null;
  /** The chat recorded for this account's billing notices, if any. */
  notify: ChatAddress | null;
}

/** An account's billing as `/plano`, the portal link and `billing status` read it. */
export interface AccountBilling {
  accountId: string;
  accountKind: "individual" | "team";
  platform: string;
  externalId: string;
  /** Slack workspace / Telegram group of the account (its own id for a team account). */
  teamId: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  planId: PlanId | null;
  stripeStatus: string | null;
  periodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  pastDueSince: Date | null;
  graceEndsAt: Date | null;
  notify: ChatAddress | null;
}

export interface BillingStore {
  /** `billing_account`: null when the account does not exist. */
  getAccountBilling(accountId: string): Promise<AccountBilling | null>;
  /** `billing_customer_account`: the account of a Stripe customer, or null. */
  customerAccount(customerId: string): Promise<string | null>;
  /** `billing_save_customer`: records the account's customer and (when given) the chat to notify. */
  saveCustomer(accountId: string, customerId: string, notify?: ChatAddress | null): Promise<void>;
  /** `billing_apply_subscription`: one transaction; `graceDays` = BILLING_GRACE_DAYS. */
  applySubscription(snapshot: SubscriptionSnapshot, graceDays: number): Promise<AppliedSubscription>;
  /** `billing_release_event`: gives a claimed Stripe event back after a failure (Stripe retries it). */
  releaseEvent(eventId: string): Promise<void>;
}

/** A price interval offered for a plan. */
export type BillingInterval = "monthly" | "yearly";

/** What the chat core may ask about online payment. Absent from `ChatDeps` = Stripe is not configured. */
export interface ChatBilling {
  /** The intervals with a Stripe price, per plan (monthly first). A plan missing here cannot be bought. */
  offers(): Promise<ReadonlyMap<PlanId, readonly BillingInterval[]>>;
  /** The account's billing (for "Gerenciar assinatura" and "Regularizar pagamento"), null when none. */
  account(accountId: string): Promise<AccountBilling | null>;
}
