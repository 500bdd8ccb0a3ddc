/**
 * A loopback stand-in for the Telegram Bot API, for tests that drive the real grammY `Bot` with
 * `client: { apiRoot: fake.apiRoot }` (or `TELEGRAM_API_ROOT=fake.apiRoot`).
 *
 * ```ts
 * const fake = await startFakeTelegram();             // token "123456:TEST-TOKEN", bot @SmartPncpTestBot
 * fake.pushUpdate(fake.textUpdate({ text: "/start" })); // long polling picks it up from getUpdates
 * fake.fail("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
 * await fake.waitFor((f) => f.callsTo("sendDocument").length === 1);
 * fake.callsTo("sendDocument")[0].files[0].data;       // the uploaded bytes, parsed from multipart/form-data
 * await fake.close();
 * ```
 *
 * - `POST /bot<token>/<method>` with a JSON or multipart body; a wrong token gets 401, an unknown method 404.
 * - Answers getMe, setMyCommands, setWebhook, deleteWebhook, getUpdates, sendMessage, editMessageText,
 *   sendChatAction, sendDocument and answerCallbackQuery like Telegram would, including its refusals:
 *   malformed HTML with `parse_mode: "HTML"`, text over 4,096 characters, captions over 1,024, editing a
 *   message that does not exist or "message is not modified", and URL buttons whose host has no dot.
 * - getUpdates serves a queue (`pushUpdate`): updates below `offset` are confirmed and dropped, and an
 *   empty queue is long-polled for at most `maxHoldMs` (not the requested `timeout`) so tests stay quick.
 * - Every call is recorded (`calls`), also failed and injected ones; `sent` lists messages and edits.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeUpload, parseMultipart, parseTelegramHtml } from "./fake-telegram-parse.ts";

export type { FakeUpload } from "./fake-telegram-parse.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Bot API parameters.
type Params = Record<string, any>;

/** One recorded Bot API call. */
export interface FakeTelegramCall {
  method: string;
  params: Params;
  files: FakeUpload[];
  /** Whether the fake answered `ok: true`. */
  ok: boolean;
  /** The error description when it did not. */
  error?: string;
}

/** A message the bot sent or edited, as it now reads. */
export interface FakeSentMessage {
  kind: "send" | "edit" | "document";
  chatId: number;
  messageId: number;
  /** As sent (HTML when `parse_mode` is HTML). */
  raw: string;
  /** As shown to the user: tags dropped, entities decoded. */
  text: string;
  buttons: { label: string; url: string }[];
  /** Callback buttons (command buttons): label and `callback_data`. */
  callbacks: { label: string; data: string }[];
  replyTo?: number;
}

/** A Bot API error answer. */
export interface FakeTelegramError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface FakeTelegramOptions {
  token?: string;
  username?: string;
  /** Longest an empty getUpdates is held open, ms (default 300). */
  maxHoldMs?: number;
  /** Which button URLs Telegram refuses (default: not http(s)/tg, or a host without a dot). */
  rejectButtonUrl?: (url: string) => boolean;
  /** Port to listen on (default 0 = any); tests of "Telegram comes back" reuse a port that was closed. */
  port?: number;
}

export interface FakeTextUpdateOptions {
  text: string;
  updateId?: number;
  chatId?: number;
  chatType?: "private" | "group" | "supergroup";
  fromId?: number;
  firstName?: string;
  isBot?: boolean;
  messageId?: number;
}

