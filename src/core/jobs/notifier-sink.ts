/**
 * A ReplySink over the Notifier port, for a search finished by a worker (another process than the one
 * that answered the webhook). "Buscando…" was already sent by the web process and progress edits cannot
 * follow the job there, so `searching` and `progress` replies are dropped rather than posted as new
 * messages; everything else is posted. A refusal throws an AppError (`DELIVERY_FAILED`, retryable for
 * rate limits and network trouble) so the search's delivery path reacts as to a sink failure.
 */
import type { Reply, ReplySink } from "../chat/reply.ts";
import { AppError } from "../errors.ts";
import { type ChatAddress, isRetryable, type Notifier } from "../ports/notifier.ts";

export function notifierSink(notifier: Notifier, to: ChatAddress): ReplySink {
  return {
    async send(reply: Reply): Promise<void> {
      if (reply.kind === "searching" || reply.kind === "progress") return;
      const outcome = await notifier.notify(to, [reply], { purpose: "search_result" });
      if (outcome.ok) return;
      throw new AppError("DELIVERY_FAILED", `notify ${to.platform}: ${outcome.reason}`, {
        retryable: isRetryable(outcome),
        details: { reason: outcome.reason, retryAfterMs: outcome.retryAfterMs ?? null },
      });
    },
  };
}
