import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback fake of the Slack Web API for tests: point `SLACK_API_URL` at `fake.apiUrl`. It speaks
 * `/api/<method>` with form or JSON bodies, checks the Bearer token, answers `ok:true` JSON, serves the
 * files.uploadV2 round trip (getUploadURLExternal → POST bytes → completeUploadExternal), records
 * `response_url` posts, and records every call. Faults are injected per method.
 *
 * It refuses what the real Web API refuses (HTTP 200, `ok: false`, the documented error code), so a test
 * cannot pass on a call Slack would reject: `unknown_method` for a method it does not implement,
 * `channel_not_found` without a channel (or for a channel that was deleted), `not_in_channel` where the bot
 * was removed, `message_not_found` for `chat.update` of a `ts` never posted in that channel, `no_text`,
 * `msg_too_long` (over 40,000 characters), and `invalid_blocks` (over 50 blocks, a section's text over
 * 3,000 characters, a header's over 150, and the button limits).
 * https://docs.slack.dev/reference/methods/chat.postMessage, https://docs.slack.dev/reference/methods/chat.update
 */

export interface FakeSlackCall {
  method: string;
  token: string | null;
  params: Record<string, unknown>;
}

export interface FakeSlackUpload {
  fileId: string;
  filename: string;
  data: Buffer;
  /** Set once files.completeUploadExternal succeeded. */
  channelId: string | null;
  threadTs: string | null;
  initialComment: string | null;
}

/** A message the user would see: posted, edited, ephemeral or sent through a response_url, in order. */
export interface FakeSlackMessage {
  via: "chat.postMessage" | "chat.update" | "chat.postEphemeral" | "response_url";
  channel: string | null;
  text: string;
  blocks: unknown[];
  threadTs: string | null;
  ts: string | null;
}

export interface FakeSlackResponse {
  /** The response_url id (`/respond/<id>`). */
  id: string;
  body: Record<string, unknown>;
}

interface Fault {
  method: string;
  error: string;
  remaining: number;
  when?: (params: Record<string, unknown>) => boolean;
}

export interface FakeSlackOptions {
  /** Bot tokens the fake accepts (others get `invalid_auth`); by default any `xoxb-` token. */
  tokens?: string[];
  /** What oauth.v2.access hands out. */
  oauth?: { clientId: string; clientSecret: string; teamId: string; botToken: string; botUserId?: string };
  /** Delay before every answer, to simulate a slow Slack. */
  delayMs?: number;
}

/** The Web API methods this fake implements; any other answers `unknown_method`. */
export const FAKE_SLACK_METHODS = new Set([
  "auth.test",
  "chat.postMessage",
  "chat.update",
  "chat.postEphemeral",
  "chat.delete",
  "conversations.open",
  "files.getUploadURLExternal",
  "files.completeUploadExternal",
  "oauth.v2.access",
]);

/** Methods that post into a channel, and the parameter naming it. */
const CHANNEL_PARAM: Record<string, string> = {
  "chat.postMessage": "channel",
  "chat.update": "channel",
  "chat.postEphemeral": "channel",
  "chat.delete": "channel",
  "files.completeUploadExternal": "channel_id",
};

/** Slack's limit on a message's `text`. */
const MAX_TEXT = 40_000;

export class FakeSlack {
  readonly calls: FakeSlackCall[] = [];
  readonly uploads: FakeSlackUpload[] = [];
  readonly responses: FakeSlackResponse[] = [];
  /** Every message the bot showed, in arrival order (see FakeSlackMessage). */
  readonly messages: FakeSlackMessage[] = [];
  readonly #faults: Fault[] = [];
  readonly #rateLimits: { method: string; retryAfterSeconds: number; remaining: number }[] = [];
  readonly #options: FakeSlackOptions;
  /** Channel → the `ts` of every message posted there (what `chat.update` may edit). */
  readonly #posted = new Map<string, Set<string>>();
  readonly #deleted = new Set<string>();
  readonly #removed = new Set<string>();
  #server: Server | undefined;
  #origin = "";
  #seq = 0;

  constructor(options: FakeSlackOptions = {}) {
    this.#options = options;
  }

  /** Starts on 127.0.0.1, port 0. */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    this.#origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The value for `SLACK_API_URL`. */
  get apiUrl(): string {
    return `${this.#origin}/api/`;
  }

  /** A `response_url` that posts back into this fake. */
  responseUrl(id: string): string {
    return `${this.#origin}/respond/${id}`;
  }

  /** Makes `method` answer `{ ok: false, error }` (`times` times, default always), optionally only when `when`. */
  fail(
    method: string,
    error: string,
    options: { times?: number; when?: (params: Record<string, unknown>) => boolean } = {},
  ) {
    this.#faults.push({
      method,
      error,
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      when: options.when,
    });
  }

  /**
   * Makes the next `times` (default 1) calls to `method` answer like Slack's rate limiter: HTTP 429 with
   * `Retry-After: <seconds>` and `{ ok: false, error: "ratelimited" }` (https://docs.slack.dev/apis/web-api/rate-limits).
   */
  rateLimit(method: string, retryAfterSeconds: number, times = 1) {
    this.#rateLimits.push({ method, retryAfterSeconds, remaining: times });
  }

  /** The channel no longer exists: every call naming it answers `channel_not_found`. */
  deleteChannel(channel: string) {
    this.#deleted.add(channel);
  }

  /** The bot was removed from the channel: posting there answers `not_in_channel`. */
  removeBotFrom(channel: string) {
    this.#removed.add(channel);
  }

  /** Recorded calls of one Web API method. */
  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Uploads that files.completeUploadExternal accepted. */
  completedUploads(): FakeSlackUpload[] {
    return this.uploads.filter((u) => u.channelId !== null);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.#origin);
    const raw = await readAll(req);
    if (this.#options.delayMs) await new Promise((r) => setTimeout(r, this.#options.delayMs));
    if (url.pathname.startsWith("/upload/")) return this.#receiveUpload(url.pathname.slice(8), req, raw, res);
    if (url.pathname.startsWith("/respond/")) {
      const body = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
      const problem = invalidBlocks(body.blocks);
      if (problem) return json(res, 400, { ok: false, error: "invalid_blocks", errors: [problem] });
      this.responses.push({ id: url.pathname.slice(9), body });
      this.messages.push(toMessage("response_url", body, null));
      return json(res, 200, { ok: true });
    }
    if (!url.pathname.startsWith("/api/")) return json(res, 404, { ok: false, error: "unknown_path" });
    const method = url.pathname.slice(5);
    const params = parseParams(req.headers["content-type"], raw);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? null;
    const token = bearer ?? (typeof params.token === "string" ? params.token : null);
    this.calls.push({ method, token, params });

    if (method === "oauth.v2.access") return json(res, 200, this.#oauthAccess(req, params));
    if (!this.#tokenOk(token))
      return json(res, 200, { ok: false, error: token ? "invalid_auth" : "not_authed" });
    const limited = this.#rateLimits.find((r) => r.method === method && r.remaining > 0);
    if (limited) {
      limited.remaining -= 1;
      const data = JSON.stringify({ ok: false, error: "ratelimited" });
      res.writeHead(429, {
        "content-type": "application/json; charset=utf-8",
        "retry-after": String(limited.retryAfterSeconds),
        "content-length": Buffer.byteLength(data),
      });
      res.end(data);
      return;
    }
    const fault = this.#faults.find(
      (f) => f.method === method && f.remaining > 0 && (!f.when || f.when(params)),
    );
    if (fault) {
      fault.remaining -= 1;
      return json(res, 200, { ok: false, error: fault.error });
    }
    const refusal = this.#refusal(method, params);
    if (refusal) return json(res, 200, { ok: false, ...refusal });
    const answer = this.#answer(method, params);
    if (method === "chat.postMessage" || method === "chat.update" || method === "chat.postEphemeral") {
      this.messages.push(toMessage(method, params, String(answer.ts ?? answer.message_ts ?? "")));
    }
    if (method === "chat.postMessage" && typeof answer.ts === "string") {
      const channel = String(params.channel);
      if (!this.#posted.has(channel)) this.#posted.set(channel, new Set());
      this.#posted.get(channel)!.add(answer.ts);
    }
    return json(res, 200, answer);
  }

  /** What the real Web API would refuse about this call, as `{ error, errors? }`; null when it is fine. */
  #refusal(method: string, params: Record<string, unknown>): { error: string; errors?: string[] } | null {
    if (!FAKE_SLACK_METHODS.has(method)) return { error: "unknown_method" };
    const channelParam = CHANNEL_PARAM[method];
    if (channelParam) {
      const channel = params[channelParam];
      if (typeof channel !== "string" || channel.trim() === "" || this.#deleted.has(channel))
        return { error: "channel_not_found" };
      if (this.#removed.has(channel)) return { error: "not_in_channel" };
      if (method === "chat.update" || method === "chat.delete") {
        const ts = params.ts;
        if (typeof ts !== "string" || !this.#posted.get(channel)?.has(ts))
          return { error: "message_not_found" };
      }
    }
    if (method === "chat.postMessage" || method === "chat.update" || method === "chat.postEphemeral") {
      const text = typeof params.text === "string" ? params.text : "";
      const blocks = typeof params.blocks === "string" ? safeJson(params.blocks) : params.blocks;
      const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
      if (text.trim() === "" && !hasBlocks) return { error: "no_text" };
      if (text.length > MAX_TEXT) return { error: "msg_too_long" };
      const problem = invalidBlocks(params.blocks);
      if (problem) return { error: "invalid_blocks", errors: [problem] };
    }
    return null;
  }

  #tokenOk(token: string | null): boolean {
    if (!token) return false;
    const allowed = this.#options.tokens;
    if (allowed) return allowed.includes(token) || token === this.#options.oauth?.botToken;
    return token.startsWith("xoxb-");
  }

  #nextTs(): string {
    this.#seq += 1;
    return `1767225600.${String(this.#seq).padStart(6, "0")}`;
  }

  #answer(method: string, params: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: "smartpncp",
          team_id: "T0FAKE",
          user_id: "UBOT",
          bot_id: "BBOT",
        };
      case "chat.postMessage": {
        const ts = this.#nextTs();
        return { ok: true, channel: params.channel, ts, message: { text: params.text, ts } };
      }
      case "chat.update":
        return { ok: true, channel: params.channel, ts: params.ts, text: params.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.#nextTs() };
      case "chat.delete":
        this.#posted.get(String(params.channel))?.delete(String(params.ts));
        return { ok: true, channel: params.channel, ts: params.ts };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(params.users ?? "").replace(/^U/, "")}` } };
      case "files.getUploadURLExternal": {
        this.#seq += 1;
        const fileId = `F${String(this.#seq).padStart(8, "0")}`;
        this.uploads.push({
          fileId,
          filename: String(params.filename ?? ""),
          data: Buffer.alloc(0),
          channelId: null,
          threadTs: null,
          initialComment: null,
        });
        return { ok: true, upload_url: `${this.#origin}/upload/${fileId}`, file_id: fileId };
      }
      case "files.completeUploadExternal": {
        const files = (typeof params.files === "string" ? JSON.parse(params.files) : params.files) as {
          id: string;
        }[];
        for (const { id } of files) {
          const upload = this.uploads.find((u) => u.fileId === id);
          if (!upload) return { ok: false, error: "file_not_found" };
          upload.channelId = String(params.channel_id ?? params.channels ?? "");
          upload.threadTs = typeof params.thread_ts === "string" ? params.thread_ts : null;
          upload.initialComment = typeof params.initial_comment === "string" ? params.initial_comment : null;
        }
        return { ok: true, files: files.map(({ id }) => ({ id })) };
      }
      default:
        return { ok: true };
    }
  }

  #oauthAccess(req: IncomingMessage, params: Record<string, unknown>): Record<string, unknown> {
    const oauth = this.#options.oauth;
    if (!oauth) return { ok: false, error: "invalid_client_id" };
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    const clientId = params.client_id ?? basicId;
    const clientSecret = params.client_secret ?? basicSecret;
    if (clientId !== oauth.clientId || clientSecret !== oauth.clientSecret)
      return { ok: false, error: "invalid_client" };
    if (params.code !== "good-code") return { ok: false, error: "invalid_code" };
    return {
      ok: true,
      app_id: "A0FAKE",
      authed_user: { id: "UINSTALLER" },
      scope: "commands,chat:write,chat:write.public,files:write,im:history,app_mentions:read,im:write",
      token_type: "bot",
      access_token: oauth.botToken,
      bot_user_id: oauth.botUserId ?? "UBOT",
      team: { id: oauth.teamId, name: "Equipe Teste" },
      enterprise: null,
      is_enterprise_install: false,
    };
  }

  async #receiveUpload(
    fileId: string,
    req: IncomingMessage,
    raw: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const upload = this.uploads.find((u) => u.fileId === fileId);
    if (!upload) return json(res, 404, { ok: false });
    const contentType = req.headers["content-type"] ?? "";
    if (contentType.startsWith("multipart/form-data")) {
      const form = await new Response(new Uint8Array(raw), {
        headers: { "content-type": contentType },
      }).formData();
      const part = [...form.values()].find((v) => typeof v !== "string") as Blob | undefined;
      upload.data = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    } else {
      upload.data = raw;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`OK - ${upload.data.length}`);
  }
}

