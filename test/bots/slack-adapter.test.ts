import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { BotAdapter } from "../../src/bots/adapter.ts";
import { createSlackAdapter, type SlackAdapterConfig } from "../../src/bots/slack.ts";
import { signSlackRequest } from "../../src/bots/slack-verify.ts";
import type { ChatService } from "../../src/core/chat/chat-service.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Store } from "../../src/core/ports/store.ts";
import { createHttpServer, listen } from "../../src/server/http-server.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack.ts";
import { dmEvent, eventBody, SLACK, slashCommandBody } from "./slack-driver.ts";

/**
 * The adapter alone, with a stand-in chat core that records commands and echoes them: signature check,
 * payload translation, acks, retries, interactions, OAuth and Socket Mode wiring, independent of the
 * search core (the full flow is in slack.test.ts).
 */

const NOW = new Date("2026-03-02T12:00:00Z");
const OAUTH = {
  clientId: "111.222",
  clientSecret: "oauth-secret",
  stateSecret: "state-secret",
  teamId: "T0OAUTH01",
  botToken: "xoxb-installed-token",
};

interface Harness {
  fake: FakeSlack;
  adapter: BotAdapter;
  commands: IncomingCommand[];
  installations: Map<string, unknown>;
  server: Server;
  baseUrl: string;
  clock: FixedClock;
}

let harness: Harness | undefined;

/** Only the installation methods: the adapter never touches the rest of the store. */
function installationStore(installations: Map<string, unknown>): Store {
  return {
    saveInstallation: async (key: string, value: unknown) => {
      installations.set(key, JSON.parse(JSON.stringify(value)));
    },
    getInstallation: async (key: string) => installations.get(key) ?? null,
    deleteInstallation: async (key: string) => {
      installations.delete(key);
    },
  } as unknown as Store;
}

async function setUp(options: { oauth?: boolean; handle?: ChatService["handle"] } = {}): Promise<Harness> {
  const fake = await startFakeSlack({ tokens: [SLACK.botToken], oauth: OAUTH });
  const commands: IncomingCommand[] = [];
  const chat: ChatService = {
    handle:
      options.handle ??
      (async (cmd, sink) => {
        commands.push(cmd);
        await sink.send({ kind: "searching", text: `eco: ${cmd.text}` });
      }),
  };
  const config: SlackAdapterConfig = {
    enabled: true,
    socketMode: false,
    oauth: Boolean(options.oauth),
    signingSecret: SLACK.signingSecret,
    botToken: options.oauth ? undefined : SLACK.botToken,
    clientId: options.oauth ? OAUTH.clientId : undefined,
    clientSecret: options.oauth ? OAUTH.clientSecret : undefined,
    stateSecret: options.oauth ? OAUTH.stateSecret : undefined,
    appToken: undefined,
    apiUrl: fake.apiUrl,
  };
  const logger = silentLogger();
  const installations = new Map<string, unknown>();
  const clock = new FixedClock(NOW);
  const adapter = createSlackAdapter(config, {
    chat,
    store: installationStore(installations),
    logger,
    clock,
    publicBaseUrl: "https://bot.example.test",
  });
  const server = createHttpServer({ routes: adapter.routes, logger });
  const baseUrl = await listen(server, 0, "127.0.0.1");
  await adapter.start();
  harness = { fake, adapter, commands, installations, server, baseUrl, clock };
  return harness;
}

afterEach(async () => {
  if (!harness) return;
  const h = harness;
  harness = undefined;
  await h.adapter.stop();
  h.server.closeAllConnections();
  await new Promise<void>((resolve) => h.server.close(() => resolve()));
  await h.fake.close();
});

