import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, BotError, type Context } from "grammy";
import type { BotCommand, Message, Update, UserFromGetMe } from "grammy/types";
import type { AppConfig } from "../config.ts";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import { errorMessage } from "../core/messages.ts";
import { sendJson } from "../server/http.ts";
import type { AdapterDeps, BotAdapter, HttpContext, Route } from "./adapter.ts";
import { createTelegramSink, type TelegramSink, telegramErrorFields } from "./telegram-sink.ts";
import { TELEGRAM_SECRET_HEADER, verifyTelegramSecret } from "./telegram-verify.ts";

/** The `config.telegram` section. */
export type TelegramAdapterConfig = AppConfig["telegram"];

/** Ports from the composition root, plus the public URL the webhook is registered under. */
export interface TelegramAdapterDeps extends AdapterDeps {
  publicBaseUrl: string;
}

/** Test and tuning knobs; production uses the defaults. */
export interface TelegramAdapterOptions {
  /** Preset bot identity: skips `getMe` (tests feeding `handleUpdate` directly). */
  botInfo?: UserFromGetMe;
  /** See `TelegramSinkOptions.chatActionIntervalMs`. */
  chatActionIntervalMs?: number;
  /** Longest the webhook waits for the ack before answering 200 anyway (default 5,000 ms). */
  webhookAckTimeoutMs?: number;
}

/** The webhook path mounted on the shared server. */
export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";

/** The command menu registered with `setMyCommands` at start (pt-BR). */
export const TELEGRAM_COMMANDS: BotCommand[] = [
  { command: "buscar", description: "Buscar licitações no PNCP (ex.: /buscar uniformes SP 30d)" },
  { command: "setores", description: "Setores com exemplos de busca" },
  { command: "plano", description: "Seu plano, uso do mês e data de renovação" },
  { command: "assinar", description: "Opções de assinatura" },
  { command: "ajuda", description: "Como buscar, com exemplos" },
  { command: "start", description: "Começar" },
];

/**
 * 429s are retried after `retry_after` only up to this wait; Telegram has answered `retry after 5329`
 * (grinev/opencode-telegram-bot#144) and a reply that late is worse than a logged failure.
 */
const MAX_RETRY_DELAY_SECONDS = 30;
const MAX_RETRY_ATTEMPTS = 3;

/** Builds the `IncomingCommand` for a text message; identity is `from.id`, a group chat is the team. */
export function toIncomingCommand(
  update: Update,
  message: Message,
  text: string,
  receivedAt: Date,
): IncomingCommand | null {
  const from = message.from;
  if (!from) return null;
  const { chat } = message;
  const group = chat.type === "group" || chat.type === "supergroup";
  return {
    platform: "telegram",
    userKey: `telegram:${from.id}`,
    userId: String(from.id),
    teamId: group ? String(chat.id) : null,
    displayName: from.first_name || null,
    chatId: String(chat.id),
    threadId:
      message.is_topic_message && message.message_thread_id !== undefined
        ? String(message.message_thread_id)
        : undefined,
    isPrivate: chat.type === "private",
    text,
    messageId: String(update.update_id),
    receivedAt,
    raw: update,
  };
}

/** `/cmd@OtherBot`: a command addressed to another bot in the same group. */
export function isForAnotherBot(text: string, username: string): boolean {
  const match = /^\/[^\s@]+@(\S+)/.exec(text.trim());
  return match !== null && match[1]!.toLowerCase() !== username.toLowerCase();
}

function isUpdate(value: unknown): value is Update {
  return (
    typeof value === "object" &&
    value !== null &&
    Number.isInteger((value as { update_id?: unknown }).update_id)
  );
}

/**
 * The Telegram adapter (grammY). Long polling by default (no public URL needed); with a webhook secret it
 * mounts `POST /telegram/webhook`, checks `X-Telegram-Bot-Api-Secret-Token` before parsing and answers
 * 200 as soon as the core has acknowledged (the search runs as a job). Every API call goes through
 * auto-retry with a capped delay. It only translates: updates become `IncomingCommand`s, replies are
 * rendered by `createTelegramSink`.
 * See https://grammy.dev/guide/deployment-types and https://core.telegram.org/bots/api#setwebhook.
 */
