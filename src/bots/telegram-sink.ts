import { type Api, GrammyError, HttpError, InputFile } from "grammy";
import type { InlineKeyboardMarkup, ReplyParameters } from "grammy/types";
import type { Reply, ReplySink } from "../core/chat/reply.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { CommandRefs } from "./command-refs.ts";
import {
  buttonsAsHtml,
  linkButtonsOf,
  renderCaption,
  renderReply,
  type TelegramMessage,
  toInlineKeyboard,
} from "./telegram-render.ts";

/** Telegram's upload cap for bots on the public Bot API (https://core.telegram.org/bots/api#senddocument). */
export const TELEGRAM_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

/** Where one command's replies go. */
export interface TelegramSinkOptions {
  api: Api;
  chatId: number;
  /** In groups: the user's message, so the answer is threaded to who asked. */
  replyToMessageId?: number;
  /** Forum topic of the command, so replies stay in it. */
  threadId?: number;
  logger: Logger;
  /** How often the `upload_document` chat action is repeated while searching (it lasts ≤ 5 s); default 4,500 ms. */
  chatActionIntervalMs?: number;
  /** Safety cap for the chat-action loop should the job never report back; default 10 min. */
  chatActionMaxMs?: number;
  /** Sinks with a running chat-action loop register here so the adapter can stop them on shutdown. */
  active?: Set<TelegramSink>;
  /** Where command buttons too long for `callback_data` keep their command (the adapter's map). */
  commandRefs?: CommandRefs;
}

/** A `ReplySink` for one Telegram conversation; `close()` stops its chat-action loop. */
export interface TelegramSink extends ReplySink {
  readonly chatActionRunning: boolean;
  close(): void;
}

const NOT_MODIFIED = /message is not modified/i;
const BAD_BUTTON = /button|url/i;

function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && NOT_MODIFIED.test(error.description);
}

/**
 * Error fields safe to log. grammY's `HttpError` wraps the fetch error, whose message contains the request
 * URL and with it the bot token, so only grammY's own message is kept.
 */
export function telegramErrorFields(error: unknown): Record<string, unknown> {
  if (error instanceof GrammyError) {
    return { method: error.method, code: error.error_code, description: error.description };
  }
  if (error instanceof HttpError) return { err: { type: "HttpError", message: error.message } };
  if (error instanceof Error)
    return { err: { type: error.name, message: error.message, stack: error.stack } };
  return { err: String(error) };
}

/**
 * Renders core replies into one Telegram chat: `searching` is sent and its message kept, `progress`
 * edits it, `results` and job `error`s replace it (or are sent when it is gone), `file` is a
 * `sendDocument` from the Buffer. While the job runs the `upload_document` chat action is repeated.
 * Sends are serialized so a late progress edit can never overwrite the results.
 * See https://core.telegram.org/bots/api#sendchataction and #editmessagetext.
 */
