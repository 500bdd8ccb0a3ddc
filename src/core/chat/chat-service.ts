import { type AlertChatDeps, alertCommand, alertsListCommand } from "../alerts/alert-commands.ts";
import { toAppError } from "../errors.ts";
import { errorMessage } from "../messages.ts";
import type { ChatContactDeps } from "../outbox/outbox.ts";
import { planReply, subscribeReply } from "./account-commands.ts";
import type { ChatDeps } from "./chat-deps.ts";
import { helpText, sectorsText, startText } from "./help-texts.ts";
import type { IncomingCommand } from "./incoming-command.ts";
import { parseCommand } from "./parse-command.ts";
import { RecentDeliveries } from "./recent-deliveries.ts";
import type { ReplySink } from "./reply.ts";
import { startSearch } from "./search-command.ts";

/** What every adapter calls: one command in, replies out through the sink. */
export interface ChatService {
  /**
   * Claims the delivery (duplicates are dropped), answers quick commands, and for /buscar sends the
   * "🔎 Buscando…" reply and queues the search. Resolves once the command is acknowledged, before the
   * search finishes. Never throws: failures become an error reply.
   */
  handle(cmd: IncomingCommand, sink: ReplySink): Promise<void>;
}

/** The answer to "obrigado", "valeu"… */
export const THANKS_TEXT = "De nada! 😊 Quando quiser, é só escrever a próxima busca. Exemplos em /ajuda.";

/**
 * Builds the chat core over its ports. A delivery is accepted once: first by this process's record of
 * recent delivery ids (which still works when the store is unreachable), then by `claim_event` (which
 * holds across processes and restarts).
 */
export function createChatService(deps: ChatDeps & AlertChatDeps & ChatContactDeps): ChatService {
  const recent = deps.recentDeliveries ?? new RecentDeliveries();
  return {
    async handle(cmd, sink) {
      const logger = deps.logger.child({
        platform: cmd.platform,
        userKey: cmd.userKey,
        requestId: cmd.messageId,
      });
      const scoped: ChatDeps & AlertChatDeps = { ...deps, logger };
      // Any message from the chat is a contact (WhatsApp's 24-hour window; held outbox messages go now).
      if (deps.onContact)
        await deps
          .onContact(cmd)
          .catch((error: unknown) => logger.warn({ err: error }, "contact_hook_failed"));
      try {
        const parsed = parseCommand(cmd.text, cmd.isPrivate);
        if (parsed === null) return;
        if (!recent.firstSeen(cmd.platform, cmd.messageId, deps.clock.now())) {
          logger.info({ by: "memory" }, "duplicate_delivery_dropped");
          return;
        }
        let claimed = true;
        const fresh = await deps.store.claimEvent(cmd.platform, cmd.messageId).catch((error: unknown) => {
          logger.warn({ err: error }, "claim_event_failed");
          claimed = false;
          return true;
        });
        if (!fresh) {
          logger.info({ by: "store" }, "duplicate_delivery_dropped");
          return;
        }
        logger.info({ command: parsed.name }, "command_received");
        switch (parsed.name) {
          case "buscar":
            return await startSearch(cmd, parsed.args, sink, scoped, {
              plain: parsed.plain === true,
              delivery: { source: cmd.platform, id: cmd.messageId, claimed },
            });
          case "setores":
            return await sink.send({ kind: "text", text: sectorsText(deps.clock.now()) });
          case "ajuda":
            return await sink.send({ kind: "text", text: helpText() });
          case "start":
            return await sink.send({ kind: "text", text: startText(cmd.displayName) });
          case "obrigado":
            return await sink.send({ kind: "text", text: THANKS_TEXT });
          case "plano":
            return await sink.send(await planReply(cmd, scoped));
          case "assinar":
            return await sink.send(await subscribeReply(cmd, scoped));
          case "alerta":
            for (const reply of await alertCommand(cmd, parsed.args, scoped)) await sink.send(reply);
            return;
          case "alertas":
            return await sink.send(await alertsListCommand(cmd, scoped));
          case "unknown":
            return await sink.send({
              kind: "error",
              code: "INVALID_COMMAND",
              text: errorMessage("INVALID_COMMAND", { detail: parsed.command }),
            });
        }
      } catch (error) {
        const appError = toAppError(error);
        logger.error({ err: appError, code: appError.code }, "command_failed");
        const code =
          appError.code === "INVALID_QUERY" || appError.code === "STORE_UNAVAILABLE"
            ? appError.code
            : "INTERNAL";
        await sink.send({ kind: "error", code, text: errorMessage(code) }).catch((sendError: unknown) => {
          logger.error({ err: sendError }, "reply_failed");
        });
      }
    },
  };
}