export function createTelegramAdapter(
  config: TelegramAdapterConfig,
  deps: TelegramAdapterDeps,
  options: TelegramAdapterOptions = {},
): BotAdapter {
  if (!config.token) throw new Error("TELEGRAM_BOT_TOKEN is required for the Telegram adapter");
  const logger = deps.logger.child({ platform: "telegram" });
  const bot = new Bot(config.token, { client: { apiRoot: config.apiRoot }, botInfo: options.botInfo });
  bot.api.config.use(
    autoRetry({
      maxDelaySeconds: MAX_RETRY_DELAY_SECONDS,
      maxRetryAttempts: MAX_RETRY_ATTEMPTS,
      rethrowHttpErrors: true,
    }),
  );
  const activeSinks = new Set<TelegramSink>();
  const webhookSecret = config.webhook ? config.webhookSecret : undefined;
  let initializing: Promise<void> | null = null;
  let polling: Promise<void> | null = null;

  const ensureInit = (): Promise<void> => {
    if (bot.isInited()) return Promise.resolve();
    initializing ??= bot.init().finally(() => {
      initializing = null;
    });
    return initializing;
  };

  bot.on("message:text", async (ctx) => {
    const message = ctx.message;
    if (!message.from || message.from.is_bot) {
      logger.debug({ updateId: ctx.update.update_id }, "telegram_bot_message_ignored");
      return;
    }
    if (isForAnotherBot(message.text, ctx.me.username)) return;
    const cmd = toIncomingCommand(ctx.update, message, message.text, deps.clock.now());
    if (!cmd) return;
    const group = message.chat.type !== "private";
    const sink = createTelegramSink({
      api: ctx.api,
      chatId: message.chat.id,
      replyToMessageId: group ? message.message_id : undefined,
      threadId: cmd.threadId === undefined ? undefined : Number(cmd.threadId),
      logger: logger.child({ userKey: cmd.userKey, requestId: cmd.messageId }),
      chatActionIntervalMs: options.chatActionIntervalMs,
      active: activeSinks,
    });
    await deps.chat.handle(cmd, sink);
  });

  // Our buttons are URL buttons, which never call back; answer stray callbacks so clients stop spinning.
  bot.on("callback_query", (ctx) => ctx.answerCallbackQuery());

  /** The error boundary: log with context, tell the user, keep serving. */
  const onError = async (error: BotError<Context>): Promise<void> => {
    const { ctx } = error;
    logger.error(
      { ...telegramErrorFields(error.error), updateId: ctx.update.update_id },
      "telegram_update_failed",
    );
    if (!ctx.chat) return;
    await ctx.api.sendMessage(ctx.chat.id, errorMessage("INTERNAL")).catch((sendError: unknown) => {
      logger.error({ ...telegramErrorFields(sendError) }, "telegram_error_reply_failed");
    });
  };
  bot.catch(onError);

  async function handleWebhook({ req, res, rawBody }: HttpContext): Promise<void> {
    if (!webhookSecret || !verifyTelegramSecret(req.headers[TELEGRAM_SECRET_HEADER], webhookSecret)) {
      logger.warn("telegram_webhook_bad_secret");
      return sendJson(res, 401, { error: "unauthorized" });
    }
    let update: unknown;
    try {
      update = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return sendJson(res, 400, { error: "invalid_json" });
    }
    if (!isUpdate(update)) return sendJson(res, 400, { error: "not_an_update" });
    try {
      await ensureInit();
    } catch (error) {
      logger.error({ ...telegramErrorFields(error) }, "telegram_init_failed");
      return sendJson(res, 503, { error: "unavailable" });
    }
    const handling = bot.handleUpdate(update).catch(async (error: unknown) => {
      if (error instanceof BotError) await onError(error);
      else
        logger.error({ ...telegramErrorFields(error), updateId: update.update_id }, "telegram_update_failed");
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.webhookAckTimeoutMs ?? 5000);
    });
    await Promise.race([handling, timeout]);
    clearTimeout(timer);
    res.writeHead(200, { "content-length": 0 });
    res.end();
  }

  const routes: Route[] = webhookSecret
    ? [{ method: "POST", path: TELEGRAM_WEBHOOK_PATH, handle: handleWebhook }]
    : [];

  async function registerCommands(): Promise<void> {
    await bot.api.setMyCommands(TELEGRAM_COMMANDS).catch((error: unknown) => {
      logger.warn({ ...telegramErrorFields(error) }, "telegram_set_commands_failed");
    });
  }

  async function registerWebhook(secret: string): Promise<void> {
    const url = `${deps.publicBaseUrl}${TELEGRAM_WEBHOOK_PATH}`;
    if (!url.startsWith("https://")) {
      logger.warn(
        { url },
        "telegram_webhook_not_registered: PUBLIC_BASE_URL must be https; register it with setWebhook yourself",
      );
      return;
    }
    await bot.api
      .setWebhook(url, { secret_token: secret, allowed_updates: ["message", "callback_query"] })
      .then(() => logger.info({ url }, "telegram_webhook_registered"))
      .catch((error: unknown) =>
        logger.error({ ...telegramErrorFields(error), url }, "telegram_webhook_register_failed"),
      );
  }

  return {
    name: "telegram",
    routes,
    async start() {
      await ensureInit();
      await registerCommands();
      if (webhookSecret) {
        await registerWebhook(webhookSecret);
        logger.info({ username: bot.botInfo.username, mode: "webhook" }, "telegram_started");
        return;
      }
      await new Promise<void>((resolve, reject) => {
        polling = bot
          .start({
            drop_pending_updates: false,
            allowed_updates: ["message", "callback_query"],
            onStart: (me) => {
              logger.info({ username: me.username, mode: "polling" }, "telegram_started");
              resolve();
            },
          })
          .catch((error: unknown) => {
            logger.error({ ...telegramErrorFields(error) }, "telegram_polling_failed");
            reject(error);
          });
      });
    },
    async stop() {
      for (const sink of activeSinks) sink.close();
      if (bot.isRunning())
        await bot
          .stop()
          .catch((error: unknown) => logger.warn({ ...telegramErrorFields(error) }, "telegram_stop_failed"));
      await polling;
      polling = null;
    },
  };
}
