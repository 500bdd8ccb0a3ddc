import pino from "pino";
import { loadConfig } from "../../src/config.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { Pacing, unpacedRules } from "../../src/core/outbox/pacing.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import type { ChatAddress, Notifier, NotifyOptions, NotifyOutcome } from "../../src/core/ports/notifier.ts";
import type { Platform } from "../../src/core/ports/store.ts";
import { type App, createApp } from "../../src/main.ts";
import {
  FAKE_STRIPE_KEY,
  FAKE_WEBHOOK_SECRET,
  type FakeStripe,
  type StripeObject,
  startFakeStripe,
} from "../fakes/fake-stripe.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/services.ts";

/**
 * The whole server (real composition root, in-memory PGlite, real SQL) with Stripe pointed at the
 * loopback fake through STRIPE_API_URL, and a recording `Notifier` (or the caller's). Prices exist for
 * every paid plan (`<plan>_monthly`) plus `maquina_yearly`, as `smart-pncp billing setup` would create.
 * Notices go through the outbox (as in production) without pacing: the clock is frozen, and a paced second
 * notice to a chat would wait for a slot that never comes (pacing has its own tests in test/notify).
 */

export const BILLING_NOW = new Date("2026-11-22T15:00:00-03:00");

/** Keeps every notice; answers ok. */
export class RecordingNotifier implements Notifier {
  readonly sent: { to: ChatAddress; replies: Reply[]; options: NotifyOptions }[] = [];
  async notify(to: ChatAddress, replies: Reply[], options: NotifyOptions): Promise<NotifyOutcome> {
    this.sent.push({ to, replies, options });
    return { ok: true, messageIds: replies.map((_, i) => `m${this.sent.length}.${i}`) };
  }
  texts(): string[] {
    return this.sent.flatMap((s) => s.replies.map((r) => ("text" in r ? r.text : "")));
  }
}

export interface BillingApp {
  app: App;
  baseUrl: string;
  clock: FixedClock;
  stripe: FakeStripe;
  notifier: RecordingNotifier;
  /** Every log line the app wrote (info and up), parsed. */
  logs: Record<string, unknown>[];
  store: App["core"]["deps"]["store"];
  prices: Record<string, string>;
  /** POSTs a signed event (or a raw body with a given signature); returns status and JSON body. */
  deliver(event: {
    body: string;
    headers: Record<string, string>;
  }): Promise<{ status: number; body: unknown }>;
  /** Signs and delivers an event for `object`. */
  send(
    type: string,
    object: StripeObject,
    options?: { id?: string },
  ): Promise<{ status: number; id: string }>;
  account(platform: Platform, userId: string, teamId?: string | null): Promise<string>;
  /** Waits until notices of delivered events were handed to the notifier (through the outbox). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface BillingAppOptions {
  env?: Record<string, string>;
  now?: Date;
  notifier?: Notifier;
  stripe?: FakeStripe;
  /** "postgres": a fresh database on the local Postgres (fast to migrate); "pglite": in memory. */
  database?: "postgres" | "pglite";
}

export async function startBillingApp(options: BillingAppOptions = {}): Promise<BillingApp> {
  const clock = new FixedClock(options.now ?? BILLING_NOW);
  const stripe = options.stripe ?? (await startFakeStripe({ now: () => clock.now().getTime() }));
  const prices: Record<string, string> = {};
  if (!options.stripe) {
    for (const [planId, amount] of [
      ["consultor_agil", 29700],
      ["maquina", 59700],
      ["sala_guerra", 149700],
    ] as const) {
      prices[`${planId}_monthly`] = stripe.addPrice({
        lookupKey: `${planId}_monthly`,
        planId,
        unitAmount: amount,
      }).id;
    }
    prices.maquina_yearly = stripe.addPrice({
      lookupKey: "maquina_yearly",
      planId: "maquina",
      unitAmount: 597000,
      interval: "year",
    }).id;
  }
  const recording = new RecordingNotifier();
  const database: TestDatabase | null = options.database === "postgres" ? await createTestDatabase() : null;
  const env: Record<string, string> = {
    LOG_LEVEL: "silent",
    DATA_DIR: "memory://",
    ...(database ? { DATABASE_URL: database.url } : {}),
    PNCP_BASE_URL: "http://127.0.0.1:9/api/consulta",
    UPGRADE_TOKEN_SECRET: "test-upgrade-secret",
    PUBLIC_BASE_URL: "https://bot.example.test",
    STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET,
    STRIPE_API_URL: stripe.url,
    SYNC_ENABLED: "false",
    ...options.env,
  };
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const app = await createApp(loadConfig(env), {
    clock,
    logger,
    notifier: options.notifier ?? recording,
    outboxPacing: new Pacing(unpacedRules()),
  });
  const baseUrl = await app.start(0);
  const store = app.core.deps.store;
  const deliver: BillingApp["deliver"] = async (event) => {
    const res = await fetch(`${baseUrl}/stripe/webhook`, {
      method: "POST",
      headers: event.headers,
      body: event.body,
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  };
  return {
    app,
    baseUrl,
    clock,
    stripe,
    notifier: recording,
    logs,
    store,
    prices,
    deliver,
    async send(type, object, opts = {}) {
      const event = stripe.signedEvent(type, object, {
        id: opts.id,
        timestamp: Math.floor(clock.now().getTime() / 1000),
      });
      const { status } = await deliver(event);
      return { status, id: event.id };
    },
    async account(platform, userId, teamId = null) {
      return store.resolveIdentity({ platform, userId, teamId, displayName: null }, clock.now());
    },
    idle: () => app.idle(),
    async close() {
      await app.stop();
      if (!options.stripe) await stripe.close();
      await database?.drop();
    },
  };
}

/** Metadata a checkout of ours puts on the session and the subscription. */
export function checkoutMetadata(accountId: string, planId: string, chatId: string, platform = "telegram") {
  return { account_id: accountId, plan_id: planId, notify_platform: platform, notify_chat_id: chatId };
}