async function post(
  h: Harness,
  body: string,
  contentType: string,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const timestamp = options.timestamp ?? Math.floor(h.clock.now().getTime() / 1000);
  const response = await fetch(`${h.baseUrl}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(options.secret ?? SLACK.signingSecret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** Waits until `check` passes (listeners keep running after the HTTP ack). */
async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe("Slack adapter: /slack/events", () => {
  it("answers the url_verification challenge", async () => {
    const h = await setUp();
    const res = await post(
      h,
      JSON.stringify({
        token: "x",
        challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        type: "url_verification",
      }),
      JSON_TYPE,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it("refuses a bad signature or a stale timestamp with 401 before parsing, and nothing runs", async () => {
    const h = await setUp();
    const body = slashCommandBody({
      command: "/buscar",
      text: "uniformes",
      triggerId: "t-bad",
      responseUrl: h.fake.responseUrl("x"),
    });
    expect((await post(h, body, FORM, { secret: "wrong" })).status).toBe(401);
    const stale = Math.floor(NOW.getTime() / 1000) - 6 * 60;
    expect((await post(h, body, FORM, { timestamp: stale })).status).toBe(401);
    expect((await post(h, "not even a form{", JSON_TYPE, { secret: "wrong" })).status).toBe(401);
    expect(h.commands).toEqual([]);
    expect(h.fake.calls).toEqual([]);
  });

  it("acks a slash command with an empty 200 and hands the core /buscar with Slack identity", async () => {
    const h = await setUp();
    const body = slashCommandBody({
      command: "/buscar",
      text: "uniformes SP 30d",
      triggerId: "13345224609.738474920.8088930838d88f008e0",
      responseUrl: h.fake.responseUrl("c1"),
    });
    const res = await post(h, body, FORM);
    expect(res).toEqual({ status: 200, text: "" });
    await eventually(() => expect(h.fake.callsOf("chat.postMessage")).toHaveLength(1));
    expect(h.commands).toHaveLength(1);
    expect(h.commands[0]).toMatchObject({
      platform: "slack",
      userKey: `slack:${SLACK.teamId}:${SLACK.userId}`,
      userId: SLACK.userId,
      teamId: SLACK.teamId,
      chatId: SLACK.channelId,
      isPrivate: false,
      text: "/buscar uniformes SP 30d",
      messageId: "13345224609.738474920.8088930838d88f008e0",
      receivedAt: NOW,
    });
    const call = h.fake.callsOf("chat.postMessage")[0]!;
    expect(call.token).toBe(SLACK.botToken);
    expect(call.params).toMatchObject({ channel: SLACK.channelId, text: "eco: /buscar uniformes SP 30d" });
  });

  it("maps the other slash commands to the core's names", async () => {
    const h = await setUp();
    for (const [i, command] of ["/setores", "/plano", "/assinar", "/ajuda"].entries()) {
      const res = await post(
        h,
        slashCommandBody({
          command,
          text: "",
          triggerId: `t-${i}`,
          responseUrl: h.fake.responseUrl(`c${i}`),
        }),
        FORM,
      );
      expect(res.status).toBe(200);
    }
    await eventually(() => expect(h.commands).toHaveLength(4));
    expect(h.commands.map((c) => c.text).sort()).toEqual(["/ajuda", "/assinar", "/plano", "/setores"]);
  });

  it("turns an app_mention into a command answered in a thread under the mention", async () => {
    const h = await setUp();
    const event = {
      type: "app_mention",
      channel: SLACK.channelId,
      user: SLACK.userId,
      text: `<@${SLACK.botUserId}> uniformes SP 30d`,
      ts: "1790000000.000200",
    };
    const res = await post(h, eventBody("Ev0MENTION1", event), JSON_TYPE);
    expect(res.status).toBe(200);
    await eventually(() => expect(h.fake.callsOf("chat.postMessage")).toHaveLength(1));
    expect(h.commands[0]).toMatchObject({
      text: "/buscar uniformes SP 30d",
      isPrivate: false,
      messageId: "Ev0MENTION1",
      threadId: "1790000000.000200",
    });
    expect(h.fake.callsOf("chat.postMessage")[0]!.params).toMatchObject({
      channel: SLACK.channelId,
      thread_ts: "1790000000.000200",
    });
  });

  it("reads a DM as plain text in a private chat", async () => {
    const h = await setUp();
    const res = await post(h, eventBody("Ev0DM00001", dmEvent("uniformes SP 30d")), JSON_TYPE);
    expect(res.status).toBe(200);
    await eventually(() => expect(h.commands).toHaveLength(1));
    expect(h.commands[0]).toMatchObject({
      text: "uniformes SP 30d",
      isPrivate: true,
      chatId: SLACK.dmChannelId,
      messageId: "Ev0DM00001",
    });
  });

  it("ignores the bot's own messages and other subtypes (still 200 so Slack does not retry)", async () => {
    const h = await setUp();
    const own = { ...dmEvent("🔎 Buscando…"), bot_id: SLACK.botId, subtype: "bot_message" };
    const edited = { ...dmEvent("uniformes"), subtype: "message_changed" };
    expect((await post(h, eventBody("Ev0OWN0001", own), JSON_TYPE)).status).toBe(200);
    expect((await post(h, eventBody("Ev0EDIT001", edited), JSON_TYPE)).status).toBe(200);
    expect(
      (
        await post(
          h,
          eventBody("Ev0CHAN001", { ...dmEvent("uniformes"), channel_type: "channel" }),
          JSON_TYPE,
        )
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.commands).toEqual([]);
    expect(h.fake.calls).toEqual([]);
  });

  it("passes Slack retries through with the same event_id, so the core's claim drops them", async () => {
    const seen = new Set<string>();
    const h = await setUp({
      handle: async (cmd, sink) => {
        if (seen.has(cmd.messageId)) return;
        seen.add(cmd.messageId);
        await sink.send({ kind: "searching", text: "🔎 Buscando…" });
      },
    });
    const body = eventBody("Ev0RETRY01", dmEvent("uniformes SP"));
    expect((await post(h, body, JSON_TYPE)).status).toBe(200);
    const retry = await post(h, body, JSON_TYPE, {
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    expect(retry.status).toBe(200);
    await eventually(() => expect(h.fake.callsOf("chat.postMessage")).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.callsOf("chat.postMessage")).toHaveLength(1);
  });

  it("acks a URL button click (block_actions) with 200 and sends no message", async () => {
    const h = await setUp();
    const payload = {
      type: "block_actions",
      team: { id: SLACK.teamId, domain: "equipe-teste" },
      user: { id: SLACK.userId, username: SLACK.userName, team_id: SLACK.teamId },
      api_app_id: "A0FAKE",
      token: "deprecated",
      trigger_id: "t-action",
      channel: { id: SLACK.channelId, name: "licitacoes" },
      container: {
        type: "message",
        message_ts: "1790000000.000300",
        channel_id: SLACK.channelId,
        is_ephemeral: false,
      },
      response_url: h.fake.responseUrl("action"),
      actions: [
        {
          type: "button",
          action_id: "upgrade_0",
          block_id: "b1",
          text: { type: "plain_text", text: "Assinar" },
          url: "https://bot.example.test/upgrade?token=x",
          action_ts: "1790000001.000000",
        },
      ],
    };
    const res = await post(h, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM);
    expect(res).toEqual({ status: 200, text: "" });
    await new Promise((r) => setTimeout(r, 50));
    expect(h.commands).toEqual([]);
    expect(h.fake.calls).toEqual([]);
    expect(h.fake.responses).toEqual([]);
  });

  it("answers 200 to ssl_check and 400 to a signed body it cannot read", async () => {
    const h = await setUp();
    expect((await post(h, "ssl_check=1&token=x", FORM)).status).toBe(200);
    expect((await post(h, "{not json", JSON_TYPE)).status).toBe(400);
  });
});

describe("Slack adapter: OAuth (multi-workspace)", () => {
  it("/slack/install redirects to Slack's authorize page with state; the callback stores the installation; events from that team use its token", async () => {
    const h = await setUp({ oauth: true });
    expect(h.adapter.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      "GET /slack/install",
      "GET /slack/oauth_redirect",
      "POST /slack/events",
    ]);

    const install = await fetch(`${h.baseUrl}/slack/install`, { redirect: "manual" });
    expect(install.status).toBe(302);
    const location = new URL(install.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe("https://slack.com/oauth/v2/authorize");
    expect(location.searchParams.get("client_id")).toBe(OAUTH.clientId);
    expect(location.searchParams.get("redirect_uri")).toBe("https://bot.example.test/slack/oauth_redirect");
    expect(location.searchParams.get("scope")!.split(",")).toEqual(
      expect.arrayContaining(["commands", "chat:write", "files:write", "app_mentions:read", "im:history"]),
    );
    const state = location.searchParams.get("state")!;
    expect(state.length).toBeGreaterThan(10);
    const cookie = install.headers.get("set-cookie")!.split(";")[0]!;

    const callback = await fetch(
      `${h.baseUrl}/slack/oauth_redirect?code=good-code&state=${encodeURIComponent(state)}`,
      { headers: { cookie } },
    );
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain("Smart PNCP instalado");
    const access = h.fake.callsOf("oauth.v2.access")[0]!;
    expect(access.params).toMatchObject({
      code: "good-code",
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
    });
    const stored = h.installations.get(`team:${OAUTH.teamId}`) as {
      bot: { token: string };
      team: { id: string };
    };
    expect(stored.team.id).toBe(OAUTH.teamId);
    expect(stored.bot.token).toBe(OAUTH.botToken);

    const body = slashCommandBody({
      command: "/buscar",
      text: "uniformes",
      triggerId: "t-oauth",
      teamId: OAUTH.teamId,
      responseUrl: h.fake.responseUrl("o1"),
    });
    expect((await post(h, body, FORM)).status).toBe(200);
    await eventually(() => expect(h.fake.callsOf("chat.postMessage")).toHaveLength(1));
    expect(h.fake.callsOf("chat.postMessage")[0]!.token).toBe(OAUTH.botToken);
    expect(h.commands[0]!.teamId).toBe(OAUTH.teamId);
  });

  it("rejects a callback whose state does not match the browser session, storing nothing", async () => {
    const h = await setUp({ oauth: true });
    const res = await fetch(`${h.baseUrl}/slack/oauth_redirect?code=good-code&state=forged`, {
      headers: { cookie: "slack-app-oauth-state=other" },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("A instalação não foi concluída");
    expect(h.installations.size).toBe(0);
    expect(h.fake.callsOf("oauth.v2.access")).toEqual([]);
  });

  it("does not answer events from a workspace that never installed the app", async () => {
    const h = await setUp({ oauth: true });
    const body = slashCommandBody({
      command: "/buscar",
      text: "uniformes",
      triggerId: "t-unknown",
      teamId: "T0NOBODY1",
      responseUrl: h.fake.responseUrl("u"),
    });
    expect((await post(h, body, FORM)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.commands).toEqual([]);
    expect(h.fake.callsOf("chat.postMessage")).toEqual([]);
  });
});

describe("Slack adapter: Socket Mode", () => {
  it("builds without HTTP event routes when an app token is set (not connected here)", () => {
    const adapter = createSlackAdapter(
      {
        enabled: true,
        socketMode: true,
        oauth: false,
        signingSecret: SLACK.signingSecret,
        botToken: SLACK.botToken,
        clientId: undefined,
        clientSecret: undefined,
        stateSecret: undefined,
        appToken: "xapp-1-A0FAKE-1-secret",
        apiUrl: "http://127.0.0.1:9/api",
      },
      {
        chat: { handle: async () => {} },
        store: {} as Store,
        logger: silentLogger(),
        clock: new FixedClock(NOW),
        publicBaseUrl: "https://bot.example.test",
      },
    );
    expect(adapter.name).toBe("slack");
    expect(adapter.routes).toEqual([]);
  });
});