function toMessage(
  via: FakeSlackMessage["via"],
  params: Record<string, unknown>,
  ts: string | null,
): FakeSlackMessage {
  const blocks = typeof params.blocks === "string" ? safeJson(params.blocks) : params.blocks;
  return {
    via,
    channel: typeof params.channel === "string" ? params.channel : null,
    text: typeof params.text === "string" ? params.text : "",
    blocks: Array.isArray(blocks) ? blocks : [],
    threadTs: typeof params.thread_ts === "string" ? params.thread_ts : null,
    ts,
  };
}

/**
 * What Slack refuses as `invalid_blocks` (the checks our renderer can get wrong): more than 50 blocks,
 * more than 25 elements in an actions block, a button label over 75 characters, a `value` over 2000,
 * an `action_id` over 255 or repeated within the message, a `url` over 3000.
 * https://docs.slack.dev/reference/block-kit/block-elements/button-element
 */
function invalidBlocks(raw: unknown): string | null {
  const blocks = typeof raw === "string" ? safeJson(raw) : raw;
  if (blocks === undefined || blocks === null) return null;
  if (!Array.isArray(blocks)) return "blocks must be an array";
  if (blocks.length > 50) return "no more than 50 items allowed [json-pointer:/blocks]";
  const actionIds = new Set<string>();
  for (const block of blocks as {
    type?: string;
    elements?: unknown[];
    accessory?: unknown;
    text?: { text?: unknown };
    fields?: { text?: unknown }[];
  }[]) {
    const sectionText = typeof block.text?.text === "string" ? block.text.text : "";
    if (block.type === "section" && sectionText.length > 3000)
      return "must be less than 3001 characters [json-pointer:/blocks/text/text]";
    if (block.type === "section" && (block.fields ?? []).some((f) => String(f.text ?? "").length > 2000))
      return "fields: each must be less than 2001 characters";
    if (block.type === "header" && sectionText.length > 150) return "header text must be at most 150";
    const elements = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])];
    if (block.type === "actions" && (block.elements ?? []).length > 25)
      return "actions: no more than 25 elements";
    for (const e of elements as {
      type?: string;
      text?: { text?: string } | string;
      value?: unknown;
      action_id?: unknown;
      url?: unknown;
    }[]) {
      if (e.type !== "button") continue;
      const label = typeof e.text === "object" ? e.text?.text : undefined;
      if (typeof label !== "string" || label.length === 0 || label.length > 75)
        return "button text must be 1-75";
      if (e.value !== undefined && (typeof e.value !== "string" || e.value.length > 2000))
        return "button value must be at most 2000 characters";
      if (e.url !== undefined && (typeof e.url !== "string" || e.url.length > 3000))
        return "button url too long";
      if (typeof e.action_id === "string") {
        if (e.action_id.length > 255) return "action_id must be at most 255 characters";
        if (actionIds.has(e.action_id)) return `duplicate action_id ${e.action_id}`;
        actionIds.add(e.action_id);
      }
    }
  }
  return null;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseParams(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8");
  if (text === "") return {};
  if (contentType?.includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    // WebClient JSON-encodes arrays/objects (blocks, files) inside form fields.
    params[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return params;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(data),
  });
  res.end(data);
}

/** Starts a fake Slack Web API on a free loopback port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(options).start();
}
