import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, BotError, type Context } from "grammy";
import type { BotCommand, Update, UserFromGetMe } from "grammy/types";
import type { AppConfig } from "../config.ts";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import { errorMessage } from "../core/messages.ts";
import { sendJson } from "../server/http.ts";
import { isRecord, parseJson } from "../server/json-body.ts";
import type { AdapterDeps, BotAdapter, HttpContext, Route } from "./adapter.ts";
import { createCommandRefs, decodeCommand } from "./command-refs.ts";
import { createTelegramConnection } from "./telegram-connection.ts";
import {
  fromCallbackQuery,
  isForAnotherBot,
  malformedUpdate,
  toIncomingCommand,
} from "./telegram-incoming.ts";
import { createTelegramSink, type TelegramSink, telegramErrorFields } from "./telegram-sink.ts";
import { TELEGRAM_SECRET_HEADER, verifyTelegramSecret } from "./telegram-verify.ts";

export { isForAnotherBot, toIncomingCommand } from "./telegram-incoming.ts";

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
  /** Start-up against an unreachable API: see `TelegramConnectionOptions` (defaults 5 s, 10 s, 1 s, 60 s). */
  startWaitMs?: number;
  attemptTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Webhook updates held while the API is unreachable, answered once it is back (default 200). */
  maxHeldUpdates?: number;
}

/** The adapter, plus a way to wait for webhook updates still being handed to the core. */
export interface TelegramAdapter extends BotAdapter {
  idle(): Promise<void>;
}

/** The webhook path mounted on the shared server. */
export const TELEGRAM_WEBHOOK_PATH = "/telegram/webhook";

