import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlBillingStore } from "../../src/stores/billing/function-billing-store.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { captureMain, foreignText } from "../cli-run.testing.ts";
import { FAKE_STRIPE_KEY, type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";

/**
 * `smart-pncp billing setup` (idempotent products and prices from the plans table, with the real SDK
 * against the fake Stripe) and `smart-pncp billing status KEY`, through the CLI's own main.
 */

const onPostgres = await needPostgres();
let stripe: FakeStripe;
let database: TestDatabase | null = null;
let env: Record<string, string>;
beforeAll(async () => {
  stripe = await startFakeStripe();
  database = onPostgres ? await createTestDatabase() : null;
  env = {
    STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
    STRIPE_API_URL: stripe.url,
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: "memory://" }),
  };
});
afterAll(async () => {
  await stripe?.close();
  await database?.drop();
});

describe.skipIf(!onPostgres)("smart-pncp billing", () => {
  it("setup creates a product and a monthly BRL price per paid plan, and a second run changes nothing", async () => {
    const first = await captureMain(["billing", "setup"], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      "Máquina: produto smart_pncp_maquina criado; preço mensal R$ 597,00 (maquina_monthly) criado",
    );
    expect(first.stdout).toContain("Pronto: a conta Stripe vende os planos pagos.");
    expect(foreignText(first.stdout)).toEqual([]);
    const products = stripe.requestsTo("POST", "/v1/products").map((r) => r.params);
    expect(products).toEqual([
      {
        id: "smart_pncp_consultor_agil",
        name: "Smart PNCP — Consultor Ágil",
        description: "50 buscas por mês, 30 dias de histórico",
        metadata: { plan_id: "consultor_agil" },
      },
      {
        id: "smart_pncp_maquina",
        name: "Smart PNCP — Máquina",
        description: "300 buscas por mês, 365 dias de histórico, planilha Excel",
        metadata: { plan_id: "maquina" },
      },
      {
        id: "smart_pncp_sala_guerra",
        name: "Smart PNCP — Sala de Guerra",
        description: "1000 buscas por mês, 1825 dias de histórico, planilha Excel, para a equipe toda",
        metadata: { plan_id: "sala_guerra" },
      },
    ]);
    expect(stripe.requestsTo("POST", "/v1/prices").map((r) => r.params)[1]).toEqual({
      product: "smart_pncp_maquina",
      currency: "brl",
      unit_amount: "59700",
      recurring: { interval: "month" },
      lookup_key: "maquina_monthly",
      transfer_lookup_key: "true",
      nickname: "Máquina mensal",
      metadata: { plan_id: "maquina" },
    });

    const writes = stripe.requests.filter((r) => r.method === "POST").length;
    const second = await captureMain(["billing", "setup"], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Nada a fazer");
    expect(second.stdout).toContain("já estava pronto");
    expect(stripe.requests.filter((r) => r.method === "POST")).toHaveLength(writes);
  });

  it("setup replaces a price whose amount changed, moving its lookup key and archiving the old one", async () => {
    const old = [...stripe.prices.values()].find((p) => p.lookup_key === "maquina_monthly")!;
    old.unit_amount = 49700; // as if the table's price had changed since
    const run = await captureMain(["billing", "setup"], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("(maquina_monthly) substituído");
    const current = [...stripe.prices.values()].filter((p) => p.lookup_key === "maquina_monthly");
    expect(current).toHaveLength(1);
    expect(current[0]!.unit_amount).toBe(59700);
    expect(stripe.prices.get(old.id)!.active).toBe(false);
  });

  it("status shows an account's customer, subscription, period and overdue payment", async () => {
    const store = await PgStore.open({ databaseUrl: database!.url, max: 2 });
    try {
      const accountId = await store.resolveIdentity({
        platform: "telegram",
        userId: "4243",
        teamId: null,
        displayName: null,
      });
      const billing = createSqlBillingStore(store);
      const sub = {
        subscriptionId: "sub_cli_status",
        customerId: "cus_cli_status",
        accountId,
        planId: "maquina" as const,
        priceId: "price_x",
        periodEnd: new Date("2027-01-10T12:00:00Z"),
        cancelAtPeriodEnd: false,
        endedAt: null,
      };
      await billing.saveCustomer(accountId, "cus_cli_status", { platform: "telegram", chatId: "4243" });
      await billing.applySubscription(
        { ...sub, stripeStatus: "active", observedAt: new Date("2026-12-01T12:00:00Z") },
        7,
      );
      await billing.applySubscription(
        { ...sub, stripeStatus: "past_due", observedAt: new Date("2026-12-02T12:00:00Z") },
        7,
      );
    } finally {
      await store.close();
    }
    const status = await captureMain(["billing", "status", "telegram:4243"], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("Cliente Stripe: cus_cli_status");
    expect(status.stdout).toContain("Assinatura: sub_cli_status [maquina] — pagamento atrasado");
    expect(status.stdout).toContain("Período atual até: 10/01/2027");
    expect(status.stdout).toContain("Pagamento atrasado desde 02/12/2026; buscas até 09/12/2026.");
    expect(status.stdout).toContain("Avisos para: telegram 4243");
    const json = await captureMain(["billing", "status", "telegram:4243", "--json"], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      plan: "maquina",
      billing: { customerId: "cus_cli_status" },
    });
  });

  it("status shows an account without Stripe billing, and usage errors in pt-BR", async () => {
    const status = await captureMain(["billing", "status", "telegram:4242"], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("Plano: Teste grátis [free_trial]");
    expect(status.stdout).toContain("Stripe: nenhuma assinatura paga on-line para esta conta.");
    const bad = await captureMain(["billing", "refund"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("uso: smart-pncp billing setup");
    const noKey = await captureMain(["billing", "setup"], { ...env, STRIPE_SECRET_KEY: "" });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("STRIPE_SECRET_KEY não está definido");
    const help = await captureMain(["billing", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Uso:\n {2}smart-pncp billing setup/);
    expect(foreignText(help.stdout)).toEqual([]);
  });
});
