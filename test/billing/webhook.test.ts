import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LinkButton, Reply } from "../../src/core/chat/reply.ts";
import type { AccountStatus } from "../../src/core/ports/store.ts";
import type { StripeObject } from "../fakes/fake-stripe.ts";
import { needPostgres } from "../helpers/services.ts";
import { BILLING_NOW, type BillingApp, checkoutMetadata, startBillingApp } from "./billing-harness.ts";

/**
 * The lifecycle through `POST /stripe/webhook`: signed events in the shape of the pinned API version
 * (2026-10-28.endive), the real stripe SDK re-reading subscriptions from the loopback fake, every effect
 * checked in the store (plan, period, what `consume_search` allows) and in the chat notices.
 */

const DAY_MS = 86_400_000;
let t: BillingApp;
const onPostgres = await needPostgres();
beforeAll(async () => {
  t = await startBillingApp({ database: onPostgres ? "postgres" : "pglite" });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  t.notifier.sent.length = 0;
  t.clock.set(BILLING_NOW);
});

let n = 0;
/** A Telegram user who started the upgrade in chat `chatId`, and a subscription in the fake. */
async function subscriber(options: { status?: string; plan?: "maquina" | "consultor_agil" } = {}) {
  n++;
  const chatId = `90${n}`;
  const accountId = await t.account("telegram", `bill-${n}`);
  const plan = options.plan ?? "maquina";
  const customer = `cus_webhook_${n}`;
  const start = Math.floor(t.clock.now().getTime() / 1000);
  const sub = t.stripe.createSubscription({
    customer,
    price: t.prices[`${plan}_monthly`]!,
    status: options.status ?? "active",
    metadata: checkoutMetadata(accountId, plan, chatId),
    periodStart: start,
    periodEnd: start + 30 * 86_400,
  });
  const session = t.stripe.checkoutSession({
    customer,
    subscription: sub.id,
    client_reference_id: accountId,
    metadata: checkoutMetadata(accountId, plan, chatId),
    payment_status: options.status === "incomplete" ? "unpaid" : "paid",
  });
  return { accountId, chatId, customer, sub, session };
}

async function status(accountId: string): Promise<AccountStatus> {
  return t.store.getAccountStatus(accountId, t.clock.now(), null);
}

async function canSearch(accountId: string) {
  return t.store.consumeSearch(accountId, 7, t.clock.now(), null);
}

function texts(): string[] {
  return t.notifier.sent.flatMap((s) => s.replies.map((r: Reply) => ("text" in r ? r.text : "")));
}

async function send(type: string, object: StripeObject, id?: string) {
  const result = await t.send(type, object, { id });
  await t.idle();
  return result;
}

