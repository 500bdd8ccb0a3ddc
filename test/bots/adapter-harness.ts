import type { Server } from "node:http";
import type { BotAdapter } from "../../src/bots/adapter.ts";
import { createSlackAdapter } from "../../src/bots/slack.ts";
import { signSlackRequest } from "../../src/bots/slack-verify.ts";
import { createTelegramAdapter } from "../../src/bots/telegram.ts";
import { createWhatsAppAdapter } from "../../src/bots/whatsapp.ts";
import { signatureFor } from "../../src/bots/whatsapp-verify.ts";
import type { ChatService } from "../../src/core/chat/chat-service.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import type { ReplySink } from "../../src/core/chat/reply.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Store } from "../../src/core/ports/store.ts";
import { createHttpServer, listen } from "../../src/server/http-server.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { type FakeWhatsApp, startFakeWhatsApp, WA } from "../fakes/fake-whatsapp.ts";
import { SLACK } from "./slack-driver.ts";

/**
 * One adapter alone on our HTTP server, against its loopback fake, with a stand-in chat core that records
 * every command: plain text gets a "didn't understand" text with a command button running
 * `/buscar <text>`; a command gets `eco: <text>`. For the command-button and malformed-payload tests.
 */

export const NOW = new Date("2026-03-02T12:00:00Z");
export const TELEGRAM_SECRET = "harness_secret-7";

/** The stand-in core's button for plain text `text`. */
export function searchButton(text: string) {
  return { label: `🔎 Buscar “${text.slice(0, 30)}”`, command: `/buscar ${text}` };
}

async function standInReply(cmd: IncomingCommand, sink: ReplySink): Promise<void> {
  if (cmd.text.startsWith("/")) {
    await sink.send({ kind: "text", text: `eco: ${cmd.text}` });
    return;
  }
  await sink.send({ kind: "text", text: "Não entendi a busca.", buttons: [searchButton(cmd.text)] });
}

interface HarnessBase {
  baseUrl: string;
  commands: IncomingCommand[];
  adapter: BotAdapter;
  clock: FixedClock;
  /** Waits until accepted deliveries reached the core and replies went out. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface SlackHarness extends HarnessBase {
  fake: FakeSlack;
  /** POSTs a signed body to /slack/events. */
  post(body: string, contentType: string): Promise<{ status: number; text: string }>;
}

export interface TelegramHarness extends HarnessBase {
  fake: FakeTelegram;
  post(body: string): Promise<{ status: number; text: string }>;
}

export interface WhatsAppHarness extends HarnessBase {
  fake: FakeWhatsApp;
  post(body: string): Promise<{ status: number; text: string }>;
}

/** A store for adapters that only claim hint deliveries (WhatsApp); every claim is fresh once. */
function claimsStore(): Store {
  const seen = new Set<string>();
  return {
    claimEvent: async (platform: string, id: string) => {
      const key = `${platform}:${id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  } as unknown as Store;
}

async function mount(adapter: BotAdapter): Promise<{ server: Server; baseUrl: string }> {
  const server = createHttpServer({ routes: adapter.routes, logger: silentLogger() });
  const baseUrl = await listen(server, 0, "127.0.0.1");
  return { server, baseUrl };
}

async function unmount(adapter: BotAdapter, server: Server): Promise<void> {
  await adapter.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function send(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}

/** Options of every harness: `quiet` makes the stand-in core record without answering. */
export interface HarnessOptions {
  quiet?: boolean;
}

function recorder(handle = standInReply): { chat: ChatService; commands: IncomingCommand[] } {
  const commands: IncomingCommand[] = [];
  return {
    commands,
    chat: {
      async handle(cmd, sink) {
        commands.push(cmd);
        await handle(cmd, sink);
      },
    },
  };
}

export async function startSlackHarness(options: HarnessOptions = {}): Promise<SlackHarness> {
  const fake = await startFakeSlack({ tokens: [SLACK.botToken] });
  const { chat, commands } = recorder(options.quiet ? async () => {} : undefined);
  const clock = new FixedClock(NOW);
  const adapter = createSlackAdapter(
    {
      enabled: true,
      socketMode: false,
      oauth: false,
      signingSecret: SLACK.signingSecret,
      botToken: SLACK.botToken,
      clientId: undefined,
      clientSecret: undefined,
      stateSecret: undefined,
      appToken: undefined,
      apiUrl: fake.apiUrl,
    },
    { chat, store: {} as Store, logger: silentLogger(), clock, publicBaseUrl: "https://bot.example.test" },
  );
  const { server, baseUrl } = await mount(adapter);
  await adapter.start();
  return {
    fake,
    baseUrl,
    commands,
    adapter,
    clock,
    idle: () => adapter.idle?.() ?? Promise.resolve(),
    post(body, contentType) {
      const timestamp = Math.floor(clock.now().getTime() / 1000);
      return send(`${baseUrl}/slack/events`, body, {
        "content-type": contentType,
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": signSlackRequest(SLACK.signingSecret, timestamp, body),
      });
    },
    async close() {
      await unmount(adapter, server);
      await fake.close();
    },
  };
}

export async function startTelegramHarness(options: HarnessOptions = {}): Promise<TelegramHarness> {
  const fake = await startFakeTelegram();
  const { chat, commands } = recorder(options.quiet ? async () => {} : undefined);
  const clock = new FixedClock(NOW);
  const adapter = createTelegramAdapter(
    {
      enabled: true,
      webhook: true,
      token: fake.token,
      apiRoot: fake.apiRoot,
      webhookSecret: TELEGRAM_SECRET,
    },
    { chat, store: {} as Store, logger: silentLogger(), clock, publicBaseUrl: "http://localhost:3000" },
  );
  const { server, baseUrl } = await mount(adapter);
  await adapter.start();
  return {
    fake,
    baseUrl,
    commands,
    adapter,
    clock,
    idle: () => adapter.idle(),
    post(body) {
      return send(`${baseUrl}/telegram/webhook`, body, {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
      });
    },
    async close() {
      await unmount(adapter, server);
      await fake.close();
    },
  };
}

export async function startWhatsAppHarness(options: HarnessOptions = {}): Promise<WhatsAppHarness> {
  const fake = await startFakeWhatsApp({ token: WA.token, phoneNumberId: WA.phoneNumberId });
  const { chat, commands } = recorder(options.quiet ? async () => {} : undefined);
  const clock = new FixedClock(NOW);
  const adapter = createWhatsAppAdapter(
    {
      enabled: true,
      token: WA.token,
      phoneNumberId: WA.phoneNumberId,
      appSecret: WA.appSecret,
      verifyToken: WA.verifyToken,
      graphUrl: fake.url,
      apiVersion: WA.apiVersion,
      minIntervalMs: 1,
    },
    { chat, store: claimsStore(), logger: silentLogger(), clock },
    { minIntervalMs: 1, retryBaseMs: 5 },
  );
  const { server, baseUrl } = await mount(adapter);
  await adapter.start();
  return {
    fake,
    baseUrl,
    commands,
    adapter,
    clock,
    idle: () => adapter.idle(),
    post(body) {
      return send(`${baseUrl}/whatsapp/webhook`, body, {
        "content-type": "application/json",
        "x-hub-signature-256": signatureFor(body, WA.appSecret),
      });
    },
    async close() {
      await unmount(adapter, server);
      await fake.close();
    },
  };
}
