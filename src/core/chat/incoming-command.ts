import type { Platform } from "../ports/store.ts";

/**
 * The one inbound type: every adapter turns its platform payload into this, and the core never sees a
 * Slack, Telegram or WhatsApp shape.
 */
export interface IncomingCommand {
  platform: Platform;
  /** `<platform>:<user id>`, e.g. `telegram:12345`, `slack:T01:U02`. */
  userKey: string;
  /** Platform user id alone (Slack user id, Telegram from.id, WhatsApp BSUID/wa_id, CLI name). */
  userId: string;
  /** Team context (Slack team id, Telegram group chat id) or null in a private chat. */
  teamId: string | null;
  displayName: string | null;
  /** Where replies go (channel, chat id, phone). */
  chatId: string;
  /** Thread to reply in, when the platform has threads. */
  threadId?: string;
  /** Private conversation (DM, Telegram private chat, WhatsApp): plain text is a search there. */
  isPrivate: boolean;
  /** What the user typed, command included (`/buscar uniformes SC`), or plain text. */
  text: string;
  /** Platform delivery id used for idempotency (`event_id`, `update_id`, wamid…). */
  messageId: string;
  receivedAt: Date;
  /** Original payload, for logs only. */
  raw?: unknown;
}
