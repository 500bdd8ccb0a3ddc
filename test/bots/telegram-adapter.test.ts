import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { BotAdapter } from "../../src/bots/adapter.ts";
import {
  createTelegramAdapter,
  TELEGRAM_COMMANDS,
  type TelegramAdapterConfig,
} from "../../src/bots/telegram.ts";
import type { ChatService } from "../../src/core/chat/chat-service.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Store } from "../../src/core/ports/store.ts";
import { createHttpServer, listen } from "../../src/server/http-server.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";

/**
 * The adapter alone, with a stand-in chat core that records commands and echoes them: identity mapping,
 * filtering, webhook verification, polling and auto-retry, independent of the search core.
 */

const NOW = new Date("2026-03-02T12:00:00Z");
const SECRET = "webhook_secret-123";

interface Harness {
  fake: FakeTelegram;
  adapter: BotAdapter;
  commands: IncomingCommand[];
  server?: Server;
  baseUrl?: string;
}

let harness: Harness | undefined;

async function setUp(options: { webhook?: boolean; handle?: ChatService["handle"] } = {}): Promise<Harness> {
  const fake = await startFakeTelegram();
  const commands: IncomingCommand[] = [];
  const chat: ChatService = {
    handle:
      options.handle ??
      (async (cmd, sink) => {
        commands.push(cmd);
        await sink.send({ kind: "text", text: `eco: ${cmd.text}` });
      }),
  };
  const config: TelegramAdapterConfig = {
    enabled: true,
    webhook: options.webhook ?? false,
    token: fake.token,
    apiRoot: fake.apiRoot,
    webhookSecret: options.webhook ? SECRET : undefined,
  };
  const logger = silentLogger();
  const adapter = createTelegramAdapter(config, {
    chat,
    // The adapter never touches the store: the core claims deliveries.
    store: {} as Store,
    logger,
    clock: new FixedClock(NOW),
    publicBaseUrl: "http://localhost:3000",
  });
  const h: Harness = { fake, adapter, commands };
  if (options.webhook) {
    h.server = createHttpServer({ routes: adapter.routes, logger });
    h.baseUrl = await listen(h.server, 0, "127.0.0.1");
  }
  await adapter.start();
  harness = h;
  return h;
}

afterEach(async () => {
  if (!harness) return;
  await harness.adapter.stop();
  if (harness.server) await new Promise<void>((resolve) => harness!.server!.close(() => resolve()));
  await harness.fake.close();
  harness = undefined;
});

