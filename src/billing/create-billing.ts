import type Stripe from "stripe";
import type { Route } from "../bots/adapter.ts";
import type { Reply } from "../core/chat/reply.ts";
import { errorMessage } from "../core/messages.ts";
import type { BillingInterval, BillingStore, ChatBilling } from "../core/ports/billing.ts";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ChatAddress, Notifier } from "../core/ports/notifier.ts";
import type { Plan, PlanId, Store } from "../core/ports/store.ts";
import { verifyUpgradeToken } from "../core/upgrade-token.ts";
import { PAGE_TEXT, redirect, sendPage } from "./billing-pages.ts";
import { type CheckoutOutcome, createCheckout, createPortal } from "./checkout.ts";
import { type BillingNotice, handleStripeEvent } from "./handle-event.ts";
import { PLAN_IDS, PriceCatalog } from "./price-catalog.ts";
import { createStripeClient } from "./stripe-client.ts";
import { stripeWebhookRoute } from "./webhook-route.ts";

/**
 * Billing assembled from config: the Stripe client, the price catalog, checkout/portal, the webhook and
 * its pages. Built by `src/main.ts` only when STRIPE_SECRET_KEY is set; the chat core sees only its
 * `ChatBilling` face. Notices go to the channel `routes()` is given (`purpose: "billing"`): the outbox, or
 * the `Notifier` port.
 */

export interface BillingSettings {
  secretKey: string;
  webhookSecret?: string;
  apiUrl?: string;
  priceOverrides?: Readonly<Record<string, string>>;
  graceDays: number;
}

export interface BillingDeps {
  store: Store;
  billingStore: BillingStore;
  clock: Clock;
  logger: Logger;
  links: { publicBaseUrl: string; secret: string; ttlHours: number };
}

/** What `/upgrade` needs from billing. */
export interface UpgradeBilling {
  /** Checkout for a plan, or the portal when the account already pays for a subscription. */
  open(
    accountId: string,
    plan: Plan,
    interval: BillingInterval,
    notify: ChatAddress,
  ): Promise<CheckoutOutcome>;
}

/**
 * Where notices go: the paced outbox when the process has one (retries, WhatsApp's 24-hour window, held
 * until the next contact), else straight to a notifier; also the notifier when `enqueue` throws. Both
 * optional: without either they are logged. `key` is stable per logical notice (`billing:<event>:<kind>:<i>`).
 */
export interface NoticeChannel {
  enqueue?(message: { key: string; to: ChatAddress; replies: Reply[]; purpose: "billing" }): Promise<unknown>;
  notifier?(): Notifier | null;
}

export interface Billing extends UpgradeBilling {
  readonly stripe: Stripe;
  readonly catalog: PriceCatalog;
  readonly chat: ChatBilling;
  /** Webhook, portal link and the pt-BR pages. The channel is used at send time (adapters start later). */
  routes(channel: NoticeChannel | (() => Notifier | null)): Route[];
  /** Resolves when every notice already accepted was handed to the notifier. */
  idle(): Promise<void>;
}

const LIVE = new Set(["active", "trialing", "past_due", "unpaid"]);

