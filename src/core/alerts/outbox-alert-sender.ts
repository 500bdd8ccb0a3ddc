/**
 * Alert messages through the paced outbox (src/core/outbox): the message is enqueued under
 * `alert:<alert id>:<claim token>` and the outbox sends it at each platform's pace, retries and holds it.
 * Handing over is "sent" for the alert items; a dispatcher that dies after enqueueing retries with the
 * same token (see `ReadyItem.previousToken`), and the outbox's dedupe key makes that enqueue a no-op — so a
 * crash between match and send never sends twice and never drops. A chat the outbox finds unreachable
 * pauses its alerts through `pauseAlertsOnUnreachable` (the sender's `onChatUnreachable`).
 */
import type { Outbox } from "../outbox/outbox.ts";
import type { AlertStore } from "../ports/alert-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { ChatAddress } from "../ports/notifier.ts";
import type { AlertSender } from "./deliver-alerts.ts";

/** How long an alert message may wait in the outbox (held: WhatsApp window, paused chat) before expiring. */
export const ALERT_OUTBOX_TTL_MS = 3 * 86_400_000;

export function outboxAlertSender(outbox: Pick<Outbox, "enqueue">, clock: Clock): AlertSender {
  return {
    async send(to, replies, options) {
      try {
        const result = await outbox.enqueue({
          key: options.key,
          to,
          replies,
          purpose: options.purpose,
          expiresAt: new Date(clock.now().getTime() + ALERT_OUTBOX_TTL_MS),
        });
        return { ok: true, messageIds: [result.id] };
      } catch (error) {
        return {
          ok: false,
          reason: "transient",
          detail: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}

/** The outbox's `onChatUnreachable` listener: the chat's alerts pause (logged, not retried). */
export function pauseAlertsOnUnreachable(
  alerts: Pick<AlertStore, "pauseChat">,
  logger: Logger,
): (to: ChatAddress, detail: string | undefined) => Promise<void> {
  return async (to, detail) => {
    const paused = await alerts.pauseChat(to.platform, to.chatId);
    logger.warn({ platform: to.platform, paused, detail }, "alert_chat_unreachable");
  };
}
