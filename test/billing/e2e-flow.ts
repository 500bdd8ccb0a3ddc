import ExcelJS from "exceljs";
import { expect } from "vitest";
import type { ContractDriver } from "../bots/contract-driver.ts";
import { FAKE_STRIPE_KEY, FAKE_WEBHOOK_SECRET, type FakeStripe } from "../fakes/fake-stripe.ts";

/**
 * One end-to-end purchase, the same on every platform (real adapter + real SDKs against their loopback
 * fakes, the real composition root, notices through the platform's own Notifier): the trial's quota runs
 * out in chat → the refusal's upgrade button → `/upgrade` redirects (303) to the Checkout URL → `/assinar`
 * offers Máquina → its checkout → a signed `checkout.session.completed` → the chat is told in pt-BR → the
 * next search is allowed with the new plan's limits and gets its Excel file.
 */

/** Fixture week: SP records published 2026-09-15..21 (test/helpers/test-app.ts FIXTURE_NOW). */
export const QUERY = "/buscar SP 7d";

/** Env that turns Stripe on against `stripe` (added to the platform's env). */
export function stripeEnv(stripe: FakeStripe, databaseUrl: string | null): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET,
    STRIPE_API_URL: stripe.url,
    SYNC_ENABLED: "false",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

/** Prices as `smart-pncp billing setup` creates them. */
export function addPrices(stripe: FakeStripe): Record<string, string> {
  return {
    consultor_agil_monthly: stripe.addPrice({
      lookupKey: "consultor_agil_monthly",
      planId: "consultor_agil",
      unitAmount: 29700,
    }).id,
    maquina_monthly: stripe.addPrice({ lookupKey: "maquina_monthly", planId: "maquina", unitAmount: 59700 })
      .id,
    sala_guerra_monthly: stripe.addPrice({
      lookupKey: "sala_guerra_monthly",
      planId: "sala_guerra",
      unitAmount: 149700,
    }).id,
  };
}

/**
 * The upgrade links the user got: URL buttons, and links written in the text (WhatsApp sends several
 * link buttons as a "👉 *Label*\nURL" list, one CTA per message).
 */
function upgradeLinks(driver: ContractDriver): { label: string; url: string }[] {
  return driver.messages().flatMap((m) => {
    const inText = [...m.text.matchAll(/👉 \*?([^*\n]+?)\*?\n(https:\/\/\S+)/g)].map((x) => ({
      label: x[1] as string,
      url: x[2] as string,
    }));
    return [...m.buttons, ...inText].filter((b) => b.url.includes("/upgrade?token="));
  });
}

/** The path of our link on the test server (the button carries PUBLIC_BASE_URL). */
function onServer(driver: ContractDriver, url: string): string {
  const u = new URL(url);
  return `${driver.testApp.baseUrl}${u.pathname}${u.search}`;
}

export interface PurchaseOptions {
  driver: ContractDriver;
  stripe: FakeStripe;
  prices: Record<string, string>;
  /** Where the platform notifier posts for this user (chat id as the fake records it). */
  expectedChat: string;
  /** Reads the platform messages posted to `expectedChat` outside a reply (notices). */
  noticesIn(chat: string): string[];
}

export async function runPurchase(o: PurchaseOptions): Promise<void> {
  const { driver, stripe } = o;
  const { testApp } = driver;
  // 1. The trial's three searches, then a refusal with the upgrade button.
  for (let i = 1; i <= 3; i++) {
    testApp.clock.advance(61_000);
    await driver.deliver(QUERY, { deliveryId: `e2e-trial-${i}` });
    await testApp.drain();
  }
  expect(driver.files()).toEqual([]);
  testApp.clock.advance(61_000);
  await driver.deliver(QUERY, { deliveryId: "e2e-refused" });
  await testApp.drain();
  const all = driver
    .messages()
    .map((m) => m.text)
    .join("\n");
  expect(all).toContain("Você usou as 3 buscas do seu teste grátis.");
  const refusalButton = upgradeLinks(driver).at(-1);
  expect(refusalButton?.label).toContain("Consultor Ágil"); // WhatsApp CTAs: "Plano Consultor Ágil"

  // 2. The button's link redirects to Stripe Checkout for that plan.
  const redirect = await fetch(onServer(driver, refusalButton!.url), { redirect: "manual" });
  expect(redirect.status).toBe(303);
  const first = stripe.requestsTo("POST", "/v1/checkout/sessions").at(-1)!;
  expect(redirect.headers.get("location")).toMatch(/^https:\/\/checkout\.stripe\.test\//);
  expect(first.params.line_items).toEqual([{ price: o.prices.consultor_agil_monthly, quantity: "1" }]);

  // 3. /assinar lists the plans as link buttons; Máquina (the one with Excel) is bought.
  await driver.deliver("/assinar", { deliveryId: "e2e-assinar" });
  await testApp.drain();
  const maquina = upgradeLinks(driver).find((b) => b.label.endsWith("Máquina"));
  expect(maquina, "an Assinar Máquina button").toBeDefined();
  const checkout = await fetch(onServer(driver, maquina!.url), { redirect: "manual" });
  expect(checkout.status).toBe(303);
  const session = stripe.requestsTo("POST", "/v1/checkout/sessions").at(-1)!;
  const metadata = session.params.subscription_data.metadata;
  expect(metadata).toMatchObject({
    plan_id: "maquina",
    notify_chat_id: o.expectedChat,
    notify_platform: driver.platform,
  });
  expect(session.params.client_reference_id).toBe(metadata.account_id);

  // 4. The customer pays: Stripe creates the subscription and sends the signed event.
  const now = Math.floor(testApp.clock.now().getTime() / 1000);
  const sub = stripe.createSubscription({
    customer: `cus_e2e_${driver.platform}`,
    price: o.prices.maquina_monthly!,
    metadata,
    periodStart: now,
    periodEnd: now + 30 * 86_400,
  });
  const completed = stripe.checkoutSession({
    customer: sub.customer,
    subscription: sub.id,
    client_reference_id: session.params.client_reference_id,
    metadata: session.params.metadata,
  });
  const event = stripe.signedEvent("checkout.session.completed", completed, { timestamp: now });
  const res = await fetch(`${testApp.baseUrl}/stripe/webhook`, {
    method: "POST",
    headers: event.headers,
    body: event.body,
  });
  expect(res.status).toBe(200);
  await testApp.drain();

  // 5. The chat where the upgrade started is told.
  const until = new Date((now + 30 * 86_400) * 1000).toLocaleDateString("pt-BR", {
    timeZone: "America/Sao_Paulo",
  });
  expect(o.noticesIn(o.expectedChat)).toContain(
    `✅ Plano Máquina ativo até ${until} — 300 buscas por mês e planilhas Excel.`,
  );

  // 6. The next search is allowed on Máquina and gets its Excel file.
  testApp.clock.advance(61_000);
  await driver.deliver(QUERY, { deliveryId: "e2e-paid" });
  await testApp.drain();
  const files = driver.files();
  expect(files).toHaveLength(1);
  expect(files[0]!.filename).toMatch(/\.xlsx$/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(files[0]!.data as unknown as ArrayBuffer);
  expect(workbook.getWorksheet("Licitações")).toBeDefined();
  const accountId = metadata.account_id as string;
  const status = await testApp.store.getAccountStatus(accountId, testApp.clock.now());
  expect(status).toMatchObject({
    plan: { id: "maquina" },
    subscriptionStatus: "active",
    used: 1,
    remaining: 299,
  });
}
