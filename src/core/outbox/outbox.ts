/**
 * What the rest of the core calls to post to a chat outside a reply (billing, alerts, digests): `enqueue`
 * once per logical message (a dedupe key makes retries harmless), `contact` when a command arrives from a
 * chat (records the WhatsApp window, un-pauses the chat, releases its held messages), and `chatState` to
 * know whether a chat is reachable. The sender (`outbox-sender.ts`) delivers in the background.
 */
import type { IncomingCommand } from "../chat/incoming-command.ts";
import type { Reply } from "../chat/reply.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { ChatAddress, NotifyOptions } from "../ports/notifier.ts";
import type { ChatState, EnqueueResult, OutboxMessageState, OutboxStore } from "../ports/outbox-store.ts";
import { encodeReplies } from "./reply-codec.ts";

export interface OutboxMessage {
  /** Unique per logical message, stable across retries: `billing:<event id>`, `alert:<alert>:<bid>`. */
  key: string;
  to: ChatAddress;
  replies: Reply[];
  purpose: NotifyOptions["purpose"];
  /** Not before (a digest's hour); default now. */
  notBefore?: Date;
  /** If still held or paused at this instant, drop it instead of sending it at the next contact. */
  expiresAt?: Date;
}

export interface Outbox {
  /** Stores the message once (`created: false` when the key exists; nothing changes then). */
  enqueue(message: OutboxMessage): Promise<EnqueueResult>;
  /**
   * A command arrived from this chat: records the contact and releases the chat's held and paused messages.
   * Resolves with how many were released. Never throws (a store failure is logged).
   */
  contact(cmd: Pick<IncomingCommand, "platform" | "chatId" | "receivedAt">): Promise<number>;
  chatState(to: Pick<ChatAddress, "platform" | "chatId">): Promise<ChatState>;
  /** Whether messages to this chat are paused (it blocked or removed the bot) until it writes again. */
  isUnreachable(to: Pick<ChatAddress, "platform" | "chatId">): Promise<boolean>;
  /** One message's delivery state, by its key. */
  message(key: string): Promise<OutboxMessageState | null>;
  /**
   * Registers a listener told when a send finds a chat unreachable (blocked, bot removed): the alerts
   * pause that chat's alerts. Listener errors are logged.
   */
  onChatUnreachable(listener: UnreachableListener): void;
  /** Tells the listeners (wired as the sender's `onChatUnreachable` in `src/main.ts`). */
  reportUnreachable(to: ChatAddress, detail: string | undefined): Promise<void>;
}

export type UnreachableListener = (to: ChatAddress, detail: string | undefined) => void | Promise<void>;

export interface OutboxDeps {
  store: OutboxStore;
  clock: Clock;
  logger: Logger;
  /** Wakes the sender (its `kick`), so a new or released message does not wait for the next poll. */
  wake?: () => void;
}

const PLATFORMS = new Set<string>(["slack", "telegram", "whatsapp"]);

export function createOutbox(deps: OutboxDeps): Outbox {
  const { store, clock } = deps;
  const logger = deps.logger.child({ component: "outbox" });
  const listeners: UnreachableListener[] = [];
  return {
    async enqueue(message) {
      const result = await store.enqueue(
        {
          dedupeKey: message.key,
          to: message.to,
          purpose: message.purpose,
          payload: encodeReplies(message.replies),
          ...(message.notBefore ? { dueAt: message.notBefore } : {}),
          ...(message.expiresAt ? { expiresAt: message.expiresAt } : {}),
        },
        clock.now(),
      );
      if (!result.created) logger.debug({ key: message.key }, "outbox_duplicate_enqueue");
      else if (!message.notBefore || message.notBefore <= clock.now()) deps.wake?.();
      return result;
    },
    async contact(cmd) {
      if (!PLATFORMS.has(cmd.platform)) return 0;
      const platform = cmd.platform as ChatAddress["platform"];
      try {
        const released = await store.contact(platform, cmd.chatId, cmd.receivedAt);
        if (released > 0) {
          logger.info({ platform, released }, "outbox_released_on_contact");
          deps.wake?.();
        }
        return released;
      } catch (error) {
        logger.warn({ err: error, platform }, "outbox_contact_failed");
        return 0;
      }
    },
    chatState: (to) => store.chatState(to.platform, to.chatId),
    async isUnreachable(to) {
      return (await store.chatState(to.platform, to.chatId)).unreachableAt !== null;
    },
    message: (key) => store.message(key),
    onChatUnreachable(listener) {
      listeners.push(listener);
    },
    async reportUnreachable(to, detail) {
      logger.warn({ platform: to.platform, detail }, "outbox_chat_unreachable");
      for (const listener of listeners) {
        await Promise.resolve()
          .then(() => listener(to, detail))
          .catch((error: unknown) => logger.error({ err: error }, "outbox_unreachable_listener_failed"));
      }
    },
  };
}

/** What the chat core takes to report each inbound command to the outbox (`createChatService`). */
export interface ChatContactDeps {
  /** Called first for every command from a chat; failures are logged, never block the command. */
  onContact?: (cmd: Pick<IncomingCommand, "platform" | "chatId" | "receivedAt">) => Promise<unknown>;
}
