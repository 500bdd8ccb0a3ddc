import type { Reply } from "../chat/reply.ts";

/**
 * Port: posts to a known chat OUTSIDE a reply — billing confirmations, alerts, digests, change notices,
 * and search results finished by a worker process. Each adapter implements it with its platform's "send
 * to a chat" call (Slack `chat.postMessage` / `files.uploadV2`, Telegram `sendMessage` / `sendDocument`,
 * WhatsApp inside the 24-hour window or an approved template), and `src/main.ts` routes by platform.
 *
 * A notifier never throws for a platform refusal: the outcome says what happened, so callers (the paced
 * outbox, the billing webhook) decide whether to retry, hold or pause. It throws only for programming
 * errors (a platform this process has no adapter for is an `unsupported` outcome, not a throw).
 */

/** Where a message goes: the chat a command came from (`IncomingCommand.chatId`), on its platform. */
export interface ChatAddress {
  platform: "slack" | "telegram" | "whatsapp";
  chatId: string;
  /** Slack workspace (team/enterprise id): which installation's token posts. Null for single-workspace apps. */
  teamId?: string | null;
  /** Thread to post in, when the platform has threads. */
  threadId?: string;
}

/** Why a message was not delivered. Stable codes: logs, metrics and the outbox key on them. */
export type NotifyFailure =
  /** The user blocked the bot, the bot was removed from the channel/group, or the chat no longer exists. */
  | "chat_unreachable"
  /** WhatsApp outside the 24-hour customer-service window and no approved template configured. */
  | "outside_window"
  /** The platform asked us to slow down; retry after `retryAfterMs`. */
  | "rate_limited"
  /** Network error, timeout or 5xx: retry later. */
  | "transient"
  /** The platform refused the message itself (too large, invalid): retrying will not help. */
  | "rejected"
  /** This process has no adapter configured for the address's platform. */
  | "unsupported";

export type NotifyOutcome =
  | {
      ok: true /** Platform message ids, in order (Slack ts, Telegram message_id, wamid). */;
      messageIds: string[];
    }
  | {
      ok: false;
      reason: NotifyFailure;
      retryAfterMs?: number;
      /** A secret-free platform code or description, for logs (`channel_not_found`, `131047`…). */
      detail?: string;
      /**
       * Set when PART of `replies` went out before the failure (or, on WhatsApp outside the window, a
       * template carried the text): the replies still to deliver, so a retry or a later flush sends only
       * these. Absent: nothing was delivered, retry all of `replies`.
       */
      pending?: Reply[];
      /** Platform ids of the messages that did go out before the failure. */
      messageIds?: string[];
    };

export interface NotifyOptions {
  /**
   * What the message is, for templates and logs: a WhatsApp template is used outside the window only for
   * kinds it is configured for.
   */
  purpose: "billing" | "alert" | "digest" | "bid_change" | "reminder" | "search_result";
}

export interface Notifier {
  /** Sends `replies` to `to`, in order (a `results` followed by its `file` may be merged as in a reply). */
  notify(to: ChatAddress, replies: Reply[], options: NotifyOptions): Promise<NotifyOutcome>;
}

/** Outcome of a failed send that is worth retrying later (as opposed to pausing or dropping). */
export function isRetryable(outcome: NotifyOutcome): boolean {
  return !outcome.ok && (outcome.reason === "rate_limited" || outcome.reason === "transient");
}