export function createTelegramSink(options: TelegramSinkOptions): TelegramSink {
  const { api, chatId, logger } = options;
  const render = (reply: Parameters<typeof renderReply>[0]) => renderReply(reply, options.commandRefs);
  const intervalMs = options.chatActionIntervalMs ?? 4500;
  const maxMs = options.chatActionMaxMs ?? 10 * 60_000;
  const replyParameters: ReplyParameters | undefined =
    options.replyToMessageId === undefined
      ? undefined
      : { message_id: options.replyToMessageId, allow_sending_without_reply: true };
  const threadOption = options.threadId === undefined ? {} : { message_thread_id: options.threadId };
  let statusMessageId: number | null = null;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  let startedAt = 0;
  let queue: Promise<void> = Promise.resolve();

  const sendAction = () => {
    if (Date.now() - startedAt > maxMs) return stopAction();
    api.sendChatAction(chatId, "upload_document", threadOption).catch((error: unknown) => {
      logger.debug(telegramErrorFields(error), "telegram_chat_action_failed");
    });
  };
  const startAction = () => {
    if (timer) return;
    startedAt = Date.now();
    sendAction();
    timer = setInterval(sendAction, intervalMs);
    timer.unref();
    options.active?.add(sink);
  };
  function stopAction(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
    options.active?.delete(sink);
  }

  async function sendOne(message: TelegramMessage): Promise<number> {
    const base = {
      parse_mode: "HTML" as const,
      link_preview_options: { is_disabled: true },
      reply_parameters: replyParameters,
      ...threadOption,
    };
    try {
      const sent = await api.sendMessage(chatId, message.html, {
        ...base,
        reply_markup: toInlineKeyboard(message.buttons),
      });
      return sent.message_id;
    } catch (error) {
      if (!refusedButtons(error, message)) throw error;
      logger.warn(telegramErrorFields(error), "telegram_buttons_refused");
      const sent = await api.sendMessage(chatId, withButtonsAsText(message), base);
      return sent.message_id;
    }
  }

  async function sendAll(messages: TelegramMessage[]): Promise<void> {
    for (const message of messages) await sendOne(message);
  }

  /** Edits the status message into `messages[0]` and sends the rest; falls back to sending when the edit fails. */
  async function replaceStatus(messages: TelegramMessage[]): Promise<void> {
    const [first, ...rest] = messages;
    if (statusMessageId === null || !first) return sendAll(messages);
    try {
      await edit(statusMessageId, first);
    } catch (error) {
      if (!isNotModified(error)) {
        logger.warn(telegramErrorFields(error), "telegram_edit_failed");
        return sendAll(messages);
      }
    }
    await sendAll(rest);
  }

  async function edit(messageId: number, message: TelegramMessage, keyboard = true): Promise<void> {
    const markup: InlineKeyboardMarkup | undefined = keyboard ? toInlineKeyboard(message.buttons) : undefined;
    try {
      await api.editMessageText(chatId, messageId, keyboard ? message.html : withButtonsAsText(message), {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        reply_markup: markup,
      });
    } catch (error) {
      if (!keyboard || !refusedButtons(error, message)) throw error;
      logger.warn(telegramErrorFields(error), "telegram_buttons_refused");
      await edit(messageId, message, false);
    }
  }

  async function deliver(reply: Reply): Promise<void> {
    switch (reply.kind) {
      case "searching": {
        const [first, ...rest] = render(reply);
        if (first) statusMessageId = await sendOne(first);
        await sendAll(rest);
        if (!finished) startAction();
        return;
      }
      case "progress": {
        if (finished) return;
        const [first] = render(reply);
        if (statusMessageId === null || !first) return;
        try {
          await edit(statusMessageId, first);
        } catch (error) {
          if (!isNotModified(error)) logger.warn(telegramErrorFields(error), "telegram_progress_edit_failed");
        }
        return;
      }
      case "results":
      case "error": {
        finished = true;
        stopAction();
        await replaceStatus(render(reply));
        // The status message now holds the outcome: a later error (e.g. the file failed) must not erase it.
        statusMessageId = null;
        return;
      }
      case "file": {
        finished = true;
        stopAction();
        if (reply.data.length > TELEGRAM_UPLOAD_LIMIT_BYTES) {
          logger.warn({ bytes: reply.data.length }, "telegram_file_too_large");
          await sendAll(
            render({
              kind: "text",
              text: "A planilha ficou maior que o limite de 50 MB do Telegram. Refine a busca (menos estados ou um período menor) e tente de novo.",
            }),
          );
          return;
        }
        await api.sendDocument(chatId, new InputFile(reply.data, reply.filename), {
          caption: renderCaption(reply.caption),
          parse_mode: "HTML",
          reply_parameters: replyParameters,
          ...threadOption,
        });
        return;
      }
      case "text":
      case "upgrade": {
        finished = true;
        stopAction();
        await sendAll(render(reply));
        return;
      }
    }
  }

  const sink: TelegramSink = {
    get chatActionRunning() {
      return timer !== undefined;
    },
    send(reply) {
      const next = queue.then(() => deliver(reply));
      queue = next.catch(() => {});
      return next;
    },
    close: stopAction,
  };
  return sink;
}

function refusedButtons(error: unknown, message: TelegramMessage): boolean {
  return (
    message.buttons.length > 0 &&
    error instanceof GrammyError &&
    error.error_code === 400 &&
    BAD_BUTTON.test(error.description)
  );
}

function withButtonsAsText(message: TelegramMessage): string {
  return [message.html, "", ...buttonsAsHtml(linkButtonsOf(message.buttons))].join("\n");
}
