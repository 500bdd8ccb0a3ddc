import type Stripe from "stripe";
import type { BillingInterval, BillingStore } from "../core/ports/billing.ts";
import type { ChatAddress } from "../core/ports/notifier.ts";
import type { Plan } from "../core/ports/store.ts";
import type { PriceCatalog } from "./price-catalog.ts";

/**
 * Checkout and portal sessions, created when the user opens our link (Checkout sessions expire in 24 h
 * and portal sessions in minutes, so buttons carry our own signed `/upgrade` link instead).
 *
 * Checkout: subscription mode with the plan's recurring price; `client_reference_id` = account id;
 * `metadata` {account_id, plan_id, notify_*} on the session AND on `subscription_data` (so every
 * subscription event names the account and the chat to tell); the account's customer when it has one;
 * pt-BR success/cancel pages of ours; no `payment_method_types`, so the methods enabled in the Stripe
 * dashboard apply (card and boleto for Brazilian accounts).
 */

export interface CheckoutRequest {
  accountId: string;
  plan: Plan;
  interval: BillingInterval;
  notify: ChatAddress;
}

export type CheckoutOutcome = { ok: true; url: string } | { ok: false; reason: "no_price" };

export interface CheckoutDeps {
  stripe: Stripe;
  catalog: PriceCatalog;
  billingStore: BillingStore;
  publicBaseUrl: string;
}

/** Metadata naming the account, the plan and the chat to notify (values are strings, ≤ 500 chars). */
export function checkoutMetadata(request: CheckoutRequest): Record<string, string> {
  const metadata: Record<string, string> = {
    account_id: request.accountId,
    plan_id: request.plan.id,
    notify_platform: request.notify.platform,
    notify_chat_id: request.notify.chatId,
  };
  if (request.notify.teamId) metadata.notify_team_id = request.notify.teamId;
  return metadata;
}

/** The chat named by metadata written by `checkoutMetadata`, or null. */
export function notifyFromMetadata(metadata: Stripe.Metadata | null | undefined): ChatAddress | null {
  const platform = metadata?.notify_platform;
  const chatId = metadata?.notify_chat_id;
  if (!chatId || (platform !== "slack" && platform !== "telegram" && platform !== "whatsapp")) return null;
  return { platform, chatId, teamId: metadata?.notify_team_id || null };
}

export async function createCheckout(request: CheckoutRequest, deps: CheckoutDeps): Promise<CheckoutOutcome> {
  const price = await deps.catalog.priceFor(request.plan.id, request.interval);
  if (!price) return { ok: false, reason: "no_price" };
  const billing = await deps.billingStore.getAccountBilling(request.accountId);
  const metadata = checkoutMetadata(request);
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: "subscription",
    line_items: [{ price, quantity: 1 }],
    client_reference_id: request.accountId,
    metadata,
    subscription_data: { metadata },
    success_url: `${deps.publicBaseUrl}/billing/sucesso?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${deps.publicBaseUrl}/billing/cancelado`,
    locale: "pt-BR",
  };
  if (billing?.customerId) params.customer = billing.customerId;
  const session = await deps.stripe.checkout.sessions.create(params);
  if (!session.url) throw new Error(`checkout session ${session.id} has no url`);
  return { ok: true, url: session.url };
}

/** A customer-portal session (cancel, change card or plan, invoices); back to our pt-BR page after. */
export async function createPortal(
  customerId: string,
  deps: Pick<CheckoutDeps, "stripe" | "publicBaseUrl">,
): Promise<string> {
  const session = await deps.stripe.billingPortal.sessions.create({
    customer: customerId,
    return_url: `${deps.publicBaseUrl}/billing/retorno`,
    locale: "pt-BR",
  });
  return session.url;
}