/** A running fake; see the file comment. */
export interface FakeTelegram {
  /** `http://127.0.0.1:PORT`: the `apiRoot` / `TELEGRAM_API_ROOT`. */
  apiRoot: string;
  token: string;
  botInfo: {
    id: number;
    is_bot: true;
    first_name: string;
    username: string;
    can_join_groups: boolean;
    can_read_all_group_messages: boolean;
    supports_inline_queries: boolean;
    can_connect_to_business: boolean;
    has_main_web_app: boolean;
  };
  calls: FakeTelegramCall[];
  sent: FakeSentMessage[];
  callsTo(method: string): FakeTelegramCall[];
  /** Queues an update for getUpdates and wakes a waiting long poll. */
  pushUpdate(update: object): void;
  /** Updates not yet confirmed by a getUpdates offset. */
  pendingUpdates(): number;
  /** A message update with sensible defaults (private chat with user 1001); `updateId` auto-increments. */
  textUpdate(options: FakeTextUpdateOptions): { update_id: number; message: Record<string, unknown> };
  /**
   * A tap on a callback button of message `messageId` (default: the last message sent) in a private chat
   * with user `fromId` (default 1001); the callback query id auto-increments unless given.
   */
  callbackUpdate(options: {
    data: string;
    updateId?: number;
    queryId?: string;
    fromId?: number;
    chatId?: number;
    messageId?: number;
  }): { update_id: number; callback_query: Record<string, unknown> };
  /** The next `times` calls to `method` get this error instead of an answer. */
  fail(method: string, error: FakeTelegramError, times?: number): void;
  /** Resolves once `predicate` holds (checked after every call), rejects after `timeoutMs` (default 10 s). */
  waitFor(predicate: (fake: FakeTelegram) => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets calls and messages (not the queue or faults). */
  reset(): void;
  close(): Promise<void>;
}

function defaultRejectButtonUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "tg:") return false;
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return true;
    return !parsed.hostname.includes(".");
  } catch {
    return true;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
  res.end(data);
}

class ApiRefusal extends Error {
  constructor(readonly error: FakeTelegramError) {
    super(error.description);
  }
}

