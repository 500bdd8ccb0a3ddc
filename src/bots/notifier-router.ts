/**
 * The process's one `Notifier`: routes each address to its platform's notifier (built in `src/main.ts`
 * for the configured adapters). A platform without one answers `unsupported`, never throws; a notifier
 * that throws anyway (a bug) is contained as `transient` so the outbox retries and logs it.
 */
import type { Reply } from "../core/chat/reply.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ChatAddress, Notifier, NotifyOptions, NotifyOutcome } from "../core/ports/notifier.ts";

export type PlatformNotifiers = Partial<Record<ChatAddress["platform"], Notifier>>;

/** The router over `notifiers`; `platforms()` lists those it can reach. */
export interface NotifierRouter extends Notifier {
  platforms(): ChatAddress["platform"][];
}

export function createNotifierRouter(notifiers: PlatformNotifiers, logger: Logger): NotifierRouter {
  return {
    platforms: () => (Object.keys(notifiers) as ChatAddress["platform"][]).filter((p) => notifiers[p]),
    async notify(to: ChatAddress, replies: Reply[], options: NotifyOptions): Promise<NotifyOutcome> {
      const notifier = Object.hasOwn(notifiers, to.platform) ? notifiers[to.platform] : undefined;
      if (!notifier) return { ok: false, reason: "unsupported", detail: String(to.platform) };
      if (replies.length === 0) return { ok: true, messageIds: [] };
      try {
        return await notifier.notify(to, replies, options);
      } catch (error) {
        logger.error({ err: error, platform: to.platform, purpose: options.purpose }, "notifier_threw");
        return { ok: false, reason: "transient", detail: "notifier_threw" };
      }
    },
  };
}

/**
 * A notifier bound later: the composition root hands it to the core before the platforms' notifiers exist
 * (they need the core's store). Sends before `bind` wait for it.
 */
export function createDeferredNotifier(): { notifier: Notifier; bind(target: Notifier): void } {
  let bind: (target: Notifier) => void = () => {};
  const bound = new Promise<Notifier>((resolve) => {
    bind = resolve;
  });
  return {
    notifier: { notify: async (to, replies, options) => (await bound).notify(to, replies, options) },
    bind: (target) => bind(target),
  };
}
