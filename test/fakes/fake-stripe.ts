/**
 * A loopback stand-in for the Stripe API, for tests that drive the REAL `stripe` SDK through
 * `STRIPE_API_URL=fake.url` (the SDK's host/port/protocol options).
 *
 * ```ts
 * const stripe = await startFakeStripe();
 * stripe.addPrice({ lookupKey: "maquina_monthly", planId: "maquina", unitAmount: 59700 });
 * // … the app creates a Checkout Session …
 * stripe.requestsTo("POST", "/v1/checkout/sessions")[0].params; // the exact form parameters, decoded
 * const sub = stripe.createSubscription({ customer: "cus_1", price: "price_…", metadata: {…} });
 * stripe.updateSubscription(sub.id, { status: "past_due" });       // what a re-read returns from now on
 * const { body, headers } = stripe.signedEvent("customer.subscription.updated", stripe.subscription(sub.id));
 * ```
 *
 * - Speaks the v1 wire format: form-encoded bodies (`a[b][0]=c`, decoded here), `Bearer` key (401
 *   otherwise), JSON answers and Stripe's error shape (`{ error: { type, code, message } }`, 404
 *   `resource_missing`).
 * - Serves checkout sessions, billing portal sessions, prices (list by `lookup_keys[]`, create with
 *   `transfer_lookup_key`), products (create with a chosen id, retrieve, update) and subscriptions
 *   (retrieve), holding state the test drives (`createSubscription`, `updateSubscription`).
 * - Objects have the shape of the pinned API version (2026-10-28.endive in stripe-node 23.1): the period
 *   is on subscription items (`items.data[].current_period_end`), an invoice's subscription under
 *   `parent.subscription_details.subscription`.
 * - Every request is recorded (`requests`); `fail(method, path, status)` injects errors.
 * - `signedEvent` builds an event envelope and signs it with `stripe.webhooks.generateTestHeaderString`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Stripe parameters and objects.
type Params = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: Stripe objects are plain JSON here.
export type StripeObject = Record<string, any>;

export const FAKE_STRIPE_KEY = "sk_test_fake_1234567890";
export const FAKE_WEBHOOK_SECRET = "whsec_test_fake_secret";
export const PINNED_API_VERSION = "2026-10-28.endive";

export interface FakeStripeRequest {
  method: string;
  path: string;
  query: Params;
  params: Params;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

/** Decodes `a[b][0][c]=d&…` (the SDK's indexed bracket format) into nested objects and arrays. */
export function decodeForm(text: string): Params {
  const root: Params = {};
  if (!text) return root;
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const rawKey = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, " "));
    const value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
    const parts = rawKey.split(/\[|\]\[|\]/).filter((p, i) => p !== "" || i === 0);
    let node: Params = root;
    for (let i = 0; i < parts.length; i++) {
      const key = parts[i] as string;
      const last = i === parts.length - 1;
      if (last) {
        node[key] = value;
      } else {
        const nextIsIndex = /^\d+$/.test(parts[i + 1] as string);
        node[key] ??= nextIsIndex ? [] : {};
        node = node[key];
      }
    }
  }
  return root;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "request-id": `req_${Date.now()}` });
  res.end(data);
}

function notFound(res: ServerResponse, what: string, id: string): number {
  sendJson(res, 404, {
    error: {
      type: "invalid_request_error",
      code: "resource_missing",
      message: `No such ${what}: '${id}'`,
      param: "id",
    },
  });
  return 404;
}

export interface SubscriptionInput {
  customer: string;
  price: string;
  status?: string;
  metadata?: Record<string, string>;
  periodStart?: number;
  periodEnd?: number;
  id?: string;
}

