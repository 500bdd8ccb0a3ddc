import { afterAll, beforeAll, describe, it } from "vitest";
import { createSlackDriverWith, SLACK, type SlackDriver } from "../bots/slack-driver.ts";
import { type FakeStripe, startFakeStripe } from "../fakes/fake-stripe.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { addPrices, runPurchase, stripeEnv } from "./e2e-flow.ts";

/** Slack: buying a plan from a slash command, end to end (Bolt + the fake Web API; notice by chat.postMessage). */

const onPostgres = await needPostgres();
let stripe: FakeStripe;
let database: TestDatabase | null = null;
let driver: SlackDriver;
let prices: Record<string, string>;

beforeAll(async () => {
  stripe = await startFakeStripe();
  database = onPostgres ? await createTestDatabase() : null;
  prices = addPrices(stripe);
  driver = await createSlackDriverWith({ env: stripeEnv(stripe, database?.url ?? null) });
});
afterAll(async () => {
  await driver?.close();
  await stripe?.close();
  await database?.drop();
});

describe("billing end to end: Slack", () => {
  it("quota exhausted → upgrade link → Checkout → signed event → confirmation in the channel → Excel", async () => {
    await runPurchase({
      driver,
      stripe,
      prices,
      expectedChat: SLACK.channelId,
      noticesIn: (chat) =>
        driver.fake.messages
          .filter((m) => m.via === "chat.postMessage" && m.channel === chat)
          .map((m) => m.text),
    });
  });
});