describe("signature", () => {
  it("refuses a bad, missing, stale or tampered signature with 400 and changes nothing", async () => {
    const { accountId, session } = await subscriber();
    const retrieves = t.stripe.requestsTo("GET", /^\/v1\/subscriptions\//).length;
    const good = t.stripe.signedEvent("checkout.session.completed", session, {
      timestamp: Math.floor(t.clock.now().getTime() / 1000),
    });
    const wrongSecret = t.stripe.signedEvent("checkout.session.completed", session, {
      secret: "whsec_not_ours",
      timestamp: Math.floor(t.clock.now().getTime() / 1000),
    });
    const stale = t.stripe.signedEvent("checkout.session.completed", session, {
      timestamp: Math.floor(t.clock.now().getTime() / 1000) - 301,
    });
    const attempts = [
      wrongSecret,
      stale,
      { body: good.body.replace('"paid"', '"unpaid"'), headers: good.headers },
      { body: good.body, headers: { "content-type": "application/json" } },
      { body: good.body, headers: { ...good.headers, "stripe-signature": "t=1,v1=deadbeef" } },
    ];
    for (const attempt of attempts) {
      const res = await t.deliver(attempt);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: "bad_signature" });
    }
    await t.idle();
    expect(t.stripe.requestsTo("GET", /^\/v1\/subscriptions\//)).toHaveLength(retrieves);
    expect((await status(accountId)).plan.id).toBe("free_trial");
    expect(t.notifier.sent).toHaveLength(0);
    // The genuine one still goes through afterwards (its id was never claimed).
    expect((await t.deliver(good)).status).toBe(200);
    await t.idle();
    expect((await status(accountId)).plan.id).toBe("maquina");
  });

  it("answers 200 to event types it does not handle, without effect", async () => {
    const res = await t.send("charge.refund.updated", { id: "re_1", object: "refund" });
    expect(res.status).toBe(200);
    const other = await t.deliver(
      t.stripe.signedEvent("product.created", { id: "prod_1", object: "product" }),
    );
    expect(other.body).toMatchObject({ received: true, outcome: "ignored" });
  });
});

describe("paying by card", () => {
  it("activates the plan with Stripe's period end and tells the chat, once for duplicates", async () => {
    const { accountId, chatId, session, sub } = await subscriber();
    const event = t.stripe.signedEvent("checkout.session.completed", session);
    expect((await t.deliver(event)).status).toBe(200);
    const again = await t.deliver(event);
    expect(again).toEqual({ status: 200, body: { received: true, outcome: "duplicate" } });
    // MONITORING.md's business event, once although the event came twice.
    const completed = t.logs.filter((l) => l.msg === "checkout_completed" && l.session === session.id);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ event: "checkout_completed", accountId, planId: "maquina" });
    await send("customer.subscription.created", t.stripe.snapshot(sub.id));
    await send(
      "invoice.paid",
      t.stripe.invoice({
        subscription: sub.id,
        customer: sub.customer,
        billingReason: "subscription_create",
      }),
    );
    await t.idle();

    const s = await status(accountId);
    expect(s.plan.id).toBe("maquina");
    expect(s.subscriptionStatus).toBe("active");
    expect(s.periodEnd?.toISOString()).toBe(
      new Date(sub.items.data[0].current_period_end * 1000).toISOString(),
    );
    expect(t.notifier.sent).toHaveLength(1);
    // Through the outbox a chat without a workspace comes back without `teamId` (absent = null).
    const { teamId, ...to } = t.notifier.sent[0]!.to;
    expect(to).toEqual({ platform: "telegram", chatId });
    expect(teamId ?? null).toBeNull();
    expect(t.notifier.sent[0]!.options).toEqual({ purpose: "billing" });
    expect(texts()).toEqual([
      "✅ Plano Máquina ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.",
    ]);
    expect((await canSearch(accountId)).allowed).toBe(true);
    // The subscription was re-read from Stripe for each event, never taken from the event.
    expect(t.stripe.requestsTo("GET", `/v1/subscriptions/${sub.id}`).length).toBe(3);
  });

  it("applies Stripe's current state when a deleted arrives before its updated", async () => {
    const { accountId, session, sub } = await subscriber();
    await send("checkout.session.completed", session);
    const activeCopy = t.stripe.snapshot(sub.id);
    t.clock.advance(DAY_MS);
    const cancelled = t.stripe.updateSubscription(sub.id, {
      status: "canceled",
      ended_at: Math.floor(t.clock.now().getTime() / 1000),
      canceled_at: Math.floor(t.clock.now().getTime() / 1000),
    });
    await send("customer.subscription.deleted", cancelled);
    await send("customer.subscription.updated", activeCopy); // late, and stale
    const s = await status(accountId);
    expect(s.plan.id).toBe("maquina");
    expect(s.subscriptionStatus).toBe("canceled");
    expect((await canSearch(accountId)).reason).toBe("plan_inactive");
    expect(texts()).toEqual([
      "✅ Plano Máquina ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.",
      "Sua assinatura do plano Máquina terminou. Obrigado por usar o Smart PNCP! Para assinar de novo, envie /assinar.",
    ]);
  });

  it("retries an event whose handling failed (Stripe down): 500, then 200 with the effect", async () => {
    const { accountId, session, sub } = await subscriber();
    t.stripe.fail("GET", `/v1/subscriptions/${sub.id}`, 500, 3);
    const event = t.stripe.signedEvent("checkout.session.completed", session);
    expect((await t.deliver(event)).status).toBe(500);
    expect((await status(accountId)).plan.id).toBe("free_trial");
    expect((await t.deliver(event)).status).toBe(200);
    await t.idle();
    expect((await status(accountId)).plan.id).toBe("maquina");
    expect(texts()).toHaveLength(1);
  });

  it("tells a refused first payment with the invoice link, and nothing once it went through", async () => {
    const { accountId, session, sub } = await subscriber({ status: "incomplete" });
    const invoice = t.stripe.invoice({
      subscription: sub.id,
      customer: sub.customer,
      status: "open",
      billingReason: "subscription_create",
    });
    await send("invoice.payment_failed", invoice);
    await send("invoice.payment_failed", { ...invoice }); // another attempt's event, same invoice
    expect(t.notifier.sent).toHaveLength(1);
    const reply = t.notifier.sent[0]!.replies[0] as Extract<Reply, { kind: "text" }>;
    expect(reply.text).toBe(
      "⚠️ O pagamento do plano Máquina foi recusado. Tente outro cartão ou pague a fatura pelo botão abaixo.",
    );
    expect(reply.buttons).toEqual([{ label: "Pagar fatura", url: invoice.hosted_invoice_url }]);
    expect((await status(accountId)).plan.id).toBe("free_trial");
    t.stripe.updateSubscription(sub.id, { status: "active" });
    await send("invoice.payment_action_required", invoice); // late: the subscription is active now
    await send("checkout.session.completed", { ...session, payment_status: "paid" });
    expect(texts().slice(1)).toEqual([
      "✅ Plano Máquina ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.",
    ]);
  });
});

