import { toAppError } from "../errors.ts";
import { errorMessage } from "../messages.ts";
import { planReply, subscribeReply } from "./account-commands.ts";
import type { ChatDeps } from "./chat-deps.ts";
import { helpText, sectorsText, startText } from "./help-texts.ts";
import type { IncomingCommand } from "./incoming-command.ts";
import { parseCommand } from "./parse-command.ts";
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

/** Builds the chat core over its ports. */
export function createChatService(deps: ChatDeps): ChatService {
  return {
    async handle(cmd, sink) {
      const parsed = parseCommand(cmd.text, cmd.isPrivate);
      if (parsed === null) return;
      const logger = deps.logger.child({
        platform: cmd.platform,
        userKey: cmd.userKey,
        requestId: cmd.messageId,
      });
      const scoped: ChatDeps = { ...deps, logger };
      try {
        const fresh = await deps.store.claimEvent(cmd.platform, cmd.messageId).catch((error: unknown) => {
          logger.warn({ err: error }, "claim_event_failed");
          return true;
        });
        if (!fresh) {
          logger.info("duplicate_delivery_dropped");
          return;
        }
        logger.info({ command: parsed.name }, "command_received");
        switch (parsed.name) {
          case "buscar":
            return await startSearch(cmd, parsed.args, sink, scoped);
          case "setores":
            return await sink.send({ kind: "text", text: sectorsText() });
          case "ajuda":
            return await sink.send({ kind: "text", text: helpText() });
          case "start":
            return await sink.send({ kind: "text", text: startText(cmd.displayName) });
          case "plano":
            return await sink.send(await planReply(cmd, scoped));
          case "assinar":
            return await sink.send(await subscribeReply(cmd, scoped));
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
        const code = appError.code === "INVALID_QUERY" ? "INVALID_QUERY" : "INTERNAL";
        await sink.send({ kind: "error", code, text: errorMessage(code) }).catch((sendError: unknown) => {
          logger.error({ err: sendError }, "reply_failed");
        });
      }
    },
  };
}