export function createBilling(settings: BillingSettings, deps: BillingDeps): Billing {
  const stripe = createStripeClient({ secretKey: settings.secretKey, apiUrl: settings.apiUrl });
  const catalog = new PriceCatalog(stripe, { overrides: settings.priceOverrides, logger: deps.logger });
  const { billingStore, logger, clock } = deps;
  const checkoutDeps = { stripe, catalog, billingStore, publicBaseUrl: deps.links.publicBaseUrl };
  let webhook: ReturnType<typeof stripeWebhookRoute> | null = null;

  const chat: ChatBilling = {
    async offers() {
      try {
        return await catalog.offers();
      } catch (error) {
        // Stripe unreachable: offer the monthly price of every plan; the link explains if it fails.
        logger.warn({ err: error }, "billing_prices_unavailable");
        return new Map(PLAN_IDS.map((id) => [id, ["monthly"] as BillingInterval[]]));
      }
    },
    account: (accountId) => billingStore.getAccountBilling(accountId),
  };

  async function send(channel: NoticeChannel, notice: BillingNotice, key: string): Promise<void> {
    if (channel.enqueue) {
      try {
        await channel.enqueue({ key, to: notice.to, replies: [notice.reply], purpose: "billing" });
        logger.info({ accountId: notice.accountId, kind: notice.kind, key }, "billing_notice_queued");
        return;
      } catch (error) {
        // An outbox store hiccup must not lose the notice: straight to the notifier (no window hold then).
        logger.warn(
          { err: error, accountId: notice.accountId, kind: notice.kind, key },
          "billing_notice_queue_failed",
        );
      }
    }
    const notifier = channel.notifier?.() ?? null;
    if (!notifier) {
      logger.warn({ accountId: notice.accountId, kind: notice.kind }, "billing_notice_no_notifier");
      return;
    }
    const outcome = await notifier.notify(notice.to, [notice.reply], { purpose: "billing" });
    if (outcome.ok) logger.info({ accountId: notice.accountId, kind: notice.kind }, "billing_notice_sent");
    else
      logger.warn(
        { accountId: notice.accountId, kind: notice.kind, reason: outcome.reason },
        "billing_notice_undelivered",
      );
  }

  return {
    stripe,
    catalog,
    chat,
    async open(accountId, plan, interval, notify) {
      const billing = await billingStore.getAccountBilling(accountId);
      if (billing?.customerId && billing.subscriptionId && LIVE.has(billing.stripeStatus ?? "")) {
        // Already paying: a second subscription would charge twice; the portal changes or fixes this one.
        return { ok: true, url: await createPortal(billing.customerId, checkoutDeps) };
      }
      return createCheckout({ accountId, plan, interval, notify }, checkoutDeps);
    },
    routes(given) {
      const channel: NoticeChannel = typeof given === "function" ? { notifier: given } : given;
      webhook = stripeWebhookRoute({
        webhookSecret: settings.webhookSecret,
        clock,
        logger,
        async handle(event) {
          const handled = await handleStripeEvent(event, {
            stripe,
            catalog,
            billingStore,
            store: deps.store,
            clock,
            logger,
            graceDays: settings.graceDays,
            links: deps.links,
          });
          return {
            outcome: handled.outcome,
            deliver: async () => {
              for (const [i, notice] of handled.notices.entries()) {
                await send(channel, notice, `billing:${event.id}:${notice.kind}:${i}`);
              }
            },
          };
        },
      });
      const portal: Route = {
        method: "GET",
        path: "/billing/portal",
        async handle({ res, url }) {
          const verified = verifyUpgradeToken(url.searchParams.get("token") ?? "", {
            secret: deps.links.secret,
            now: clock.now(),
          });
          if (!verified.ok) {
            const expired = verified.reason === "expired";
            return sendPage(
              res,
              expired ? 410 : 400,
              "Link inválido",
              expired ? PAGE_TEXT.expired : PAGE_TEXT.invalid,
            );
          }
          try {
            const billing = await billingStore.getAccountBilling(verified.payload.accountId);
            if (!billing?.customerId) return sendPage(res, 404, "Assinatura", PAGE_TEXT.noCustomer);
            redirect(res, await createPortal(billing.customerId, checkoutDeps));
          } catch (error) {
            logger.error({ err: error }, "billing_portal_failed");
            sendPage(res, 502, "Tente de novo", errorMessage("BILLING_UNAVAILABLE"));
          }
        },
      };
      const simple = (path: string, title: string, text: string): Route => ({
        method: "GET",
        path,
        async handle({ res }) {
          sendPage(res, 200, title, text);
        },
      });
      return [
        webhook,
        portal,
        simple("/billing/sucesso", "Pagamento enviado", PAGE_TEXT.success),
        simple("/billing/cancelado", "Pagamento não concluído", PAGE_TEXT.cancel),
        simple("/billing/retorno", "Smart PNCP", PAGE_TEXT.portalReturn),
      ];
    },
    async idle() {
      await webhook?.idle();
    },
  };
}

/** Plan ids Stripe can sell (the paid ones). */
export function sellable(planId: PlanId): boolean {
  return PLAN_IDS.includes(planId);
}