describe("boleto", () => {
  it("says the boleto is pending, then activates when it is paid late", async () => {
    const { accountId, session, sub } = await subscriber({ status: "incomplete" });
    await send("checkout.session.completed", session);
    await send("customer.subscription.created", t.stripe.snapshot(sub.id));
    expect(texts()).toEqual([
      "🧾 Boleto gerado para o plano Máquina. Assim que o banco confirmar o pagamento (em geral até 3 dias úteis), aviso aqui e o plano é ativado.",
    ]);
    expect((await status(accountId)).plan.id).toBe("free_trial");

    t.clock.advance(2 * DAY_MS);
    t.stripe.updateSubscription(sub.id, { status: "active" });
    await send("checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" });
    await send("invoice.paid", t.stripe.invoice({ subscription: sub.id, customer: sub.customer }));
    await send("checkout.session.completed", session); // a duplicate of the first, redelivered late
    const s = await status(accountId);
    expect(s.plan.id).toBe("maquina");
    expect(s.subscriptionStatus).toBe("active");
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toBe("✅ Plano Máquina ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.");
  });

  it("says once that an expired boleto activated nothing", async () => {
    const { accountId, session, sub } = await subscriber({ status: "incomplete" });
    await send("checkout.session.completed", session);
    t.clock.advance(4 * DAY_MS);
    const expired = t.stripe.updateSubscription(sub.id, {
      status: "incomplete_expired",
      ended_at: Math.floor(t.clock.now().getTime() / 1000),
    });
    await send("checkout.session.async_payment_failed", session);
    await send("customer.subscription.deleted", expired);
    await send("customer.subscription.updated", expired);
    expect((await status(accountId)).plan.id).toBe("free_trial");
    expect(texts()).toHaveLength(2);
    expect(texts()[1]).toBe(
      "❌ O pagamento do plano Máquina não foi confirmado (boleto vencido ou pagamento recusado), então o plano não foi ativado. Para tentar de novo, toque abaixo.",
    );
    const retry = (t.notifier.sent[1]!.replies[0] as Extract<Reply, { kind: "text" }>)
      .buttons?.[0] as LinkButton;
    expect(retry?.url).toMatch(/^https:\/\/bot\.example\.test\/upgrade\?token=/);
    // A session that expired unpaid without any subscription changes nothing.
    expect(
      (await t.send("checkout.session.expired", { ...session, status: "expired", subscription: null }))
        .status,
    ).toBe(200);
  });
});

