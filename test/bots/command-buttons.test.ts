import { afterEach, describe, expect, it } from "vitest";
import { errorMessage } from "../../src/core/messages.ts";
import { buttonReplyWebhook, textWebhook, WA } from "../fakes/fake-whatsapp.ts";
import {
  type SlackHarness,
  startSlackHarness,
  startTelegramHarness,
  startWhatsAppHarness,
  type TelegramHarness,
  type WhatsAppHarness,
} from "./adapter-harness.ts";
import { dmEvent, eventBody, SLACK } from "./slack-driver.ts";

/**
 * Command buttons on every platform, through the real SDKs and the loopback fakes (which refuse what the
 * real APIs refuse: Slack values over 2000 characters, Telegram callback_data over 64 bytes, WhatsApp reply
 * ids over 256 characters or titles over 20): plain text gets a "🔎 Buscar “…”" button, and tapping it
 * runs `/buscar <text>` as if typed, with the tap's own delivery id. Commands too long for the payload
 * field are kept in the adapter's bounded map; a key it no longer has gets the pt-BR "button expired".
 */

const SHORT = "asdfgh qwerty";
/** Over every platform's payload limit once prefixed with `/buscar `. */
const LONG = `materiais de construção ${"cimento areia brita tijolo ".repeat(90)}`.trim();

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Slack command buttons", () => {
  async function setUp(): Promise<SlackHarness> {
    const h = await startSlackHarness();
    close = () => h.close();
    return h;
  }

  /** The `cmd_` buttons of the last message posted. */
  function commandButtons(h: SlackHarness): { action_id: string; value: string; text: { text: string } }[] {
    const last = h.fake.messages.at(-1);
    const blocks = (last?.blocks ?? []) as { type: string; elements?: { action_id?: string }[] }[];
    return blocks
      .flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []))
      .filter((e) => e.action_id?.startsWith("cmd_")) as never;
  }

  function tap(
    h: SlackHarness,
    button: { action_id: string; value: string },
    triggerId: string,
    channel = SLACK.dmChannelId,
  ) {
    const payload = {
      type: "block_actions",
      user: { id: SLACK.userId, username: "maria", team_id: SLACK.teamId },
      api_app_id: "A0FAKE",
      token: "deprecated",
      container: {
        type: "message",
        message_ts: "1790000000.000200",
        channel_id: channel,
        is_ephemeral: false,
      },
      trigger_id: triggerId,
      team: { id: SLACK.teamId, domain: "equipe-teste" },
      channel: { id: channel, name: "directmessage" },
      response_url: h.fake.responseUrl(triggerId),
      actions: [
        {
          type: "button",
          action_id: button.action_id,
          block_id: "b1",
          text: { type: "plain_text", text: "🔎 Buscar" },
          value: button.value,
          action_ts: "1790000001.000300",
        },
      ],
    };
    return h.post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      "application/x-www-form-urlencoded",
    );
  }

  it("renders a Block Kit button and runs its command when tapped", async () => {
    const h = await setUp();
    const sent = await h.post(eventBody("Ev001", dmEvent(SHORT)), "application/json");
    expect(sent.status).toBe(200);
    await eventually(() => commandButtons(h).length === 1);
    const [button] = commandButtons(h);
    expect(button!.text.text).toBe(`🔎 Buscar “${SHORT}”`);

    const res = await tap(h, button!, "trigger-1");
    expect(res.status).toBe(200);
    await eventually(() => h.commands.length === 2);
    expect(h.commands[1]).toMatchObject({
      platform: "slack",
      userKey: `slack:${SLACK.teamId}:${SLACK.userId}`,
      teamId: SLACK.teamId,
      chatId: SLACK.dmChannelId,
      isPrivate: true,
      text: `/buscar ${SHORT}`,
      messageId: "action:trigger-1",
    });
    // The same tap delivered twice carries the same delivery id, so the core's claim drops the copy.
    await tap(h, button!, "trigger-1");
    await eventually(() => h.commands.length === 3);
    expect(h.commands[2]!.messageId).toBe(h.commands[1]!.messageId);
  });

  it("keeps a command over 2000 characters server-side and still runs it whole", async () => {
    const h = await setUp();
    await h.post(eventBody("Ev002", dmEvent(LONG)), "application/json");
    await eventually(() => commandButtons(h).length === 1);
    const [button] = commandButtons(h);
    expect(button!.value.length).toBeLessThanOrEqual(2000);
    await tap(h, button!, "trigger-2");
    await eventually(() => h.commands.length === 2);
    expect(h.commands[1]!.text).toBe(`/buscar ${LONG}`);
  });

  it("answers an unknown key with the pt-BR 'button expired' and runs nothing", async () => {
    const h = await setUp();
    await tap(h, { action_id: "cmd_0", value: "k:nothere123" }, "trigger-3");
    await eventually(() => h.fake.responses.length === 1);
    expect(h.fake.responses[0]!.body.text).toBe(errorMessage("BUTTON_EXPIRED"));
    expect(h.commands).toEqual([]);
  });
});

