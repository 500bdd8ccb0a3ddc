import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { LinkButton, Reply } from "../../src/core/chat/reply.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { type Core, createCore, openBillingStore } from "../../src/main.ts";
import { FAKE_STRIPE_KEY, type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import { privateCommand, recordingChat, recordingSink } from "../first-contact-harness.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";

/**
 * What the chat says about paying: `/assinar` lists link buttons per price (monthly and yearly), or says
 * online payment is not set up here; `/plano` on a plan paid through Stripe adds "Gerenciar assinatura";
 * an overdue payment shows "Regularizar pagamento" on `/plano` and on the refusal of a search.
 */

const NOW = new Date("2026-11-22T15:00:00-03:00");
const DAY = 86_400_000;
const onPostgres = await needPostgres();
let stripe: FakeStripe;
let database: TestDatabase | null = null;
let withStripe: Core;
let without: Core;

beforeAll(async () => {
  stripe = await startFakeStripe();
  stripe.addPrice({ lookupKey: "consultor_agil_monthly", planId: "consultor_agil", unitAmount: 29700 });
  stripe.addPrice({ lookupKey: "maquina_monthly", planId: "maquina", unitAmount: 59700 });
  stripe.addPrice({ lookupKey: "maquina_yearly", planId: "maquina", unitAmount: 597000, interval: "year" });
  database = onPostgres ? await createTestDatabase() : null;
  const base = {
    PNCP_BASE_URL: "http://127.0.0.1:9/api/consulta",
    UPGRADE_TOKEN_SECRET: "test-upgrade-secret",
    PUBLIC_BASE_URL: "https://bot.example.test",
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: "memory://" }),
  };
  const clock = new FixedClock(NOW);
  withStripe = await createCore(
    loadConfig({
      ...base,
      STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
      STRIPE_API_URL: stripe.url,
      BILLING_GRACE_DAYS: "3",
    }),
    { clock, logger: silentLogger() },
  );
  without = await createCore(loadConfig(base), {
    clock,
    logger: silentLogger(),
    store: withStripe.deps.store,
  });
});
afterAll(async () => {
  await without?.close();
  await withStripe?.close();
  await stripe?.close();
  await database?.drop();
});

async function say(core: Core, text: string, userId: string): Promise<Reply> {
  const sink = recordingSink();
  await recordingChat(core).chat.handle(privateCommand(text, { userId, now: NOW }), sink);
  expect(sink.replies).toHaveLength(1);
  return sink.replies[0]!;
}

function links(reply: Reply): LinkButton[] {
  return ((reply as { buttons?: LinkButton[] }).buttons ?? []).filter((b): b is LinkButton => "url" in b);
}

async function paying(userId: string, status: string, plan: "maquina" | "consultor_agil" = "maquina") {
  const { store } = withStripe.deps;
  const accountId = await store.resolveIdentity(
    { platform: "telegram", userId, teamId: null, displayName: null },
    NOW,
  );
  const billing = await openBillingStore(withStripe.config, store);
  const base = {
    subscriptionId: `sub_chat_${userId}`,
    customerId: `cus_chat_${userId}`,
    accountId,
    planId: plan,
    priceId: "price_x",
    periodEnd: new Date(NOW.getTime() + 30 * DAY),
    cancelAtPeriodEnd: false,
    endedAt: null,
  };
  await billing.applySubscription(
    { ...base, stripeStatus: "active", observedAt: new Date(NOW.getTime() - DAY) },
    3,
  );
  if (status !== "active")
    await billing.applySubscription({ ...base, stripeStatus: status, observedAt: NOW }, 3);
  return accountId;
}

describe("/assinar", () => {
  it("without Stripe lists the plans and says online payment is not set up here", async () => {
    const reply = await say(without, "/assinar", "nostripe-1");
    expect(reply.kind).toBe("text");
    expect((reply as { text: string }).text).toContain(
      "O pagamento on-line não está configurado neste servidor",
    );
    expect((reply as { text: string }).text).toContain("smart-pncp plan set");
    expect(links(reply)).toEqual([]);
  });

  it("with Stripe offers a link per price: monthly and yearly when both exist", async () => {
    const reply = await say(withStripe, "/assinar", "stripe-1");
    expect(reply.kind).toBe("upgrade");
    const labels = links(reply).map((b) => b.label);
    expect(labels).toEqual(["Assinar Consultor Ágil", "Assinar Máquina (mensal)", "Assinar Máquina (anual)"]);
    const yearly = links(reply).find((b) => b.label.endsWith("(anual)"))!;
    expect(yearly.url).toMatch(/^https:\/\/bot\.example\.test\/upgrade\?token=[^&]+&interval=yearly$/);
    // Sala de Guerra has no price in this Stripe account, and is a team plan (no team in a DM).
    expect(labels.some((l) => l.includes("Sala de Guerra"))).toBe(false);
  });
});

describe("/plano and refusals on a plan paid through Stripe", () => {
  it('adds "Gerenciar assinatura", a portal link created when opened', async () => {
    await paying("stripe-2", "active");
    const reply = await say(withStripe, "/plano", "stripe-2");
    const manage = links(reply).find((b) => b.label === "Gerenciar assinatura");
    expect(manage?.url).toMatch(/^https:\/\/bot\.example\.test\/billing\/portal\?token=/);
    expect(stripe.requestsTo("POST", "/v1/billing_portal/sessions")).toHaveLength(0);
  });

  it('past due: /plano gives the deadline and "Regularizar pagamento"; after it a search is refused with the same link', async () => {
    const accountId = await paying("stripe-3", "past_due");
    const plano = await say(withStripe, "/plano", "stripe-3");
    expect((plano as { text: string }).text).toContain("⚠️ Pagamento pendente: regularize até 25/11/2026");
    expect(links(plano)[0]?.label).toBe("Regularizar pagamento");

    const later = new FixedClock(new Date(NOW.getTime() + 3 * DAY + 1000));
    const sink = recordingSink();
    await recordingChat(withStripe, { clock: later }).chat.handle(
      privateCommand("/buscar SP 7d", { userId: "stripe-3", now: later.now() }),
      sink,
    );
    const refusal = sink.replies[0]!;
    expect(refusal.kind).toBe("upgrade");
    expect((refusal as { text: string }).text).toContain(
      "O pagamento da assinatura do plano Máquina está atrasado",
    );
    expect(links(refusal)).toEqual([
      { label: "Regularizar pagamento", url: expect.stringMatching(/\/billing\/portal\?token=/) },
    ]);
    expect((await withStripe.deps.store.getAccountStatus(accountId, later.now(), null)).used).toBe(0);
  });
});