describe("renewals, failures, cancellation, plan changes", () => {
  it("keeps a past-due plan usable for BILLING_GRACE_DAYS, then refuses it until it is paid", async () => {
    const { accountId, session, sub } = await subscriber();
    await send("checkout.session.completed", session);
    t.clock.advance(30 * DAY_MS);
    const periodEnd = Math.floor(t.clock.now().getTime() / 1000) + 31 * 86_400;
    const pastDue = t.stripe.updateSubscription(sub.id, { status: "past_due", periodEnd });
    const invoice = t.stripe.invoice({ subscription: sub.id, customer: sub.customer, status: "open" });
    await send("invoice.payment_failed", invoice);
    await send("customer.subscription.updated", pastDue);
    expect(texts()[1]).toBe(
      "⚠️ Não conseguimos cobrar a assinatura do plano Máquina. As buscas continuam até 29/12/2026; depois disso ficam suspensas até o pagamento. Atualize o cartão ou pague a fatura em “Regularizar pagamento”.",
    );
    const button = (t.notifier.sent[1]!.replies[0] as Extract<Reply, { kind: "text" }>)
      .buttons?.[0] as LinkButton;
    expect(button?.label).toBe("Regularizar pagamento");
    expect(button?.url).toMatch(/^https:\/\/bot\.example\.test\/billing\/portal\?token=/);
    expect((await canSearch(accountId)).allowed).toBe(true);
    expect((await status(accountId)).subscriptionStatus).toBe("past_due");

    t.clock.advance(7 * DAY_MS + 1000);
    const refused = await canSearch(accountId);
    expect(refused).toMatchObject({ allowed: false, reason: "payment_overdue", planId: "maquina" });

    t.stripe.updateSubscription(sub.id, { status: "active" });
    await send("invoice.paid", { ...invoice, status: "paid" });
    expect(texts()[2]).toBe(
      "✅ Pagamento confirmado. Plano Máquina ativo até 22/01/2027 — 300 buscas por mês e planilhas Excel.",
    );
    expect((await canSearch(accountId)).allowed).toBe(true);
    expect(texts()).toHaveLength(3);
  });

  it("renews quietly, tells a scheduled cancellation, and ends at the period end", async () => {
    const { accountId, session, sub } = await subscriber({ plan: "consultor_agil" });
    await send("checkout.session.completed", session);
    t.clock.advance(30 * DAY_MS);
    const renewedEnd = Math.floor(t.clock.now().getTime() / 1000) + 31 * 86_400;
    t.stripe.updateSubscription(sub.id, { periodEnd: renewedEnd });
    await send("invoice.paid", t.stripe.invoice({ subscription: sub.id, customer: sub.customer }));
    expect((await status(accountId)).periodEnd?.getTime()).toBe(renewedEnd * 1000);
    expect(texts()).toHaveLength(1);

    await send(
      "customer.subscription.updated",
      t.stripe.updateSubscription(sub.id, { cancel_at_period_end: true }),
    );
    expect(texts()[1]).toMatch(
      /^Assinatura cancelada: o plano Consultor Ágil continua ativo até \d\d\/\d\d\/\d{4} e não será renovado/,
    );
    expect((await canSearch(accountId)).allowed).toBe(true);

    t.clock.advance(31 * DAY_MS);
    const ended = t.stripe.updateSubscription(sub.id, { status: "canceled", ended_at: renewedEnd });
    await send("customer.subscription.deleted", ended);
    expect((await status(accountId)).subscriptionStatus).toBe("canceled");
    expect((await canSearch(accountId)).reason).toBe("plan_inactive");
    expect(texts()[2]).toContain("Sua assinatura do plano Consultor Ágil terminou");
  });

  it("follows a plan changed in the portal (price → plan by lookup key)", async () => {
    const { accountId, session, sub } = await subscriber({ plan: "consultor_agil" });
    await send("checkout.session.completed", session);
    const changed = t.stripe.updateSubscription(sub.id, { price: t.prices.maquina_monthly });
    await send("customer.subscription.updated", changed);
    const s = await status(accountId);
    expect(s.plan.id).toBe("maquina");
    expect(s.plan.excel).toBe(true);
    expect(texts()[1]).toBe(
      "🔄 Plano alterado de Consultor Ágil para Máquina, ativo até 22/12/2026 — 300 buscas por mês e planilhas Excel.",
    );
  });
});
