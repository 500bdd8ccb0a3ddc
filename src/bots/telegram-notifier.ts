/**
 * The Telegram `Notifier`: sends to a known chat outside a reply with the Bot API's `sendMessage` (HTML,
 * as the sink renders it) and `sendDocument`. It has its own grammY `Api` WITHOUT auto-retry: the paced
 * outbox owns retries, so a 429 comes back at once as `rate_limited` with Telegram's `retry_after`.
 * Refusals map to the stable codes: 403 (blocked by the user, kicked from the group, user deactivated) and
 * "chat not found" → `chat_unreachable`; a group upgraded to a supergroup is followed once to its new id.
 * @see https://core.telegram.org/bots/api#responseparameters
 * @see https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
 */
import { Api, GrammyError, HttpError, InputFile } from "grammy";
import type { Reply } from "../core/chat/reply.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ChatAddress, Notifier, NotifyOutcome } from "../core/ports/notifier.ts";
import {
  buttonsAsHtml,
  linkButtonsOf,
  renderCaption,
  renderReply,
  type TelegramMessage,
  toInlineKeyboard,
} from "./telegram-render.ts";
import { TELEGRAM_UPLOAD_LIMIT_BYTES } from "./telegram-sink.ts";

export interface TelegramNotifierOptions {
  token: string;
  /** `TELEGRAM_API_ROOT` (a loopback fake in tests). */
  apiRoot?: string;
  logger: Logger;
  /** Per request (default 20 s). */
  timeoutSeconds?: number;
}

/** Descriptions of 400s that mean the bot cannot reach the chat any more. */
const UNREACHABLE_400 =
  /chat not found|user not found|bot was kicked|not enough rights to send|have no rights to send|need administrator rights|CHAT_WRITE_FORBIDDEN|CHAT_RESTRICTED|PEER_ID_INVALID/i;

/** Maps a grammY failure to an outcome (never throws). */
export function telegramFailure(error: unknown): Extract<NotifyOutcome, { ok: false }> {
  if (error instanceof GrammyError) {
    const detail = `${error.error_code} ${error.description}`.slice(0, 200);
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after;
      return { ok: false, reason: "rate_limited", retryAfterMs: (seconds ?? 1) * 1000, detail };
    }
    if (error.error_code === 403) return { ok: false, reason: "chat_unreachable", detail };
    if (error.error_code >= 500) return { ok: false, reason: "transient", detail };
    if (error.error_code === 400 && UNREACHABLE_400.test(error.description))
      return { ok: false, reason: "chat_unreachable", detail };
    return { ok: false, reason: "rejected", detail };
  }
  if (error instanceof HttpError) return { ok: false, reason: "transient", detail: "network" };
  return { ok: false, reason: "transient", detail: error instanceof Error ? error.name : "unknown" };
}

const BAD_BUTTON = /button|url/i;

/** Builds the Telegram notifier. */
export function createTelegramNotifier(options: TelegramNotifierOptions): Notifier {
  const api = new Api(options.token, {
    apiRoot: options.apiRoot,
    timeoutSeconds: options.timeoutSeconds ?? 20,
  });
  const logger = options.logger.child({ platform: "telegram", component: "notifier" });

  async function sendMessage(chatId: number, thread: object, message: TelegramMessage): Promise<number> {
    const base = { parse_mode: "HTML" as const, link_preview_options: { is_disabled: true }, ...thread };
    try {
      const sent = await api.sendMessage(chatId, message.html, {
        ...base,
        reply_markup: toInlineKeyboard(message.buttons),
      });
      return sent.message_id;
    } catch (error) {
      const refused =
        message.buttons.length > 0 &&
        error instanceof GrammyError &&
        error.error_code === 400 &&
        BAD_BUTTON.test(error.description);
      if (!refused) throw error;
      // Same fallback as the sink: the buttons as text links, so the message still goes out.
      const html = [message.html, "", ...buttonsAsHtml(linkButtonsOf(message.buttons))].join("\n");
      const sent = await api.sendMessage(chatId, html, base);
      return sent.message_id;
    }
  }

  async function sendReply(chatId: number, thread: object, reply: Reply): Promise<number[]> {
    if (reply.kind === "progress") return [];
    if (reply.kind === "file") {
      const sent = await api.sendDocument(chatId, new InputFile(reply.data, reply.filename), {
        caption: renderCaption(reply.caption),
        parse_mode: "HTML",
        ...thread,
      });
      return [sent.message_id];
    }
    const ids: number[] = [];
    for (const message of renderReply(reply)) ids.push(await sendMessage(chatId, thread, message));
    return ids;
  }

  async function deliver(chatId: number, to: ChatAddress, replies: Reply[]): Promise<NotifyOutcome> {
    const thread = to.threadId === undefined ? {} : { message_thread_id: Number(to.threadId) };
    const messageIds: string[] = [];
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!;
      if (reply.kind === "file" && reply.data.length > TELEGRAM_UPLOAD_LIMIT_BYTES) {
        // Bots upload at most 50 MB; retrying cannot help.
        const failure = { ok: false as const, reason: "rejected" as const, detail: "file_too_large" };
        return messageIds.length === 0 ? failure : { ...failure, pending: replies.slice(i), messageIds };
      }
      try {
        for (const id of await sendReply(chatId, thread, reply)) messageIds.push(String(id));
      } catch (error) {
        const migrated = error instanceof GrammyError ? error.parameters.migrate_to_chat_id : undefined;
        if (migrated !== undefined && messageIds.length === 0 && chatId !== migrated) {
          logger.info({ chatId, migratedTo: migrated }, "telegram_notify_chat_migrated");
          return deliver(migrated, to, replies);
        }
        const failure = telegramFailure(error);
        logger.info({ chatId, reason: failure.reason, detail: failure.detail }, "telegram_notify_failed");
        return messageIds.length === 0 ? failure : { ...failure, pending: replies.slice(i), messageIds };
      }
    }
    return { ok: true, messageIds };
  }

  return {
    async notify(to, replies) {
      const chatId = Number(to.chatId);
      if (!Number.isSafeInteger(chatId)) return { ok: false, reason: "rejected", detail: "bad_chat_id" };
      return deliver(chatId, to, replies);
    },
  };
}
