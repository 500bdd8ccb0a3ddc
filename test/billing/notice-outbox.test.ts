import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { postWebhook, textWebhook, toSentMessage, WA, whatsappEnv } from "../bots/whatsapp-driver.ts";
import { type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import { type FakeWhatsApp, startFakeWhatsApp } from "../fakes/fake-whatsapp.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import { type BillingApp, checkoutMetadata, startBillingApp } from "./billing-harness.ts";
import { addPrices, stripeEnv } from "./e2e-flow.ts";

/**
 * Billing notices go through the paced outbox built by the real composition root (issue 9): queued once
 * per logical notice, sent by the outbox sender, held for a WhatsApp chat outside the 24-hour window until
 * the user writes again (or sent as the approved template when one is configured), and straight to the
 * notifier when the outbox store cannot take them or OUTBOX_ENABLED=false.
 */

const ACTIVATED = "✅ Plano Máquina ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.";
let n = 0;

/** A subscription bought from chat `chatId` on `platform`, and its signed `checkout.session.completed`. */
function purchase(
  stripe: FakeStripe,
  prices: Record<string, string>,
  at: Date,
  notify: { accountId: string; platform: string; chatId: string },
) {
  n++;
  const start = Math.floor(at.getTime() / 1000);
  const metadata = checkoutMetadata(notify.accountId, "maquina", notify.chatId, notify.platform);
  const sub = stripe.createSubscription({
    customer: `cus_notice_${n}`,
    price: prices.maquina_monthly!,
    metadata,
    periodStart: start,
    periodEnd: start + 30 * 86_400,
  });
  const session = stripe.checkoutSession({
    customer: sub.customer,
    subscription: sub.id,
    client_reference_id: notify.accountId,
    metadata,
  });
  return stripe.signedEvent("checkout.session.completed", session, { timestamp: start });
}

/** The outbox key billing logged for `kind` of that event (`billing:<event>:<kind>:<i>`). */
function queuedKey(logs: Record<string, unknown>[], eventId: string, kind: string): string {
  const line = logs.find(
    (l) => l.msg === "billing_notice_queued" && String(l.key).startsWith(`billing:${eventId}:${kind}:`),
  );
  expect(line, `billing_notice_queued for ${eventId}`).toBeDefined();
  return line!.key as string;
}

describe("billing notices through the outbox (Telegram, recording notifier)", () => {
  let t: BillingApp;
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("queues the notice on the outbox and delivers it once, although the event came twice", async () => {
    const accountId = await t.account("telegram", "notice-once");
    const event = purchase(t.stripe, t.prices, t.clock.now(), {
      accountId,
      platform: "telegram",
      chatId: "7001",
    });
    expect((await t.deliver(event)).status).toBe(200);
    expect(await t.deliver(event)).toEqual({ status: 200, body: { received: true, outcome: "duplicate" } });
    await t.idle();

    const eventId = JSON.parse(event.body).id as string;
    const key = queuedKey(t.logs, eventId, "activated");
    expect(await t.app.core.outbox.outbox.message(key)).toMatchObject({ status: "sent", attempts: 1 });
    const toChat = t.notifier.sent.filter((s) => s.to.chatId === "7001");
    expect(toChat.map((s) => s.replies.map((r) => ("text" in r ? r.text : "")))).toEqual([[ACTIVATED]]);
    expect(toChat[0]!.options).toEqual({ purpose: "billing" });
    // It went through the outbox sender, not straight to the notifier.
    expect(t.logs.filter((l) => l.msg === "outbox_sent" && l.key === key)).toHaveLength(1);
    expect(t.logs.some((l) => l.msg === "billing_notice_sent" && l.accountId === accountId)).toBe(false);

    // The key is the dedupe key: queuing the same logical notice again changes nothing.
    const again = await t.app.core.outbox.outbox.enqueue({
      key,
      to: { platform: "telegram", chatId: "7001" },
      replies: [{ kind: "text", text: ACTIVATED }],
      purpose: "billing",
    });
    expect(again.created).toBe(false);
    await t.idle();
    expect(t.notifier.sent.filter((s) => s.to.chatId === "7001")).toHaveLength(1);
  });

  it("sends the notice straight to the notifier when the outbox store cannot take it", async () => {
    const accountId = await t.account("telegram", "notice-store-down");
    const enqueue = vi
      .spyOn(t.app.core.outbox.store, "enqueue")
      .mockRejectedValueOnce(new Error("outbox store unavailable"));
    try {
      const event = purchase(t.stripe, t.prices, t.clock.now(), {
        accountId,
        platform: "telegram",
        chatId: "7002",
      });
      expect((await t.deliver(event)).status).toBe(200);
      await t.idle();
      expect(enqueue).toHaveBeenCalledTimes(1);

      const failed = t.logs.filter(
        (l) => l.msg === "billing_notice_queue_failed" && l.accountId === accountId,
      );
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ level: 40, kind: "activated" });
      const key = failed[0]!.key as string;
      expect(key).toMatch(/^billing:evt_\w+:activated:0$/);
      expect(await t.app.core.outbox.outbox.message(key)).toBeNull();
      const toChat = t.notifier.sent.filter((s) => s.to.chatId === "7002");
      expect(toChat.map((s) => s.replies.map((r) => ("text" in r ? r.text : "")))).toEqual([[ACTIVATED]]);
      expect(t.logs.filter((l) => l.msg === "billing_notice_sent" && l.accountId === accountId)).toHaveLength(
        1,
      );
    } finally {
      enqueue.mockRestore();
    }
  });
});

