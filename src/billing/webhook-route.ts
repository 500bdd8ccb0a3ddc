import type { Route } from "../bots/adapter.ts";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../core/ports/logger.ts";
import { sendJson } from "../server/http.ts";
import { stripeWebhooks } from "./stripe-client.ts";

/**
 * `POST /stripe/webhook`: the signature (`Stripe-Signature`, HMAC of the RAW body with
 * STRIPE_WEBHOOK_SECRET, 5-minute tolerance against our clock) is verified with
 * `stripe.webhooks.constructEvent` BEFORE anything is parsed; a bad or missing signature is a 400 and
 * nothing changes. The event's effects are applied before answering (a failure is a 500, so Stripe
 * retries); notices to chats are sent afterwards and never delay or fail the answer.
 */

type StripeEvent = ReturnType<typeof stripeWebhooks.constructEvent>;

export interface WebhookRouteDeps {
  webhookSecret: string | undefined;
  clock: Clock;
  logger: Logger;
  /** Applies the event; resolves with a task that sends its notices (started after the 200). */
  handle(event: StripeEvent): Promise<{ outcome: string; deliver: () => Promise<void> }>;
}

/** Signature tolerance, seconds (Stripe's default). */
const TOLERANCE_S = 300;

export function stripeWebhookRoute(deps: WebhookRouteDeps): Route & { idle(): Promise<void> } {
  const running = new Set<Promise<void>>();
  return {
    method: "POST",
    path: "/stripe/webhook",
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    async handle({ req, res, rawBody }) {
      const { logger } = deps;
      const signature = req.headers["stripe-signature"];
      if (!deps.webhookSecret) {
        logger.error("stripe_webhook_secret_missing");
        return sendJson(res, 503, { error: "webhook_not_configured" });
      }
      if (typeof signature !== "string" || signature === "") {
        logger.warn("stripe_signature_missing");
        return sendJson(res, 400, { error: "bad_signature" });
      }
      let event: StripeEvent;
      try {
        event = stripeWebhooks.constructEvent(
          rawBody,
          signature,
          deps.webhookSecret,
          TOLERANCE_S,
          undefined,
          // Milliseconds (the SDK divides by 1000 itself): the tolerance is checked against OUR clock.
          deps.clock.now().getTime(),
        );
      } catch (error) {
        logger.warn({ reason: (error as Error).name }, "stripe_signature_invalid");
        return sendJson(res, 400, { error: "bad_signature" });
      }
      let handled: Awaited<ReturnType<WebhookRouteDeps["handle"]>>;
      try {
        handled = await deps.handle(event);
      } catch (error) {
        logger.error({ err: error, event: event.id, type: event.type }, "stripe_event_failed");
        return sendJson(res, 500, { error: "event_failed" });
      }
      sendJson(res, 200, { received: true, outcome: handled.outcome });
      const task = handled.deliver().catch((error: unknown) => {
        logger.error({ err: error, event: event.id }, "billing_notice_failed");
      });
      running.add(task);
      void task.finally(() => running.delete(task));
    },
  };
}
