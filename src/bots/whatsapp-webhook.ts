import { z } from "zod";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import { INLINE_PREFIX, REF_PREFIX } from "./command-refs.ts";

/**
 * The WhatsApp Cloud API webhook payload → what the adapter acts on. Parsing is lenient on purpose: Meta
 * adds fields and message types over time, and one odd message must not hide the others in a batch.
 * Payload: `entry[].changes[]` with `field: "messages"` and `value.{metadata, contacts, messages, statuses}`
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages).
 */

const contactSchema = z.object({
  wa_id: z.string().min(1).optional(),
  /** Business-scoped user id (BSUID), in payloads since April 2026. */
  user_id: z.string().min(1).optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});

const replySchema = z.object({ id: z.string().min(1), title: z.string().min(1) });

const messageSchema = z.object({
  id: z.string().min(1),
  /** The user's phone; missing for username users Meta does not reveal the number of. */
  from: z.string().min(1).optional(),
  from_user_id: z.string().min(1).optional(),
  timestamp: z.string().optional(),
  type: z.string(),
  text: z.object({ body: z.string().min(1) }).optional(),
  interactive: z
    .object({ type: z.string(), button_reply: replySchema.optional(), list_reply: replySchema.optional() })
    .optional(),
  button: z.object({ text: z.string().min(1).optional(), payload: z.string().min(1).optional() }).optional(),
});

const valueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string().optional() }).optional(),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

const statusSchema = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  errors: z.array(z.object({ code: z.number().optional(), title: z.string().optional() })).optional(),
});

/** The envelope; anything inside a change is parsed on its own so one bad part does not reject the rest. */
export const webhookSchema = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })).default([]),
    }),
  ),
});

export type WebhookPayload = z.infer<typeof webhookSchema>;

/** What one webhook delivery asks of the adapter. */
export type WebhookEvent =
  /**
   * A text (or button reply) for the core. `buttonPayload` is set for a tap on one of our command buttons
   * (`c:…` / `k:…`, see `command-refs.ts`): the adapter decodes it into `command.text`.
   */
  | { kind: "command"; command: IncomingCommand; buttonPayload?: string }
  /** Image, audio, sticker…: answered with a hint that only text is understood. */
  | { kind: "unsupported"; messageType: string; messageId: string; chatId: string; userKey: string }
  /** Logged and dropped: statuses, reactions, other phone numbers, other fields, unreadable parts. */
  | { kind: "ignored"; reason: string; detail?: Record<string, unknown> };

/** Message types answered with the "only text" hint; others (reaction, system, ephemeral…) are dropped silently. */
const HINT_TYPES = new Set([
  "image",
  "audio",
  "voice",
  "video",
  "document",
  "sticker",
  "location",
  "contacts",
  "unsupported",
]);

/** What the user meant, for types the core understands. `request_welcome` (first contact) greets. */
function textOf(message: z.infer<typeof messageSchema>): string | null {
  switch (message.type) {
    case "text":
      return message.text?.body ?? null;
    case "interactive": {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (!reply) return null;
      return reply.id.startsWith("/") ? reply.id : reply.title;
    }
    case "button": {
      const payload = message.button?.payload;
      return payload?.startsWith("/") ? payload : (message.button?.text ?? null);
    }
    case "request_welcome":
      return "/start";
    default:
      return null;
  }
}

/**
 * Turns a verified, JSON-parsed webhook body into events. Identity: `userId` is the BSUID (`user_id`) when
 * present, else the phone (`wa_id`/`from`), so a user keeps one account across phone-number disclosure;
 * replies go to the phone when known, else to the BSUID. Messages for another phone number id are ignored.
 */
export function toWebhookEvents(
  payload: WebhookPayload,
  phoneNumberId: string,
  receivedAt: Date,
): WebhookEvent[] {
  if (payload.object !== "whatsapp_business_account")
    return [{ kind: "ignored", reason: "object", detail: { object: payload.object } }];
  const events: WebhookEvent[] = [];
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") {
        events.push({ kind: "ignored", reason: "field", detail: { field: change.field } });
        continue;
      }
      const value = valueSchema.safeParse(change.value);
      if (!value.success) {
        events.push({
          kind: "ignored",
          reason: "unreadable_value",
          detail: { issues: value.error.issues.length },
        });
        continue;
      }
      const { metadata, contacts = [], messages = [], statuses = [] } = value.data;
      if (metadata && metadata.phone_number_id !== phoneNumberId) {
        events.push({
          kind: "ignored",
          reason: "other_phone_number",
          detail: { phoneNumberId: metadata.phone_number_id },
        });
        continue;
      }
      for (const raw of statuses) {
        const status = statusSchema.safeParse(raw);
        events.push({
          kind: "ignored",
          reason: "status",
          detail: status.success ? { status: status.data.status, errors: status.data.errors } : {},
        });
      }
      for (const raw of messages) {
        const parsed = messageSchema.safeParse(raw);
        if (!parsed.success) {
          events.push({
            kind: "ignored",
            reason: "unreadable_message",
            detail: { issues: parsed.error.issues.length },
          });
          continue;
        }
        events.push(toEvent(parsed.data, contacts, receivedAt, raw));
      }
    }
  }
  return events;
}

function toEvent(
  message: z.infer<typeof messageSchema>,
  contacts: z.infer<typeof contactSchema>[],
  receivedAt: Date,
  raw: unknown,
): WebhookEvent {
  const contact =
    contacts.find(
      (c) =>
        (message.from && c.wa_id === message.from) ||
        (message.from_user_id && c.user_id === message.from_user_id),
    ) ?? (contacts.length === 1 ? contacts[0] : undefined);
  const phone = message.from ?? contact?.wa_id;
  const userId = contact?.user_id ?? message.from_user_id ?? phone;
  if (!userId) return { kind: "ignored", reason: "no_sender", detail: { messageId: message.id } };
  const chatId = phone ?? userId;
  const userKey = `whatsapp:${userId}`;
  const text = textOf(message);
  if (text === "") return { kind: "ignored", reason: "empty_text", detail: { messageId: message.id } };
  if (text === null) {
    if (HINT_TYPES.has(message.type) || message.type === "interactive" || message.type === "button") {
      return { kind: "unsupported", messageType: message.type, messageId: message.id, chatId, userKey };
    }
    return { kind: "ignored", reason: "message_type", detail: { type: message.type } };
  }
  const reply = message.type === "interactive" ? message.interactive?.button_reply : undefined;
  const buttonPayload =
    reply && (reply.id.startsWith(INLINE_PREFIX) || reply.id.startsWith(REF_PREFIX)) ? reply.id : undefined;
  return {
    kind: "command",
    ...(buttonPayload ? { buttonPayload } : {}),
    command: {
      platform: "whatsapp",
      userKey,
      userId,
      teamId: null,
      displayName: contact?.profile?.name ?? null,
      chatId,
      isPrivate: true,
      text,
      messageId: message.id,
      receivedAt,
      raw,
    },
  };
}