const refuse = (description: string, code = 400): never => {
  throw new ApiRefusal({ error_code: code, description });
};

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? "123456:TEST-TOKEN";
  const maxHoldMs = options.maxHoldMs ?? 300;
  const rejectButtonUrl = options.rejectButtonUrl ?? defaultRejectButtonUrl;
  const botInfo: FakeTelegram["botInfo"] = {
    id: 777000111,
    is_bot: true,
    first_name: "Smart PNCP",
    username: options.username ?? "SmartPncpTestBot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
  const queue: { update_id: number }[] = [];
  const faults = new Map<string, FakeTelegramError[]>();
  const waiters = new Set<() => void>();
  const watchers = new Set<() => void>();
  /** Current text and buttons per `chat:message`, for edits. */
  const messages = new Map<string, { text: string; markup: string }>();
  let nextMessageId = 500;
  let nextUpdateId = 9000;

  const notify = () => {
    for (const w of [...watchers]) w();
  };

  function buttonsOf(markup: unknown): { label: string; url: string }[] {
    const rows =
      (markup as { inline_keyboard?: { text: string; url?: string }[][] } | undefined)?.inline_keyboard ?? [];
    return rows.flat().flatMap((b) => (b.url ? [{ label: b.text, url: b.url }] : []));
  }

  function checkText(raw: unknown, parseMode: unknown, limit: number, what: "message" | "caption"): string {
    if (typeof raw !== "string" || raw.length === 0) {
      if (what === "caption") return "";
      refuse("Bad Request: message text is empty");
    }
    let text = raw as string;
    if (parseMode === "HTML") {
      const parsed = parseTelegramHtml(text);
      if ("error" in parsed) refuse(parsed.error);
      else text = parsed.text;
    }
    if (text.trim() === "" && what === "message") refuse("Bad Request: message text is empty");
    if (text.length > limit)
      refuse(
        what === "message" ? "Bad Request: message is too long" : "Bad Request: message caption is too long",
      );
    return text;
  }

  function checkButtons(markup: unknown): { label: string; url: string }[] {
    const buttons = buttonsOf(markup);
    for (const b of buttons) {
      if (rejectButtonUrl(b.url))
        refuse(`Bad Request: inline keyboard button URL '${b.url}' is invalid: Wrong HTTP URL`);
    }
    callbacksOf(markup);
    return buttons;
  }

  /** Callback buttons; like Telegram, `callback_data` must be 1–64 bytes (BUTTON_DATA_INVALID). */
  function callbacksOf(markup: unknown): { label: string; data: string }[] {
    const rows =
      (markup as { inline_keyboard?: { text: string; callback_data?: unknown }[][] } | undefined)
        ?.inline_keyboard ?? [];
    return rows.flat().flatMap((b) => {
      if (b.callback_data === undefined) return [];
      const data = b.callback_data;
      const bytes = typeof data === "string" ? Buffer.byteLength(data, "utf8") : 0;
      if (bytes < 1 || bytes > 64) refuse("Bad Request: BUTTON_DATA_INVALID");
      return [{ label: b.text, data: data as string }];
    });
  }

  function messageResult(
    chatId: number,
    messageId: number,
    extra: Record<string, unknown>,
  ): Record<string, unknown> {
    return {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat:
        chatId > 0
          ? { id: chatId, type: "private", first_name: "Teste" }
          : { id: chatId, type: "supergroup", title: "Grupo" },
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      ...extra,
    };
  }

  async function perform(
    method: string,
    params: Params,
    files: FakeUpload[],
    res: ServerResponse,
  ): Promise<unknown> {
    switch (method) {
      case "getMe":
        return botInfo;
      case "setMyCommands":
      case "setWebhook":
      case "deleteWebhook":
        return true;
      case "answerCallbackQuery":
        if (typeof params.callback_query_id !== "string" || params.callback_query_id === "")
          refuse("Bad Request: query is too old and response timeout expired or query ID is invalid");
        if (params.text !== undefined && (typeof params.text !== "string" || params.text.length > 200))
          refuse("Bad Request: MESSAGE_TOO_LONG");
        return true;
      case "sendChatAction":
        return true;
      case "getUpdates": {
        const offset = Number(params.offset ?? 0);
        while (queue.length > 0 && queue[0]!.update_id < offset) queue.shift();
        const limit = Number(params.limit ?? 100);
        const timeout = Number(params.timeout ?? 0);
        if (queue.length === 0 && timeout > 0) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              waiters.delete(wake);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(wake, Math.min(timeout * 1000, maxHoldMs));
            waiters.add(wake);
            res.on("close", wake);
          });
        }
        return queue.filter((u) => u.update_id >= offset).slice(0, limit);
      }
      case "sendMessage": {
        const chatId = Number(params.chat_id);
        const text = checkText(params.text, params.parse_mode, 4096, "message");
        const buttons = checkButtons(params.reply_markup);
        const messageId = nextMessageId++;
        messages.set(`${chatId}:${messageId}`, {
          text: params.text,
          markup: JSON.stringify(params.reply_markup ?? null),
        });
        sentList.push({
          kind: "send",
          chatId,
          messageId,
          raw: params.text,
          text,
          buttons,
          callbacks: callbacksOf(params.reply_markup),
          replyTo: params.reply_parameters?.message_id,
        });
        return messageResult(chatId, messageId, { text });
      }
      case "editMessageText": {
        const chatId = Number(params.chat_id);
        const messageId = Number(params.message_id);
        const current = messages.get(`${chatId}:${messageId}`);
        if (!current) refuse("Bad Request: message to edit not found");
        const text = checkText(params.text, params.parse_mode, 4096, "message");
        const buttons = checkButtons(params.reply_markup);
        const markup = JSON.stringify(params.reply_markup ?? null);
        if (current!.text === params.text && current!.markup === markup) {
          refuse(
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        messages.set(`${chatId}:${messageId}`, { text: params.text, markup });
        sentList.push({
          kind: "edit",
          chatId,
          messageId,
          raw: params.text,
          text,
          buttons,
          callbacks: callbacksOf(params.reply_markup),
        });
        return messageResult(chatId, messageId, { text, edit_date: Math.floor(Date.now() / 1000) });
      }
      case "sendDocument": {
        const chatId = Number(params.chat_id);
        const caption = checkText(params.caption, params.parse_mode, 1024, "caption");
        const ref = typeof params.document === "string" ? params.document : "";
        const file = ref.startsWith("attach://")
          ? files.find((f) => f.field === ref.slice("attach://".length))
          : undefined;
        if (!file) refuse("Bad Request: there is no document in the request");
        const messageId = nextMessageId++;
        sentList.push({
          kind: "document",
          chatId,
          messageId,
          raw: params.caption ?? "",
          text: caption,
          buttons: [],
          callbacks: [],
          replyTo: params.reply_parameters?.message_id,
        });
        return messageResult(chatId, messageId, {
          caption,
          document: {
            file_id: `doc-${messageId}`,
            file_unique_id: `u${messageId}`,
            file_name: file!.filename,
            file_size: file!.data.length,
          },
        });
      }
      default:
        return refuse("Not Found: method not found", 404);
    }
  }

  const callList: FakeTelegramCall[] = [];
  const sentList: FakeSentMessage[] = [];

  const server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    const body = await readBody(req).catch(() => Buffer.alloc(0));
    if (!match) return answer(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const [, givenToken, method] = match as unknown as [string, string, string];
    const contentType = req.headers["content-type"] ?? "";
    let params: Params = {};
    let files: FakeUpload[] = [];
    if (contentType.startsWith("multipart/form-data")) {
      const parsed = parseMultipart(body, contentType);
      files = parsed.files;
      for (const [k, v] of Object.entries(parsed.fields)) {
        try {
          params[k] = JSON.parse(v);
        } catch {
          params[k] = v;
        }
      }
      // Telegram reads ids and strings as sent: keep text fields as strings.
      for (const k of ["caption", "text", "document", "parse_mode"])
        if (k in parsed.fields) params[k] = parsed.fields[k];
    } else if (body.length > 0) {
      try {
        params = JSON.parse(body.toString("utf8"));
      } catch {
        params = {};
      }
    }
    const call: FakeTelegramCall = { method, params, files, ok: false };
    callList.push(call);
    const respond = (status: number, payload: unknown, error?: string) => {
      call.ok = status === 200;
      call.error = error;
      answer(res, status, payload);
      notify();
    };
    if (givenToken !== token)
      return respond(401, { ok: false, error_code: 401, description: "Unauthorized" }, "Unauthorized");
    const injected = faults.get(method)?.shift();
    if (injected) return respond(injected.error_code, { ok: false, ...injected }, injected.description);
    try {
      const result = await perform(method, params, files, res);
      respond(200, { ok: true, result });
    } catch (error) {
      if (error instanceof ApiRefusal)
        return respond(error.error.error_code, { ok: false, ...error.error }, error.error.description);
      respond(500, { ok: false, error_code: 500, description: "Internal Server Error" }, String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeTelegram = {
    apiRoot,
    token,
    botInfo,
    calls: callList,
    sent: sentList,
    callsTo: (method) => callList.filter((c) => c.method === method),
    pushUpdate(update) {
      queue.push(update as { update_id: number });
      queue.sort((a, b) => a.update_id - b.update_id);
      for (const wake of [...waiters]) wake();
    },
    pendingUpdates: () => queue.length,
    textUpdate(o) {
      const updateId = o.updateId ?? nextUpdateId++;
      const chatType = o.chatType ?? "private";
      const fromId = o.fromId ?? 1001;
      const chatId = o.chatId ?? (chatType === "private" ? fromId : -1002003004005);
      const from = {
        id: fromId,
        is_bot: o.isBot ?? false,
        first_name: o.firstName ?? "Ana",
        language_code: "pt-br",
      };
      const chat =
        chatType === "private"
          ? { id: chatId, type: "private", first_name: from.first_name }
          : { id: chatId, type: chatType, title: "Compras Públicas" };
      const entities = o.text.startsWith("/")
        ? [{ type: "bot_command", offset: 0, length: o.text.split(/\s/)[0]!.length }]
        : undefined;
      return {
        update_id: updateId,
        message: {
          message_id: o.messageId ?? updateId + 1,
          date: Math.floor(Date.now() / 1000),
          chat,
          from,
          text: o.text,
          entities,
        },
      };
    },
    callbackUpdate(o) {
      const updateId = o.updateId ?? nextUpdateId++;
      const fromId = o.fromId ?? 1001;
      const chatId = o.chatId ?? fromId;
      const messageId = o.messageId ?? sentList.at(-1)?.messageId ?? 1;
      return {
        update_id: updateId,
        callback_query: {
          id: o.queryId ?? `cbq-${updateId}`,
          from: { id: fromId, is_bot: false, first_name: "Ana", language_code: "pt-br" },
          chat_instance: `ci-${chatId}`,
          data: o.data,
          message: messageResult(chatId, messageId, { text: "…" }),
        },
      };
    },
    fail(method, error, times = 1) {
      const list = faults.get(method) ?? [];
      for (let i = 0; i < times; i += 1) list.push(error);
      faults.set(method, list);
    },
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(fake)) return;
          watchers.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(
              `fake Telegram: condition not met in ${timeoutMs} ms; calls: ${callList.map((c) => c.method).join(", ")}`,
            ),
          );
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    reset() {
      callList.length = 0;
      sentList.length = 0;
    },
    async close() {
      for (const wake of [...waiters]) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
