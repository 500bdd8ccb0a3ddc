import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PriceCatalog } from "../../src/billing/price-catalog.ts";
import { createStripeClient } from "../../src/billing/stripe-client.ts";
import { createUpgradeToken } from "../../src/core/upgrade-token.ts";
import { createSqlBillingStore } from "../../src/stores/billing/function-billing-store.ts";
import { SqlStore } from "../../src/stores/sql-store.ts";
import { FAKE_STRIPE_KEY, PINNED_API_VERSION } from "../fakes/fake-stripe.ts";
import { needPostgres } from "../helpers/services.ts";
import { type BillingApp, startBillingApp } from "./billing-harness.ts";

/**
 * Paying: the real stripe SDK against the loopback fake Stripe. `/upgrade?token=…` creates a Checkout
 * Session with exactly the parameters the issue asks for and redirects (303); a paying account goes to
 * the customer portal instead; prices come by lookup key or STRIPE_PRICE_<PLAN>.
 */

let t: BillingApp;
const onPostgres = await needPostgres();
beforeAll(async () => {
  // The local Postgres migrates in a fraction of PGlite's time; PGlite runs the same SQL elsewhere.
  t = await startBillingApp({ database: onPostgres ? "postgres" : "pglite" });
});
afterAll(async () => {
  await t?.close();
});

function token(accountId: string, planId: string, chatId = "555") {
  return createUpgradeToken(
    { accountId, planId, notify: { platform: "telegram", chatId } },
    { secret: "test-upgrade-secret", now: t.clock.now(), ttlHours: 1 },
  );
}

async function open(path: string): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { redirect: "manual" });
}

function billingStore() {
  const store = t.store;
  if (!(store instanceof SqlStore)) throw new Error("expected a SQL store");
  return createSqlBillingStore(store);
}

