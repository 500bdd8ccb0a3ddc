import type { Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramAdapter, type TelegramAdapter } from "../../src/bots/telegram.ts";
import type { ChatService } from "../../src/core/chat/chat-service.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Store } from "../../src/core/ports/store.ts";
import { createHttpServer, listen } from "../../src/server/http-server.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * Telegram's API unreachable when `serve` starts: the server starts anyway, /health says the adapter is
 * not ready, webhooks are answered at once (held, not lost), and the adapter connects once the API is
 * back. A closed port stands for "refused", a socket that accepts and never answers for "black-holed".
 */

const SECRET = "startup_secret-1";
const TOKEN = "123456:TEST-TOKEN";

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it holds (a hang guard, not a speed target). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function postUpdate(baseUrl: string, update: object): Promise<Response> {
  return fetch(`${baseUrl}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
    body: JSON.stringify(update),
    // A hang guard: today's bug was a webhook that never answered.
    signal: AbortSignal.timeout(10_000),
  });
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe("Telegram API refused at start-up (whole server)", () => {
  it("starts, reports not ready, holds a webhook update, and serves it once Telegram is back", async () => {
    const port = await closedPort();
    const apiRoot = `http://127.0.0.1:${port}`;
    const t: TestApp = await createTestApp({
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_WEBHOOK_SECRET: SECRET },
    });
    cleanup.push(() => t.close());

    const health = await (await fetch(`${t.baseUrl}/health`)).json();
    expect(health).toMatchObject({
      ok: true,
      ready: false,
      adapters: [{ name: "telegram", ready: false, reason: "telegram_api_unreachable" }],
    });
    expect((await fetch(`${t.baseUrl}/health?ready`)).status).toBe(503);

    const update = {
      update_id: 4242,
      message: {
        message_id: 7,
        date: 1_700_000_000,
        chat: { id: 1001, type: "private", first_name: "Ana" },
        from: { id: 1001, is_bot: false, first_name: "Ana" },
        text: "/start",
        entities: [{ type: "bot_command", offset: 0, length: 6 }],
      },
    };
    const res = await postUpdate(t.baseUrl, update);
    expect(res.status).toBe(200);

    const fake: FakeTelegram = await startFakeTelegram({ port, token: TOKEN });
    cleanup.push(() => fake.close());
    await eventually(async () => {
      const now = (await (await fetch(`${t.baseUrl}/health`)).json()) as { ready: boolean };
      return now.ready;
    });
    expect(fake.callsTo("getMe").length).toBeGreaterThan(0);
    // The held update was answered once the API came back.
    await fake.waitFor((f) => f.sent.some((m) => m.chatId === 1001 && /Ana/.test(m.text)));
    expect(fake.callsTo("setMyCommands").length).toBeGreaterThan(0);
  });
});

describe("Telegram API black-holed at start-up (adapter)", () => {
  it("start() returns, webhooks are answered, and it connects when the API answers again", async () => {
    // Accepts connections, never answers: grammY would wait its default 500 s.
    const sockets = new Set<Socket>();
    const hole = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    const port = (hole.address() as AddressInfo).port;

    const commands: IncomingCommand[] = [];
    const chat: ChatService = {
      async handle(cmd) {
        commands.push(cmd);
      },
    };
    const adapter: TelegramAdapter = createTelegramAdapter(
      {
        enabled: true,
        webhook: true,
        token: TOKEN,
        apiRoot: `http://127.0.0.1:${port}`,
        webhookSecret: SECRET,
      },
      {
        chat,
        store: {} as Store,
        logger: silentLogger(),
        clock: new FixedClock(new Date("2026-03-02T12:00:00Z")),
        publicBaseUrl: "http://localhost:3000",
      },
      { startWaitMs: 300, attemptTimeoutMs: 300, retryBaseMs: 100, retryMaxMs: 200 },
    );
    const server: Server = createHttpServer({ routes: adapter.routes, logger: silentLogger() });
    const baseUrl = await listen(server, 0, "127.0.0.1");
    cleanup.push(async () => {
      await adapter.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    await adapter.start();
    expect(adapter.status().ready).toBe(false);
    const res = await postUpdate(baseUrl, {
      update_id: 1,
      message: {
        message_id: 2,
        date: 1,
        chat: { id: 5, type: "private" },
        from: { id: 5, is_bot: false, first_name: "Bia" },
        text: "/ajuda",
      },
    });
    expect(res.status).toBe(200);
    expect(commands).toEqual([]);

    // The API answers again on the same port.
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => hole.close(() => resolve()));
    const fake = await startFakeTelegram({ port, token: TOKEN });
    cleanup.push(() => fake.close());
    await eventually(async () => adapter.status().ready);
    await eventually(async () => commands.length === 1);
    await adapter.idle();
    expect(commands[0]).toMatchObject({ userKey: "telegram:5", text: "/ajuda", messageId: "1" });
  });
});
