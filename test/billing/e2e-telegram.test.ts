import { afterAll, beforeAll, describe, it } from "vitest";
import type { ContractDriver } from "../bots/contract-driver.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { createTestApp, FIXTURE_NOW, type TestApp } from "../helpers/test-app.ts";
import { addPrices, runPurchase, stripeEnv } from "./e2e-flow.ts";

/** Telegram: buying a plan from the chat, end to end (grammY webhook mode against the fake Bot API). */

const SECRET = "billing_e2e-telegram";
const USER = 7001;
const onPostgres = await needPostgres();
let fake: FakeTelegram;
let pncp: FakePncp;
let stripe: FakeStripe;
let database: TestDatabase | null = null;
let testApp: TestApp;
let prices: Record<string, string>;

beforeAll(async () => {
  [fake, pncp, stripe] = await Promise.all([
    startFakeTelegram(),
    startFakePncp({ now: FIXTURE_NOW }),
    startFakeStripe(),
  ]);
  database = onPostgres ? await createTestDatabase() : null;
  prices = addPrices(stripe);
  testApp = await createTestApp({
    pncp,
    env: {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      ...stripeEnv(stripe, database?.url ?? null),
    },
  });
});
afterAll(async () => {
  await testApp?.close();
  await Promise.all([fake?.close(), pncp?.close(), stripe?.close()]);
  await database?.drop();
});

function driver(): ContractDriver {
  let update = 500_000;
  return {
    platform: "telegram",
    testApp,
    identity: () => ({ platform: "telegram", userId: String(USER), teamId: null, displayName: "Ana" }),
    async deliver(text) {
      const body = fake.textUpdate({
        updateId: ++update,
        text,
        fromId: USER,
        chatId: USER,
        firstName: "Ana",
      });
      const res = await fetch(`${testApp.baseUrl}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
    messages: () =>
      fake.sent.filter((m) => m.kind !== "document").map((m) => ({ text: m.text, buttons: m.buttons })),
    files: () =>
      fake
        .callsTo("sendDocument")
        .filter((c) => c.ok)
        .flatMap((c) => c.files.map((f) => ({ filename: f.filename, data: f.data }))),
    deliverOwnMessage: async () => 200,
    close: async () => undefined,
  };
}

describe("billing end to end: Telegram", () => {
  it("quota exhausted → upgrade link → Checkout → signed event → confirmation in the chat → Excel", async () => {
    await runPurchase({
      driver: driver(),
      stripe,
      prices,
      expectedChat: String(USER),
      noticesIn: (chat) =>
        fake.sent.filter((m) => m.kind === "send" && String(m.chatId) === chat).map((m) => m.text),
    });
  });
});