export interface FakeStripe {
  url: string;
  requests: FakeStripeRequest[];
  requestsTo(method: string, path: string | RegExp): FakeStripeRequest[];
  /** Next `times` requests to method+path (regexp or exact) answer `status` with a Stripe error. */
  fail(method: string, path: string | RegExp, status: number, times?: number): void;
  addPrice(input: {
    lookupKey?: string | null;
    planId?: string;
    unitAmount: number;
    interval?: "month" | "year";
    product?: string;
    id?: string;
    active?: boolean;
  }): StripeObject;
  prices: Map<string, StripeObject>;
  products: Map<string, StripeObject>;
  createSubscription(input: SubscriptionInput): StripeObject;
  updateSubscription(id: string, patch: Params & { periodEnd?: number; price?: string }): StripeObject;
  subscription(id: string): StripeObject;
  /** A copy of the subscription as it reads now (events carry copies, re-reads the current state). */
  snapshot(id: string): StripeObject;
  checkoutSession(input: Params): StripeObject;
  invoice(input: {
    subscription: string;
    customer: string;
    status?: string;
    billingReason?: string;
    id?: string;
  }): StripeObject;
  /** An event envelope for `object`, signed for `secret` at `timestamp` (seconds). */
  signedEvent(
    type: string,
    object: StripeObject,
    options?: { id?: string; secret?: string; timestamp?: number },
  ): { id: string; body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

let counter = 0;
function newId(prefix: string): string {
  counter++;
  return `${prefix}_${counter.toString(36).padStart(6, "0")}${Math.random().toString(36).slice(2, 8)}`;
}

const DAY = 86_400;

export async function startFakeStripe(
  options: { key?: string; now?: () => number } = {},
): Promise<FakeStripe> {
  const key = options.key ?? FAKE_STRIPE_KEY;
  const nowS = () => Math.floor((options.now ?? Date.now)() / 1000);
  const requests: FakeStripeRequest[] = [];
  const faults: { method: string; path: string | RegExp; status: number; times: number }[] = [];
  const prices = new Map<string, StripeObject>();
  const products = new Map<string, StripeObject>();
  const subscriptions = new Map<string, StripeObject>();
  let baseUrl = "";

  const matches = (pattern: string | RegExp, path: string) =>
    typeof pattern === "string" ? pattern === path : pattern.test(path);

  function priceObject(id: string): StripeObject {
    const price = prices.get(id);
    if (!price) throw new Error(`fake stripe: no price ${id}`);
    return structuredClone(price);
  }

  function route(method: string, path: string, query: Params, params: Params, res: ServerResponse): number {
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const session = {
        id: newId("cs_test"),
        object: "checkout.session",
        mode: params.mode,
        status: "open",
        payment_status: "unpaid",
        url: `https://checkout.stripe.test/c/pay/${newId("cs")}`,
        client_reference_id: params.client_reference_id ?? null,
        customer: params.customer ?? null,
        metadata: params.metadata ?? {},
        success_url: params.success_url,
        cancel_url: params.cancel_url,
        livemode: false,
        created: nowS(),
        expires_at: nowS() + DAY,
      };
      sendJson(res, 200, session);
      return 200;
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      if (!params.customer) {
        sendJson(res, 400, {
          error: { type: "invalid_request_error", message: "Missing required param: customer." },
        });
        return 400;
      }
      sendJson(res, 200, {
        id: newId("bps"),
        object: "billing_portal.session",
        customer: params.customer,
        return_url: params.return_url ?? null,
        locale: params.locale ?? null,
        url: `https://billing.stripe.test/p/session/${newId("test")}`,
        livemode: false,
        created: nowS(),
      });
      return 200;
    }
    if (method === "GET" && path === "/v1/prices") {
      const keys: string[] = Array.isArray(query.lookup_keys) ? query.lookup_keys : [];
      const active = query.active === undefined ? null : query.active === "true";
      const data = [...prices.values()].filter(
        (p) => (keys.length === 0 || keys.includes(p.lookup_key)) && (active === null || p.active === active),
      );
      sendJson(res, 200, { object: "list", data, has_more: false, url: "/v1/prices" });
      return 200;
    }
    if (method === "POST" && path === "/v1/prices") {
      if (params.transfer_lookup_key === "true" && params.lookup_key) {
        for (const p of prices.values()) if (p.lookup_key === params.lookup_key) p.lookup_key = null;
      } else if (params.lookup_key && [...prices.values()].some((p) => p.lookup_key === params.lookup_key)) {
        sendJson(res, 400, {
          error: {
            type: "invalid_request_error",
            message: `A price (\`${params.lookup_key}\`) already uses that lookup key.`,
          },
        });
        return 400;
      }
      const price = addPrice({
        lookupKey: params.lookup_key ?? null,
        unitAmount: Number(params.unit_amount),
        interval: params.recurring?.interval,
        product: params.product,
        planId: params.metadata?.plan_id,
      });
      sendJson(res, 200, price);
      return 200;
    }
    if (method === "POST" && path.startsWith("/v1/prices/")) {
      const price = prices.get(path.slice("/v1/prices/".length));
      if (!price) return notFound(res, "price", path);
      if (params.active !== undefined) price.active = params.active === "true";
      if (params.metadata) price.metadata = { ...price.metadata, ...params.metadata };
      sendJson(res, 200, price);
      return 200;
    }
    if (method === "POST" && path === "/v1/products") {
      const id = params.id ?? newId("prod");
      if (products.has(id)) {
        sendJson(res, 400, {
          error: {
            type: "invalid_request_error",
            code: "resource_already_exists",
            message: "Product already exists.",
          },
        });
        return 400;
      }
      const product = {
        id,
        object: "product",
        name: params.name,
        description: params.description ?? null,
        active: true,
        metadata: params.metadata ?? {},
        livemode: false,
        created: nowS(),
      };
      products.set(id, product);
      sendJson(res, 200, product);
      return 200;
    }
    const productMatch = /^\/v1\/products\/([^/]+)$/.exec(path);
    if (productMatch) {
      const product = products.get(decodeURIComponent(productMatch[1] as string));
      if (!product) return notFound(res, "product", productMatch[1] as string);
      if (method === "POST") {
        if (params.name !== undefined) product.name = params.name;
        if (params.description !== undefined) product.description = params.description;
        if (params.metadata) product.metadata = { ...product.metadata, ...params.metadata };
      }
      sendJson(res, 200, product);
      return 200;
    }
    const subMatch = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (method === "GET" && subMatch) {
      const sub = subscriptions.get(decodeURIComponent(subMatch[1] as string));
      if (!sub) return notFound(res, "subscription", subMatch[1] as string);
      sendJson(res, 200, sub);
      return 200;
    }
    sendJson(res, 404, {
      error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` },
    });
    return 404;
  }

  function addPrice(input: Parameters<FakeStripe["addPrice"]>[0]): StripeObject {
    const id = input.id ?? newId("price");
    const productId = input.product ?? newId("prod");
    const price = {
      id,
      object: "price",
      active: input.active ?? true,
      currency: "brl",
      lookup_key: input.lookupKey ?? null,
      metadata: input.planId ? { plan_id: input.planId } : {},
      product: productId,
      recurring: { interval: input.interval ?? "month", interval_count: 1, usage_type: "licensed" },
      type: "recurring",
      unit_amount: input.unitAmount,
      livemode: false,
      created: nowS(),
    };
    prices.set(id, price);
    return price;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const method = req.method ?? "GET";
      const body = Buffer.concat(chunks).toString("utf8");
      const query = decodeForm(url.search.slice(1));
      const params = method === "POST" ? decodeForm(body) : {};
      const record: FakeStripeRequest = {
        method,
        path: url.pathname,
        query,
        params,
        headers: req.headers,
        status: 0,
      };
      requests.push(record);
      if (req.headers.authorization !== `Bearer ${key}`) {
        record.status = 401;
        return sendJson(res, 401, {
          error: { type: "invalid_request_error", message: "Invalid API Key provided." },
        });
      }
      const fault = faults.find((f) => f.method === method && matches(f.path, url.pathname) && f.times > 0);
      if (fault) {
        fault.times--;
        record.status = fault.status;
        return sendJson(res, fault.status, {
          error: {
            type: fault.status >= 500 ? "api_error" : "invalid_request_error",
            message: "Injected failure.",
          },
        });
      }
      record.status = route(method, url.pathname, query, params, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function itemOf(subId: string, priceId: string, start: number, end: number): StripeObject {
    return {
      id: newId("si"),
      object: "subscription_item",
      created: start,
      current_period_start: start,
      current_period_end: end,
      metadata: {},
      price: priceObject(priceId),
      quantity: 1,
      subscription: subId,
    };
  }

  const fake: FakeStripe = {
    url: baseUrl,
    requests,
    prices,
    products,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && matches(path, r.path)),
    fail(method, path, status, times = 1) {
      faults.push({ method, path, status, times });
    },
    addPrice,
    createSubscription(input) {
      const id = input.id ?? newId("sub");
      const start = input.periodStart ?? nowS();
      const end = input.periodEnd ?? start + 30 * DAY;
      const sub = {
        id,
        object: "subscription",
        customer: input.customer,
        status: input.status ?? "active",
        metadata: input.metadata ?? {},
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        billing_cycle_anchor: start,
        collection_method: "charge_automatically",
        currency: "brl",
        created: start,
        start_date: start,
        latest_invoice: newId("in"),
        livemode: false,
        items: {
          object: "list",
          data: [itemOf(id, input.price, start, end)],
          has_more: false,
          url: `/v1/subscription_items?subscription=${id}`,
        },
      };
      subscriptions.set(id, sub);
      return structuredClone(sub);
    },
    updateSubscription(id, patch) {
      const sub = subscriptions.get(id);
      if (!sub) throw new Error(`fake stripe: no subscription ${id}`);
      const { periodEnd, price, ...rest } = patch;
      Object.assign(sub, rest);
      const item = sub.items.data[0];
      if (periodEnd !== undefined) {
        item.current_period_start = item.current_period_end;
        item.current_period_end = periodEnd;
      }
      if (price !== undefined) item.price = priceObject(price);
      return structuredClone(sub);
    },
    subscription(id) {
      const sub = subscriptions.get(id);
      if (!sub) throw new Error(`fake stripe: no subscription ${id}`);
      return sub;
    },
    snapshot: (id) => structuredClone(fake.subscription(id)),
    checkoutSession(input) {
      return {
        id: newId("cs_test"),
        object: "checkout.session",
        mode: "subscription",
        status: "complete",
        payment_status: "paid",
        livemode: false,
        created: nowS(),
        ...input,
      };
    },
    invoice(input) {
      return {
        id: input.id ?? newId("in"),
        object: "invoice",
        customer: input.customer,
        status: input.status ?? "paid",
        billing_reason: input.billingReason ?? "subscription_cycle",
        hosted_invoice_url: `https://invoice.stripe.test/i/${newId("inv")}`,
        currency: "brl",
        livemode: false,
        created: nowS(),
        parent: {
          type: "subscription_details",
          quote_details: null,
          subscription_details: { metadata: {}, subscription: input.subscription },
        },
      };
    },
    signedEvent(type, object, opts = {}) {
      const id = opts.id ?? newId("evt");
      const timestamp = opts.timestamp ?? nowS();
      const body = JSON.stringify(
        {
          id,
          object: "event",
          api_version: PINNED_API_VERSION,
          created: timestamp,
          type,
          livemode: false,
          pending_webhooks: 1,
          request: { id: null, idempotency_key: null },
          data: { object: structuredClone(object) },
        },
        null,
        2,
      );
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: opts.secret ?? FAKE_WEBHOOK_SECRET,
        timestamp,
      });
      return { id, body, headers: { "content-type": "application/json", "stripe-signature": signature } };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}
