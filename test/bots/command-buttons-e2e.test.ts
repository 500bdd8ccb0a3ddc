import { afterEach, describe, expect, it } from "vitest";
import { startFakeTelegram } from "../fakes/fake-telegram.ts";
import { buttonReplyWebhook, startFakeWhatsApp, textWebhook, WA } from "../fakes/fake-whatsapp.ts";
import { createTestApp } from "../helpers/test-app.ts";
import { createSlackDriverWith, dmEvent, eventBody, postSlack, SLACK } from "./slack-driver.ts";
import { postWebhook, whatsappEnv } from "./whatsapp-driver.ts";

/**
 * The whole product: plain text the grammar reads nothing in (`asdfgh qwerty`) is not searched; the core
 * offers a "🔎 Buscar …" command button, and tapping it on each platform runs the search (Buscando…).
 */

const PLAIN = "asdfgh qwerty";
const SEARCHING = /Buscando/;
const SECRET = "e2e_buttons-secret";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe("command buttons end to end", () => {
  it("Telegram: the offer's callback runs /buscar", async () => {
    const fake = await startFakeTelegram();
    const t = await createTestApp({
      env: {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
    });
    cleanup = async () => {
      await t.close();
      await fake.close();
    };
    const post = (update: object) =>
      fetch(`${t.baseUrl}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(update),
      });
    expect((await post(fake.textUpdate({ updateId: 1, text: PLAIN }))).status).toBe(200);
    await t.drain();
    const offer = fake.sent.find((m) => m.callbacks.length > 0);
    expect(offer, JSON.stringify(fake.sent.map((m) => m.text))).toBeDefined();
    expect(fake.sent.some((m) => SEARCHING.test(m.text))).toBe(false);

    await post(
      fake.callbackUpdate({ data: offer!.callbacks[0]!.data, queryId: "q1", messageId: offer!.messageId }),
    );
    await t.drain();
    expect(fake.callsTo("answerCallbackQuery")).toHaveLength(1);
    expect(fake.sent.some((m) => SEARCHING.test(m.text))).toBe(true);
  });

  it("WhatsApp: the offer's reply button runs /buscar", async () => {
    const graph = await startFakeWhatsApp({ token: WA.token, phoneNumberId: WA.phoneNumberId });
    const t = await createTestApp({ env: whatsappEnv(graph) });
    cleanup = async () => {
      await t.close();
      await graph.close();
    };
    expect(await postWebhook(t.baseUrl, textWebhook("wamid.E2E1", PLAIN))).toBe(200);
    await t.drain();
    const offer = graph.messages.find(
      (m) => m.type === "interactive" && m.body.interactive.type === "button",
    );
    expect(offer, JSON.stringify(graph.messages.map((m) => m.body))).toBeDefined();
    const reply = offer!.body.interactive.action.buttons[0].reply as { id: string; title: string };

    expect(await postWebhook(t.baseUrl, buttonReplyWebhook("wamid.E2E2", reply))).toBe(200);
    await t.drain();
    expect(graph.messages.some((m) => m.type === "text" && SEARCHING.test(m.body.text.body))).toBe(true);
  });

  it("Slack: the offer's Block Kit button runs /buscar", async () => {
    const driver = await createSlackDriverWith();
    cleanup = () => driver.close();
    const { fake, testApp } = driver;
    expect((await postSlack(testApp, eventBody("EvE2E", dmEvent(PLAIN)), "application/json")).status).toBe(
      200,
    );
    await testApp.drain();
    type Element = { action_id?: string; value?: string };
    const elements = fake.messages.flatMap((m) =>
      (m.blocks as { type: string; elements?: Element[] }[]).flatMap((b) =>
        b.type === "actions" ? (b.elements ?? []) : [],
      ),
    );
    const button = elements.find((e) => e.action_id?.startsWith("cmd_"));
    expect(button, JSON.stringify(fake.messages.map((m) => m.text))).toBeDefined();

    const payload = {
      type: "block_actions",
      user: { id: SLACK.userId, team_id: SLACK.teamId },
      team: { id: SLACK.teamId },
      channel: { id: SLACK.dmChannelId },
      container: { type: "message", channel_id: SLACK.dmChannelId, message_ts: "1790000000.000200" },
      trigger_id: "trig-e2e",
      response_url: fake.responseUrl("trig-e2e"),
      actions: [
        { type: "button", action_id: button!.action_id, value: button!.value, action_ts: "1790000001.1" },
      ],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    expect((await postSlack(testApp, body, "application/x-www-form-urlencoded")).status).toBe(200);
    await testApp.drain();
    expect(fake.messages.some((m) => SEARCHING.test(m.text))).toBe(true);
  });
});
