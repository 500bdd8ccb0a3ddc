import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifierRouter } from "../../src/bots/notifier-router.ts";
import { createTelegramNotifier } from "../../src/bots/telegram-notifier.ts";
import { createWhatsAppClient } from "../../src/bots/whatsapp-client.ts";
import { createWhatsAppNotifier } from "../../src/bots/whatsapp-notifier.ts";
import { loadConfig } from "../../src/config.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { ChatAddress } from "../../src/core/ports/notifier.ts";
import { type Core, createCore } from "../../src/main.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { type FakeWhatsApp, startFakeWhatsApp, WA } from "../fakes/fake-whatsapp.ts";
import { BILLING_TEXT } from "./replies.ts";

/**
 * The outbox as `src/main.ts` builds it (PGlite store, the chat core's contact hook) with the real
 * notifiers against the loopback Graph and Bot APIs: a WhatsApp notice held outside the window goes out
 * when the user writes; a chat that blocked the bot is paused, alerts are told, and it resumes on contact.
 */

const clock = new FixedClock("2026-12-01T10:00:00Z");
let graph: FakeWhatsApp;
let telegram: FakeTelegram;
let core: Core;
const unreachable: [ChatAddress, string | undefined][] = [];
let n = 0;

beforeAll(async () => {
  graph = await startFakeWhatsApp();
  telegram = await startFakeTelegram();
  const logger = silentLogger();
  let lastInbound: (chatId: string) => Promise<Date | null> = async () => null;
  const notifier = createNotifierRouter(
    {
      telegram: createTelegramNotifier({ token: telegram.token, apiRoot: telegram.apiRoot, logger }),
      whatsapp: createWhatsAppNotifier({
        client: createWhatsAppClient({
          token: graph.token,
          phoneNumberId: graph.phoneNumberId,
          graphUrl: graph.url,
          apiVersion: WA.apiVersion,
          maxRetries: 0,
        }),
        lastInboundAt: (chatId) => lastInbound(chatId),
        clock,
        logger,
      }),
    },
    logger,
  );
  const config = loadConfig({ DATA_DIR: "memory://", SYNC_ENABLED: "false" });
  core = await createCore(config, { clock, logger, notifier });
  const outboxStore = core.outbox.store;
  lastInbound = async (chatId) => (await outboxStore.chatState("whatsapp", chatId)).lastInboundAt;
  core.outbox.outbox.onChatUnreachable((to, detail) => {
    unreachable.push([to, detail]);
  });
});
afterAll(async () => {
  await core?.close();
  await graph?.close();
  await telegram?.close();
});

function command(platform: "whatsapp" | "telegram", chatId: string, text: string): IncomingCommand {
  n++;
  return {
    platform,
    userKey: `${platform}:${chatId}`,
    userId: chatId,
    teamId: null,
    displayName: "Maria",
    chatId,
    isPrivate: true,
    text,
    messageId: `e2e-${n}`,
    receivedAt: clock.now(),
  };
}

const sink = () => {
  const replies: Reply[] = [];
  return { replies, send: async (reply: Reply) => void replies.push(reply) };
};

describe("outbox end to end", () => {
  it("a WhatsApp notice outside the window is held, and sent when the user writes", async () => {
    const sender = core.outbox.sender!;
    const to: ChatAddress = { platform: "whatsapp", chatId: WA.phone };
    await core.outbox.outbox.enqueue({
      key: "billing:evt_e2e",
      to,
      replies: [BILLING_TEXT],
      purpose: "billing",
    });
    await sender.runOnce();
    expect(graph.requests).toHaveLength(0);
    expect(await core.outbox.outbox.message("billing:evt_e2e")).toMatchObject({ status: "held" });

    clock.advance(3 * 3_600_000);
    const reply = sink();
    await core.chat.handle(command("whatsapp", WA.phone, "/ajuda"), reply);
    expect(reply.replies.map((r) => r.kind)).toEqual(["text"]);
    await sender.runOnce();
    expect(graph.messages.map((m) => m.body.text?.body)).toEqual([
      expect.stringContaining("Plano Máquina ativo até 22/12/2026"),
    ]);
    expect(await core.outbox.outbox.message("billing:evt_e2e")).toMatchObject({ status: "sent" });
  });

  it("a Telegram chat that blocked the bot is paused (alerts told), then resumes when it writes again", async () => {
    const sender = core.outbox.sender!;
    const to: ChatAddress = { platform: "telegram", chatId: "4242" };
    telegram.fail("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await core.outbox.outbox.enqueue({ key: "alert:1:bid-1", to, replies: [BILLING_TEXT], purpose: "alert" });
    await core.outbox.outbox.enqueue({ key: "alert:1:bid-2", to, replies: [BILLING_TEXT], purpose: "alert" });
    await sender.runOnce();
    expect(telegram.callsTo("sendMessage")).toHaveLength(1);
    expect(unreachable).toEqual([[to, "403 Forbidden: bot was blocked by the user"]]);
    expect(await core.outbox.outbox.isUnreachable(to)).toBe(true);
    clock.advance(60_000);
    await sender.runOnce();
    expect(telegram.callsTo("sendMessage")).toHaveLength(1);

    await core.chat.handle(command("telegram", "4242", "/start"), sink());
    expect(await core.outbox.outbox.isUnreachable(to)).toBe(false);
    await sender.runOnce();
    clock.advance(2000);
    await sender.runOnce();
    const delivered = telegram.sent.filter((m) => m.chatId === 4242 && m.text.includes("Plano Máquina"));
    expect(delivered).toHaveLength(2);
    expect(await core.outbox.outbox.message("alert:1:bid-2")).toMatchObject({ status: "sent" });
  });
});
