import { afterAll, beforeAll, describe, it } from "vitest";
import type { ContractDriver } from "../bots/contract-driver.ts";
import {
  postWebhook,
  sentFiles,
  textWebhook,
  toSentMessage,
  WA,
  whatsappEnv,
} from "../bots/whatsapp-driver.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import { type FakeWhatsApp, startFakeWhatsApp } from "../fakes/fake-whatsapp.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { createTestApp, FIXTURE_NOW, type TestApp } from "../helpers/test-app.ts";
import { addPrices, runPurchase, stripeEnv } from "./e2e-flow.ts";

/**
 * WhatsApp: buying a plan from the chat, end to end (signed Cloud API webhooks, the fake Graph API). The
 * confirmation goes out inside the 24-hour window the user's own messages opened.
 */

const onPostgres = await needPostgres();
let graph: FakeWhatsApp;
let pncp: FakePncp;
let stripe: FakeStripe;
let database: TestDatabase | null = null;
let testApp: TestApp;
let prices: Record<string, string>;

beforeAll(async () => {
  [graph, pncp, stripe] = await Promise.all([
    startFakeWhatsApp({ token: WA.token, phoneNumberId: WA.phoneNumberId }),
    startFakePncp({ now: FIXTURE_NOW }),
    startFakeStripe(),
  ]);
  database = onPostgres ? await createTestDatabase() : null;
  prices = addPrices(stripe);
  testApp = await createTestApp({
    pncp,
    env: { ...whatsappEnv(graph), ...stripeEnv(stripe, database?.url ?? null) },
  });
});
afterAll(async () => {
  await testApp?.close();
  await Promise.all([graph?.close(), pncp?.close(), stripe?.close()]);
  await database?.drop();
});

function driver(): ContractDriver {
  return {
    platform: "whatsapp",
    testApp,
    identity: () => ({ platform: "whatsapp", userId: WA.userId, teamId: null, displayName: null }),
    deliver: (text, { deliveryId }) =>
      postWebhook(testApp.baseUrl, textWebhook(`wamid.${deliveryId}`, text, { userId: WA.userId })),
    messages: () => graph.messages.map(toSentMessage),
    files: () => sentFiles(graph),
    deliverOwnMessage: async () => 200,
    close: async () => undefined,
  };
}

describe("billing end to end: WhatsApp", () => {
  it("quota exhausted → upgrade link → Checkout → signed event → confirmation in the chat → Excel", async () => {
    await runPurchase({
      driver: driver(),
      stripe,
      prices,
      // The chat the adapter gives the core for this user: where its replies and the notice go.
      get expectedChat() {
        return graph.messages[0]?.to ?? WA.userId;
      },
      noticesIn: (to) => graph.messages.filter((m) => m.to === to).map((m) => toSentMessage(m).text),
    });
  });
});