describe("GET /upgrade with Stripe configured", () => {
  it("creates a subscription Checkout Session with the exact parameters and redirects to it", async () => {
    const accountId = await t.account("telegram", "checkout-1");
    const before = t.stripe.requests.length;
    const res = await open(`/upgrade?token=${encodeURIComponent(token(accountId, "maquina"))}`);
    expect(res.status).toBe(303);
    const created = t.stripe.requests.slice(before).filter((r) => r.path === "/v1/checkout/sessions");
    expect(created).toHaveLength(1);
    const request = created[0]!;
    expect(res.headers.get("location")).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\//);
    const metadata = {
      account_id: accountId,
      plan_id: "maquina",
      notify_platform: "telegram",
      notify_chat_id: "555",
    };
    expect(request.params).toEqual({
      mode: "subscription",
      line_items: [{ price: t.prices.maquina_monthly, quantity: "1" }],
      client_reference_id: accountId,
      metadata,
      subscription_data: { metadata },
      success_url: "https://bot.example.test/billing/sucesso?session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "https://bot.example.test/billing/cancelado",
      locale: "pt-BR",
    });
    // No payment_method_types: the methods enabled in the dashboard (card, boleto) apply.
    expect(request.params).not.toHaveProperty("payment_method_types");
    expect(request.headers.authorization).toBe("Bearer sk_test_fake_1234567890");
    expect(request.headers["stripe-version"]).toBe(PINNED_API_VERSION);
    // MONITORING.md's business event for the click, with who clicked what.
    expect(t.logs.filter((l) => l.msg === "upgrade_clicked").at(-1)).toMatchObject({
      event: "upgrade_clicked",
      accountId,
      planId: "maquina",
      platform: "telegram",
    });
  });

  it("finds prices by lookup key, once per cache period", async () => {
    const lists = t.stripe.requestsTo("GET", "/v1/prices");
    expect(lists.length).toBe(1);
    expect(lists[0]!.query).toEqual({
      lookup_keys: [
        "consultor_agil_monthly",
        "consultor_agil_yearly",
        "maquina_monthly",
        "maquina_yearly",
        "sala_guerra_monthly",
        "sala_guerra_yearly",
      ],
      active: "true",
      limit: "100",
    });
  });

  it("uses the yearly price when the link asks for it, and reuses the account's customer", async () => {
    const accountId = await t.account("telegram", "checkout-2");
    await billingStore().saveCustomer(accountId, "cus_existing_2");
    const res = await open(
      `/upgrade?token=${encodeURIComponent(token(accountId, "maquina"))}&interval=yearly`,
    );
    expect(res.status).toBe(303);
    const request = t.stripe.requestsTo("POST", "/v1/checkout/sessions").at(-1)!;
    expect(request.params.line_items).toEqual([{ price: t.prices.maquina_yearly, quantity: "1" }]);
    expect(request.params.customer).toBe("cus_existing_2");
  });

  it("buys a team plan for the team's account named by the token", async () => {
    const teamAccount = await t.store.resolveTeam("telegram", "-100777");
    const res = await open(
      `/upgrade?token=${encodeURIComponent(token(teamAccount, "sala_guerra", "-100777"))}`,
    );
    expect(res.status).toBe(303);
    const request = t.stripe.requestsTo("POST", "/v1/checkout/sessions").at(-1)!;
    expect(request.params.client_reference_id).toBe(teamAccount);
    expect(request.params.subscription_data.metadata).toMatchObject({
      account_id: teamAccount,
      plan_id: "sala_guerra",
      notify_chat_id: "-100777",
    });
    expect(request.params.line_items[0].price).toBe(t.prices.sala_guerra_monthly);
  });

  it("sends an account that already pays to the customer portal instead of a second subscription", async () => {
    const accountId = await t.account("telegram", "checkout-3");
    const sub = t.stripe.createSubscription({
      customer: "cus_paying_3",
      price: t.prices.consultor_agil_monthly!,
      metadata: { account_id: accountId, plan_id: "consultor_agil" },
    });
    await billingStore().applySubscription(
      {
        subscriptionId: sub.id,
        customerId: "cus_paying_3",
        accountId,
        planId: "consultor_agil",
        stripeStatus: "active",
        priceId: t.prices.consultor_agil_monthly!,
        periodEnd: new Date(t.clock.now().getTime() + 30 * 86_400_000),
        cancelAtPeriodEnd: false,
        endedAt: null,
        observedAt: t.clock.now(),
      },
      7,
    );
    const sessions = t.stripe.requestsTo("POST", "/v1/checkout/sessions").length;
    const res = await open(`/upgrade?token=${encodeURIComponent(token(accountId, "maquina"))}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\//);
    expect(t.stripe.requestsTo("POST", "/v1/checkout/sessions")).toHaveLength(sessions);
    expect(t.stripe.requestsTo("POST", "/v1/billing_portal/sessions").at(-1)!.params).toEqual({
      customer: "cus_paying_3",
      return_url: "https://bot.example.test/billing/retorno",
      locale: "pt-BR",
    });
    // "Gerenciar assinatura" opens the same portal through /billing/portal.
    const portal = await open(
      `/billing/portal?token=${encodeURIComponent(token(accountId, "consultor_agil"))}`,
    );
    expect(portal.status).toBe(303);
    expect(portal.headers.get("location")).toMatch(/^https:\/\/billing\.stripe\.test\//);
  });

  it("answers a friendly pt-BR page when Stripe fails, and for bad, expired or customer-less links", async () => {
    const accountId = await t.account("telegram", "checkout-4");
    t.stripe.fail("POST", "/v1/checkout/sessions", 500, 3);
    const failed = await open(`/upgrade?token=${encodeURIComponent(token(accountId, "maquina"))}`);
    expect(failed.status).toBe(502);
    expect(await failed.text()).toContain("Não consegui falar com o sistema de pagamento agora");

    const forged = await open("/upgrade?token=abc.def");
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain("Link de assinatura inválido");

    const none = await open(`/billing/portal?token=${encodeURIComponent(token(accountId, "maquina"))}`);
    expect(none.status).toBe(404);
    expect(await none.text()).toContain("Não encontrei uma assinatura");

    for (const path of ["/billing/sucesso?session_id=cs_1", "/billing/cancelado", "/billing/retorno"]) {
      const page = await open(path);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html lang="pt-BR">');
    }
  });
});

describe("price catalog", () => {
  it("STRIPE_PRICE_<PLAN> names the price; only the other plans are looked up; prices map back to plans", async () => {
    const stripe = createStripeClient({ secretKey: FAKE_STRIPE_KEY, apiUrl: t.stripe.url });
    const catalog = new PriceCatalog(stripe, { overrides: { maquina_monthly: "price_override_maquina" } });
    const before = t.stripe.requestsTo("GET", "/v1/prices").length;
    expect(await catalog.priceFor("maquina", "monthly")).toBe("price_override_maquina");
    expect(await catalog.priceFor("maquina", "yearly")).toBe(t.prices.maquina_yearly);
    expect(await catalog.priceFor("sala_guerra", "yearly")).toBeNull();
    const lists = t.stripe.requestsTo("GET", "/v1/prices").slice(before);
    expect(lists).toHaveLength(1);
    expect(lists[0]!.query.lookup_keys).not.toContain("maquina_monthly");
    expect(await catalog.offers()).toEqual(
      new Map([
        ["consultor_agil", ["monthly"]],
        ["maquina", ["monthly", "yearly"]],
        ["sala_guerra", ["monthly"]],
      ]),
    );
    const overridden = { id: "price_override_maquina", lookup_key: null, metadata: {} } as never;
    expect(await catalog.planOfPrice(overridden)).toBe("maquina");
    const byKey = { id: "price_x", lookup_key: "sala_guerra_yearly", metadata: {} } as never;
    expect(await catalog.planOfPrice(byKey)).toBe("sala_guerra");
    const byMeta = { id: "price_y", lookup_key: null, metadata: { plan_id: "consultor_agil" } } as never;
    expect(await catalog.planOfPrice(byMeta)).toBe("consultor_agil");
    const foreign = { id: "price_z", lookup_key: "other_monthly", metadata: { plan_id: "gold" } } as never;
    expect(await catalog.planOfPrice(foreign)).toBeNull();
  });
});