describe("billing notices with OUTBOX_ENABLED=false", () => {
  it("go straight to the notifier, and nothing is queued", async () => {
    const t = await startBillingApp({ env: { OUTBOX_ENABLED: "false" } });
    try {
      const accountId = await t.account("telegram", "notice-no-outbox");
      const event = purchase(t.stripe, t.prices, t.clock.now(), {
        accountId,
        platform: "telegram",
        chatId: "7003",
      });
      expect((await t.deliver(event)).status).toBe(200);
      await t.idle();
      expect(t.notifier.texts()).toEqual([ACTIVATED]);
      expect(t.logs.filter((l) => l.msg === "billing_notice_sent")).toHaveLength(1);
      expect(t.logs.some((l) => l.msg === "billing_notice_queued")).toBe(false);
      expect(await t.app.core.outbox.store.counts()).toEqual({});
    } finally {
      await t.close();
    }
  });
});

describe("billing notices to WhatsApp (real adapter and notifier, fake Graph API)", () => {
  let graph: FakeWhatsApp;
  let stripe: FakeStripe;
  let prices: Record<string, string>;
  const apps: TestApp[] = [];
  const TEMPLATE = "aviso_smart_pncp";

  beforeAll(async () => {
    [graph, stripe] = await Promise.all([
      startFakeWhatsApp({
        token: WA.token,
        phoneNumberId: WA.phoneNumberId,
        templates: { [TEMPLATE]: { language: "pt_BR", bodyParameters: 1 } },
      }),
      startFakeStripe(),
    ]);
    prices = addPrices(stripe);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await Promise.all([graph?.close(), stripe?.close()]);
  });

  async function whatsappApp(env: Record<string, string> = {}): Promise<TestApp> {
    const app = await createTestApp({ env: { ...whatsappEnv(graph), ...stripeEnv(stripe, null), ...env } });
    apps.push(app);
    return app;
  }

  async function deliverEvent(app: TestApp, event: { body: string; headers: Record<string, string> }) {
    const res = await fetch(`${app.baseUrl}/stripe/webhook`, {
      method: "POST",
      headers: event.headers,
      body: event.body,
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  const noticesTo = (chatId: string) =>
    graph.messages.filter((m) => m.to === chatId && toSentMessage(m).text.includes("Plano Máquina ativo"));

  it("outside the 24-hour window without a template: held, and sent once when the user writes", async () => {
    graph.reset();
    const app = await whatsappApp();
    // The user bought on the site and has not written to the bot since (no open window).
    const accountId = await app.store.resolveIdentity({
      platform: "whatsapp",
      userId: WA.phone,
      teamId: null,
      displayName: null,
    });
    const event = purchase(stripe, prices, app.clock.now(), {
      accountId,
      platform: "whatsapp",
      chatId: WA.phone,
    });
    await deliverEvent(app, event);
    await deliverEvent(app, event); // Stripe retries: still one notice
    await app.drain();

    const outbox = app.app.core.outbox.outbox;
    const key = `billing:${JSON.parse(event.body).id}:activated:0`;
    expect(await outbox.message(key)).toMatchObject({ status: "held", lastError: expect.any(String) });
    expect(graph.messages).toEqual([]);
    expect(await outbox.chatState({ platform: "whatsapp", chatId: WA.phone })).toMatchObject({ held: 1 });

    // Three hours later the user writes: a signed webhook through the real adapter releases the notice.
    app.clock.advance(3 * 3_600_000);
    expect(await postWebhook(app.baseUrl, textWebhook("wamid.notice-held-1", "/ajuda"))).toBe(200);
    await app.drain();
    const delivered = noticesTo(WA.phone);
    expect(delivered).toHaveLength(1);
    expect(toSentMessage(delivered[0]!).text).toBe(
      "✅ Plano Máquina ativo até 21/10/2026 — 300 buscas por mês e planilhas Excel.",
    );
    expect(await outbox.message(key)).toMatchObject({ status: "sent" });

    // Writing again does not send it a second time.
    app.clock.advance(61_000);
    expect(await postWebhook(app.baseUrl, textWebhook("wamid.notice-held-2", "/ajuda"))).toBe(200);
    await app.drain();
    expect(noticesTo(WA.phone)).toHaveLength(1);
  });

  it("outside the window with an approved template: sent at once as the template", async () => {
    graph.reset();
    const app = await whatsappApp({ WHATSAPP_ALERT_TEMPLATE: TEMPLATE });
    const phone = "5511900000042";
    const accountId = await app.store.resolveIdentity({
      platform: "whatsapp",
      userId: phone,
      teamId: null,
      displayName: null,
    });
    const event = purchase(stripe, prices, app.clock.now(), {
      accountId,
      platform: "whatsapp",
      chatId: phone,
    });
    await deliverEvent(app, event);
    await app.drain();

    const key = `billing:${JSON.parse(event.body).id}:activated:0`;
    expect(await app.app.core.outbox.outbox.message(key)).toMatchObject({ status: "sent" });
    const sent = graph.messages.filter((m) => m.to === phone);
    expect(sent.map((m) => m.type)).toEqual(["template"]);
    expect(sent[0]!.body.template.name).toBe(TEMPLATE);
    expect(JSON.stringify(sent[0]!.body.template.components)).toContain("Plano Máquina ativo até 21/10/2026");
  });
});