/** The command menu registered with `setMyCommands` at start (pt-BR). */
export const TELEGRAM_COMMANDS: BotCommand[] = [
  { command: "buscar", description: "Buscar licitações no PNCP (ex.: /buscar uniformes SP 7d)" },
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

/** grammY types signals with its abort-controller shim; Node's own AbortSignal is what it gets at run time. */
type GrammySignal = Parameters<Bot["api"]["getMe"]>[0];
const grammySignal = (signal: AbortSignal): GrammySignal => signal as unknown as GrammySignal;

/** Rejects when `signal` aborts (for steps that take no signal of their own). */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(signal.reason ?? new Error("aborted"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
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
): TelegramAdapter {
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
  const refs = createCommandRefs();
  const webhookSecret = config.webhook ? config.webhookSecret : undefined;
  const maxHeld = options.maxHeldUpdates ?? 200;
  /** Webhook updates that arrived while the API was unreachable (grammY needs getMe's answer first). */
  const held: Update[] = [];
  const inFlight = new Set<Promise<void>>();
  let polling: Promise<void> | null = null;
  let pollingStarted: Promise<void> | null = null;

  // Before any handler: a malformed update (a number as `text`, no `from`…) is dropped with a log, in
  // webhook and long-polling mode alike.
  bot.use(async (ctx, next) => {
    const why = malformedUpdate(ctx.update);
    if (why !== null) {
      logger.warn({ updateId: ctx.update.update_id, why }, "telegram_update_malformed");
      return;
    }
    await next();
  });

  async function dispatch(cmd: IncomingCommand, chatId: number, replyTo: number | undefined): Promise<void> {
    const sink = createTelegramSink({
      api: bot.api,
      chatId,
      replyToMessageId: replyTo,
      threadId: cmd.threadId === undefined ? undefined : Number(cmd.threadId),
      logger: logger.child({ userKey: cmd.userKey, requestId: cmd.messageId }),
      chatActionIntervalMs: options.chatActionIntervalMs,
      active: activeSinks,
      commandRefs: refs,
    });
    await deps.chat.handle(cmd, sink);
  }

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
    await dispatch(cmd, message.chat.id, group ? message.message_id : undefined);
  });

  // A command button: answer the callback at once (the client stops spinning), then run its command as
  // if typed. https://core.telegram.org/bots/api#answercallbackquery
  bot.on("callback_query", async (ctx) => {
    const query = ctx.callbackQuery;
    const decoded = decodeCommand(query.data, refs);
    const answer = (text?: string) =>
      ctx.answerCallbackQuery(text ? { text } : undefined).catch((error: unknown) => {
        logger.warn({ ...telegramErrorFields(error) }, "telegram_callback_answer_failed");
      });
    if (!decoded.ok) {
      if (decoded.reason === "expired")
        logger.info({ updateId: ctx.update.update_id }, "telegram_button_expired");
      await answer(decoded.reason === "expired" ? errorMessage("BUTTON_EXPIRED") : undefined);
      return;
    }
    const cmd = query.from.is_bot ? null : fromCallbackQuery(query, decoded.command, deps.clock.now());
    await answer();
    if (!cmd || !query.message) return;
    const group = query.message.chat.type !== "private";
    await dispatch(cmd, query.message.chat.id, group ? query.message.message_id : undefined);
  });

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

  /** Hands one update to grammY; tracked so `idle()` can wait for it. */
  function process(update: Update): Promise<void> {
    const handling = bot.handleUpdate(update).catch(async (error: unknown) => {
      if (error instanceof BotError) await onError(error);
      else
        logger.error({ ...telegramErrorFields(error), updateId: update.update_id }, "telegram_update_failed");
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
    return handling;
  }

  /**
   * Never awaits the Bot API before answering: while getMe has not succeeded (API unreachable at
   * start-up) the update is held in memory and answered 200 at once, then handled when the connection is
   * up; past `maxHeldUpdates` it gets 503 so Telegram redelivers it later.
   */
  async function handleWebhook({ req, res, rawBody }: HttpContext): Promise<void> {
    if (!webhookSecret || !verifyTelegramSecret(req.headers[TELEGRAM_SECRET_HEADER], webhookSecret)) {
      logger.warn("telegram_webhook_bad_secret");
      return sendJson(res, 401, { error: "unauthorized" });
    }
    const parsed = parseJson(rawBody.toString("utf8"));
    if (!parsed.ok) {
      logger.warn({ bytes: rawBody.length, reason: parsed.reason }, "telegram_webhook_unreadable");
      return sendJson(res, 400, { error: parsed.reason });
    }
    const update = parsed.value;
    if (!isRecord(update) || !Number.isSafeInteger(update.update_id))
      return sendJson(res, 400, { error: "not_an_update" });
    const why = malformedUpdate(update);
    if (why !== null) {
      // Signed, so it came from Telegram (or someone holding the secret): retrying will not fix it.
      logger.warn({ updateId: update.update_id, why }, "telegram_update_malformed");
      return sendJson(res, 200, { ok: true });
    }
    if (!bot.isInited()) {
      if (held.length >= maxHeld) {
        logger.warn({ updateId: update.update_id, held: held.length }, "telegram_update_deferred");
        return sendJson(res, 503, { error: "unavailable" });
      }
      held.push(update as unknown as Update);
      logger.info({ updateId: update.update_id, held: held.length }, "telegram_update_held");
      return sendJson(res, 200, { ok: true });
    }
    const handling = process(update as unknown as Update);
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

  async function registerCommands(signal: AbortSignal): Promise<void> {
    await bot.api
      .setMyCommands(TELEGRAM_COMMANDS, undefined, grammySignal(signal))
      .catch((error: unknown) => {
        logger.warn({ ...telegramErrorFields(error) }, "telegram_set_commands_failed");
      });
  }

  async function registerWebhook(secret: string, signal: AbortSignal): Promise<void> {
    const url = `${deps.publicBaseUrl}${TELEGRAM_WEBHOOK_PATH}`;
    if (!url.startsWith("https://")) {
      logger.warn(
        { url },
        "telegram_webhook_not_registered: PUBLIC_BASE_URL must be https; register it with setWebhook yourself",
      );
      return;
    }
    await bot.api
      .setWebhook(
        url,
        { secret_token: secret, allowed_updates: ["message", "callback_query"] },
        grammySignal(signal),
      )
      .then(() => logger.info({ url }, "telegram_webhook_registered"))
      .catch((error: unknown) =>
        logger.error({ ...telegramErrorFields(error), url }, "telegram_webhook_register_failed"),
      );
  }

  /** Starts long polling once; resolves when the first getUpdates is about to run. */
  function startPolling(): Promise<void> {
    pollingStarted ??= new Promise<void>((resolve, reject) => {
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
          pollingStarted = null;
          reject(error);
          connection.lost("telegram_polling_stopped");
        });
    });
    // Whoever awaited it may have given up (attempt timeout): a late rejection is logged above.
    pollingStarted.catch(() => {});
    return pollingStarted;
  }

  const connection = createTelegramConnection({
    logger,
    startWaitMs: options.startWaitMs,
    attemptTimeoutMs: options.attemptTimeoutMs,
    retryBaseMs: options.retryBaseMs,
    retryMaxMs: options.retryMaxMs,
    async connect(signal) {
      // One getMe of our own (not bot.init(), which retries network errors forever in the foreground).
      if (!bot.isInited()) bot.botInfo = await bot.api.getMe(grammySignal(signal));
      await registerCommands(signal);
      if (webhookSecret) {
        await registerWebhook(webhookSecret, signal);
        logger.info({ username: bot.botInfo.username, mode: "webhook" }, "telegram_started");
        return;
      }
      await Promise.race([startPolling(), rejectOnAbort(signal)]);
    },
    onReady() {
      const waiting = held.splice(0);
      if (waiting.length > 0) logger.info({ updates: waiting.length }, "telegram_held_updates_released");
      const released = (async () => {
        for (const update of waiting) await process(update);
      })();
      inFlight.add(released);
      void released.finally(() => inFlight.delete(released));
    },
  });

  return {
    name: "telegram",
    routes,
    start: () => connection.start(),
    status: () => connection.status(),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      connection.stop();
      if (held.length > 0) logger.warn({ updates: held.length }, "telegram_held_updates_dropped");
      held.length = 0;
      for (const sink of activeSinks) sink.close();
      if (bot.isRunning())
        await bot
          .stop()
          .catch((error: unknown) => logger.warn({ ...telegramErrorFields(error) }, "telegram_stop_failed"));
      await polling;
      polling = null;
      pollingStarted = null;
    },
  };
}