function post(h: Harness, body: unknown, secret: string | null = SECRET): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
  return fetch(`${h.baseUrl}/telegram/webhook`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("Telegram adapter, long polling", () => {
  it("starts with getMe, the pt-BR command menu and deleteWebhook keeping pending updates", async () => {
    const h = await setUp();
    expect(h.adapter.routes).toEqual([]);
    expect(h.fake.callsTo("getMe")).toHaveLength(1);
    expect(h.fake.callsTo("setMyCommands")[0]!.params.commands).toEqual(TELEGRAM_COMMANDS);
    expect(TELEGRAM_COMMANDS.map((c) => c.command)).toEqual([
      "buscar",
      "setores",
      "plano",
      "assinar",
      "ajuda",
      "start",
    ]);
    expect(h.fake.callsTo("deleteWebhook")[0]!.params).toEqual({ drop_pending_updates: false });
  });

  it("turns a private message into an IncomingCommand and answers in the same chat", async () => {
    const h = await setUp();
    h.fake.pushUpdate(h.fake.textUpdate({ updateId: 501, text: "/start", fromId: 1001, firstName: "Ana" }));
    await h.fake.waitFor((f) => f.sent.length === 1);
    expect(h.commands).toEqual([
      expect.objectContaining({
        platform: "telegram",
        userKey: "telegram:1001",
        userId: "1001",
        teamId: null,
        displayName: "Ana",
        chatId: "1001",
        isPrivate: true,
        text: "/start",
        messageId: "501",
        receivedAt: NOW,
      }),
    ]);
    expect(h.fake.sent[0]).toMatchObject({ chatId: 1001, text: "eco: /start", replyTo: undefined });
  });

  it("treats a group as the team, replies to the user's message and ignores commands for other bots", async () => {
    const h = await setUp();
    const group = { chatType: "supergroup" as const, chatId: -1009, fromId: 2002 };
    h.fake.pushUpdate(
      h.fake.textUpdate({ ...group, updateId: 600, text: "/buscar@OutroBot uniformes", messageId: 70 }),
    );
    h.fake.pushUpdate(
      h.fake.textUpdate({
        ...group,
        updateId: 601,
        text: "/buscar@SmartPncpTestBot uniformes SP",
        messageId: 71,
      }),
    );
    await h.fake.waitFor((f) => f.sent.length === 1);
    expect(h.commands).toHaveLength(1);
    expect(h.commands[0]).toMatchObject({
      userKey: "telegram:2002",
      userId: "2002",
      teamId: "-1009",
      chatId: "-1009",
      isPrivate: false,
      text: "/buscar@SmartPncpTestBot uniformes SP",
      messageId: "601",
    });
    expect(h.fake.sent[0]).toMatchObject({ chatId: -1009, replyTo: 71 });
  });

  it("ignores messages written by bots, its own included", async () => {
    const h = await setUp();
    const own = h.fake.textUpdate({
      updateId: 700,
      text: "🔎 Buscando…",
      fromId: h.fake.botInfo.id,
      isBot: true,
    });
    h.fake.pushUpdate(own);
    h.fake.pushUpdate(h.fake.textUpdate({ updateId: 701, text: "/ajuda" }));
    await h.fake.waitFor((f) => f.sent.length === 1);
    expect(h.commands.map((c) => c.messageId)).toEqual(["701"]);
  });

  it("retries a 429 on sendMessage after retry_after (auto-retry)", async () => {
    const h = await setUp();
    h.fake.fail("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    h.fake.pushUpdate(h.fake.textUpdate({ updateId: 800, text: "/plano" }));
    await h.fake.waitFor((f) => f.sent.length === 1);
    expect(h.fake.callsTo("sendMessage").map((c) => c.ok)).toEqual([false, true]);
    expect(h.fake.sent[0]!.text).toBe("eco: /plano");
  });

  it("answers stray callback queries", async () => {
    const h = await setUp();
    h.fake.pushUpdate({
      update_id: 900,
      callback_query: {
        id: "cb1",
        from: { id: 1001, is_bot: false, first_name: "Ana" },
        chat_instance: "ci",
        data: "x",
      },
    });
    await h.fake.waitFor((f) => f.callsTo("answerCallbackQuery").length === 1);
    expect(h.fake.callsTo("answerCallbackQuery")[0]!.params.callback_query_id).toBe("cb1");
  });

  it("keeps serving after a handler fails, telling the user in pt-BR", async () => {
    let calls = 0;
    const h = await setUp({
      handle: async (_cmd, sink) => {
        calls += 1;
        if (calls === 1) throw new Error("boom");
        await sink.send({ kind: "text", text: "ok" });
      },
    });
    h.fake.pushUpdate(h.fake.textUpdate({ updateId: 1000, text: "/plano" }));
    h.fake.pushUpdate(h.fake.textUpdate({ updateId: 1001, text: "/plano" }));
    await h.fake.waitFor((f) => f.sent.length === 2);
    expect(h.fake.sent[0]!.text).toMatch(/erro|tente/i);
    expect(h.fake.sent[1]!.text).toBe("ok");
  });
});

describe("Telegram adapter, webhook", () => {
  it("mounts POST /telegram/webhook and does not poll", async () => {
    const h = await setUp({ webhook: true });
    expect(h.adapter.routes.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /telegram/webhook"]);
    expect(h.fake.callsTo("getUpdates")).toEqual([]);
    expect(h.fake.callsTo("deleteWebhook")).toEqual([]);
  });

  it("handles an update with the right secret and answers 200", async () => {
    const h = await setUp({ webhook: true });
    const res = await post(h, h.fake.textUpdate({ updateId: 42, text: "/ajuda" }));
    expect(res.status).toBe(200);
    expect(h.commands.map((c) => c.messageId)).toEqual(["42"]);
    expect(h.fake.sent.map((m) => m.text)).toEqual(["eco: /ajuda"]);
  });

  it("refuses a wrong or missing secret with 401 before reading the update", async () => {
    const h = await setUp({ webhook: true });
    const before = h.fake.calls.length;
    expect((await post(h, h.fake.textUpdate({ text: "/ajuda" }), "wrong")).status).toBe(401);
    expect((await post(h, h.fake.textUpdate({ text: "/ajuda" }), null)).status).toBe(401);
    expect((await post(h, "not json", "wrong")).status).toBe(401);
    expect(h.commands).toEqual([]);
    expect(h.fake.calls.length).toBe(before);
  });

  it("answers 400 to a body that is not an update", async () => {
    const h = await setUp({ webhook: true });
    expect((await post(h, "{nope")).status).toBe(400);
    expect((await post(h, { hello: 1 })).status).toBe(400);
    expect(h.commands).toEqual([]);
  });
});
