import type { IdentityInput } from "../../src/core/ports/store.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import type { ContractDriver, DriverFactory, SentMessage, UploadedFile } from "./contract-driver.ts";

/** The webhook secret the Telegram test app runs with. */
export const TELEGRAM_TEST_SECRET = "contract_secret-42";
/** The default Telegram user of the driver (a private chat with the bot). */
export const TELEGRAM_TEST_USER = "1001";

/**
 * Drives the real grammY adapter in webhook mode: updates are POSTed to the app's `/telegram/webhook` with
 * the `X-Telegram-Bot-Api-Secret-Token` header, and everything the bot does lands in the loopback fake
 * Bot API. Delivery ids are mapped to integer `update_id`s (the same id gives the same update).
 */
export const createTelegramDriver: DriverFactory = async (options = {}) => {
  const fake = await startFakeTelegram();
  let testApp: TestApp;
  try {
    testApp = await createTestApp({
      pncp: options.pncp,
      now: options.now,
      env: {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_TEST_SECRET,
      },
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  return telegramDriver(fake, testApp);
};

function telegramDriver(fake: FakeTelegram, testApp: TestApp): ContractDriver {
  const updateIds = new Map<string, number>();
  const updateIdFor = (deliveryId: string): number => {
    let id = updateIds.get(deliveryId);
    if (id === undefined) {
      id = 100_000 + updateIds.size;
      updateIds.set(deliveryId, id);
    }
    return id;
  };

  const post = async (update: object, secret = TELEGRAM_TEST_SECRET): Promise<number> => {
    const res = await fetch(`${testApp.baseUrl}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  };

  return {
    platform: "telegram",
    testApp,
    identity(userId = TELEGRAM_TEST_USER): IdentityInput {
      return { platform: "telegram", userId, teamId: null, displayName: "Ana" };
    },
    deliver(text, { deliveryId, userId = TELEGRAM_TEST_USER, badSignature }) {
      const update = fake.textUpdate({
        updateId: updateIdFor(deliveryId),
        text,
        fromId: Number(userId),
        firstName: "Ana",
      });
      return post(update, badSignature ? `${TELEGRAM_TEST_SECRET}-wrong` : TELEGRAM_TEST_SECRET);
    },
    deliverOwnMessage(text, deliveryId) {
      const update = fake.textUpdate({
        updateId: updateIdFor(deliveryId),
        text,
        chatId: Number(TELEGRAM_TEST_USER),
        fromId: fake.botInfo.id,
        firstName: fake.botInfo.first_name,
        isBot: true,
      });
      return post(update);
    },
    messages(): SentMessage[] {
      return fake.sent
        .filter((m) => m.kind !== "document")
        .map((m) => ({ text: m.text, buttons: m.buttons }));
    },
    files(): UploadedFile[] {
      return fake
        .callsTo("sendDocument")
        .filter((c) => c.ok)
        .flatMap((c) => c.files.map((f) => ({ filename: f.filename, data: f.data })));
    },
    async close() {
      await testApp.close();
      await fake.close();
    },
  };
}
