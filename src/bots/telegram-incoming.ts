import type { CallbackQuery, Message, Update } from "grammy/types";
import { z } from "zod";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";

/**
 * Telegram update → `IncomingCommand`. Identity is `from.id`; a group chat is the team. Updates are checked
 * against the few fields we read before grammY sees them, so a signed but malformed update (a `text` that
 * is a number or an array, a `from` that is missing or not an object) is dropped with a log instead of
 * throwing a TypeError inside a handler. Unknown fields and update kinds pass untouched.
 */

const userSchema = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
});

const chatSchema = z.object({ id: z.number().int(), type: z.string() });

const messageSchema = z.object({
  message_id: z.number().int(),
  chat: chatSchema,
  from: userSchema.optional(),
  text: z.string().min(1).optional(),
  is_topic_message: z.boolean().optional(),
  message_thread_id: z.number().int().optional(),
});

const callbackSchema = z.object({
  id: z.string().min(1),
  from: userSchema,
  data: z.string().optional(),
  message: z.object({ message_id: z.number().int(), chat: chatSchema }).optional(),
});

const updateSchema = z.object({
  update_id: z.number().int(),
  message: messageSchema.optional(),
  callback_query: callbackSchema.optional(),
});

/** Why an update was not accepted; null when it is well-formed. */
export function malformedUpdate(value: unknown): string | null {
  const parsed = updateSchema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return issue ? `${issue.path.join(".") || "update"}: ${issue.code}` : "update";
}

/** The update when well-formed (see `malformedUpdate`), else null. */
export function readUpdate(value: unknown): Update | null {
  return malformedUpdate(value) === null ? (value as Update) : null;
}

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

/** Delivery ids of button taps: the callback query id, in its own namespace (update ids are numbers too). */
export function callbackMessageId(query: CallbackQuery): string {
  return `callback:${query.id}`;
}

/**
 * A command-button tap as the command it carries, in the chat of the message the button is on. Null for a
 * tap on a message we cannot answer in (inline-mode messages carry no chat).
 */
export function fromCallbackQuery(
  query: CallbackQuery,
  command: string,
  receivedAt: Date,
): IncomingCommand | null {
  const message = query.message;
  if (!message) return null;
  const { chat } = message;
  const group = chat.type === "group" || chat.type === "supergroup";
  return {
    platform: "telegram",
    userKey: `telegram:${query.from.id}`,
    userId: String(query.from.id),
    teamId: group ? String(chat.id) : null,
    displayName: query.from.first_name || null,
    chatId: String(chat.id),
    isPrivate: chat.type === "private",
    text: command,
    messageId: callbackMessageId(query),
    receivedAt,
    raw: { callback_query: { id: query.id, data: query.data, chat: chat.id } },
  };
}

/** `/cmd@OtherBot`: a command addressed to another bot in the same group. */
export function isForAnotherBot(text: string, username: string): boolean {
  const match = /^\/[^\s@]+@(\S+)/.exec(text.trim());
  return match !== null && match[1]!.toLowerCase() !== username.toLowerCase();
}