describe("Telegram command buttons", () => {
  async function setUp(): Promise<TelegramHarness> {
    const h = await startTelegramHarness();
    close = () => h.close();
    return h;
  }

  it("renders an inline keyboard callback, answers the callback at once and runs the command", async () => {
    const h = await setUp();
    const res = await h.post(JSON.stringify(h.fake.textUpdate({ updateId: 10, text: SHORT })));
    expect(res.status).toBe(200);
    await eventually(() => h.fake.sent.some((m) => m.callbacks.length === 1));
    const message = h.fake.sent.find((m) => m.callbacks.length === 1)!;
    expect(message.callbacks[0]!.label).toBe(`🔎 Buscar “${SHORT}”`);

    const tap = h.fake.callbackUpdate({
      data: message.callbacks[0]!.data,
      queryId: "q-77",
      messageId: message.messageId,
    });
    expect((await h.post(JSON.stringify(tap))).status).toBe(200);
    await h.idle();
    expect(h.fake.callsTo("answerCallbackQuery").map((c) => c.params.callback_query_id)).toEqual(["q-77"]);
    expect(h.commands[1]).toMatchObject({
      platform: "telegram",
      userKey: "telegram:1001",
      chatId: "1001",
      isPrivate: true,
      text: `/buscar ${SHORT}`,
      messageId: "callback:q-77",
    });
    expect(h.fake.sent.at(-1)!.text).toBe(`eco: /buscar ${SHORT}`);
  });

  it("fits callback_data into 64 bytes for long and multi-byte commands", async () => {
    const h = await setUp();
    const text = `${"ção ".repeat(20)}fim`;
    await h.post(JSON.stringify(h.fake.textUpdate({ updateId: 11, text })));
    await eventually(() => h.fake.sent.some((m) => m.callbacks.length === 1));
    const data = h.fake.sent.find((m) => m.callbacks.length === 1)!.callbacks[0]!.data;
    expect(Buffer.byteLength(data, "utf8")).toBeLessThanOrEqual(64);
    await h.post(JSON.stringify(h.fake.callbackUpdate({ data, queryId: "q-78" })));
    await h.idle();
    expect(h.commands[1]!.text).toBe(`/buscar ${text}`);
  });

  it("answers an expired key in the callback toast, in pt-BR, and runs nothing", async () => {
    const h = await setUp();
    await h.post(
      JSON.stringify(h.fake.callbackUpdate({ data: "k:gone000000", queryId: "q-79", messageId: 1 })),
    );
    await h.idle();
    const answers = h.fake.callsTo("answerCallbackQuery");
    expect(answers.map((c) => [c.params.callback_query_id, c.params.text])).toEqual([
      ["q-79", errorMessage("BUTTON_EXPIRED")],
    ]);
    expect(answers[0]!.ok).toBe(true);
    expect(h.commands).toEqual([]);
  });
});

describe("WhatsApp command buttons", () => {
  async function setUp(): Promise<WhatsAppHarness> {
    const h = await startWhatsAppHarness();
    close = () => h.close();
    return h;
  }

  function replyButtons(h: WhatsAppHarness): { id: string; title: string }[] {
    const message = h.fake.messages.find(
      (m) => m.type === "interactive" && m.body.interactive.type === "button",
    );
    return (message?.body.interactive.action.buttons ?? []).map(
      (b: { reply: { id: string; title: string } }) => b.reply,
    );
  }

  it("sends an interactive reply button and runs its command when tapped", async () => {
    const h = await setUp();
    expect(await h.post(JSON.stringify(textWebhook("wamid.TEXT1", SHORT)))).toMatchObject({ status: 200 });
    await h.idle();
    const [button] = replyButtons(h);
    expect(button!.title.length).toBeLessThanOrEqual(20);
    expect(button!.id.length).toBeLessThanOrEqual(256);

    await h.post(JSON.stringify(buttonReplyWebhook("wamid.TAP1", button!)));
    await h.idle();
    expect(h.commands[1]).toMatchObject({
      platform: "whatsapp",
      userKey: `whatsapp:${WA.phone}`,
      chatId: WA.phone,
      text: `/buscar ${SHORT}`,
      messageId: "wamid.TAP1",
    });
    expect(h.fake.messages.at(-1)!.body.text.body).toBe(`eco: /buscar ${SHORT}`);
  });

  it("keeps a command over 256 characters server-side", async () => {
    const h = await setUp();
    await h.post(JSON.stringify(textWebhook("wamid.TEXT2", LONG)));
    await h.idle();
    const [button] = replyButtons(h);
    expect(button!.id.startsWith("k:")).toBe(true);
    await h.post(JSON.stringify(buttonReplyWebhook("wamid.TAP2", button!)));
    await h.idle();
    expect(h.commands[1]!.text).toBe(`/buscar ${LONG}`);
  });

  it("answers an expired key once, in pt-BR, and runs nothing", async () => {
    const h = await setUp();
    const tap = JSON.stringify(buttonReplyWebhook("wamid.TAP3", { id: "k:gone000000", title: "🔎 Buscar" }));
    await h.post(tap);
    await h.post(tap);
    await h.idle();
    expect(h.commands).toEqual([]);
    expect(h.fake.messages.map((m) => m.body.text?.body)).toEqual([errorMessage("BUTTON_EXPIRED")]);
  });
});
