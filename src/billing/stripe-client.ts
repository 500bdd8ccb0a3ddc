import Stripe from "stripe";

/**
 * Builds the Stripe SDK client. `STRIPE_API_URL` (a loopback fake in tests) becomes the SDK's
 * `host`/`port`/`protocol` options; the API version is the one pinned by the installed stripe-node
 * (23.1: `2026-10-28.endive`), so request and event shapes match its types. Retries (with the SDK's
 * idempotency keys) cover a flaky network; telemetry is off.
 */
export interface StripeClientOptions {
  secretKey: string;
  apiUrl?: string;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

/** `https://api.stripe.com` (default) or the configured base as SDK options. */
export function stripeHostOptions(
  apiUrl: string | undefined,
): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return {
    host: url.hostname,
    port: url.port || (protocol === "http" ? 80 : 443),
    protocol,
  };
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  return new Stripe(options.secretKey, {
    ...stripeHostOptions(options.apiUrl),
    timeout: options.timeoutMs ?? 20_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: "smart-pncp" },
  });
}

/** Webhook verification needs no key: a client for `webhooks.constructEvent` alone. */
export const stripeWebhooks = Stripe.webhooks;
