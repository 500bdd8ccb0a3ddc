import type { Route } from "../bots/adapter.ts";
import type { ChatDeps } from "../core/chat/chat-deps.ts";
import { sendJson } from "./http.ts";

/** GET /health: liveness plus the counters (quota_check_error, rate_limit_fallback…) and queue size. */
export function healthRoute(deps: ChatDeps, adapters: () => string[]): Route {
  return {
    method: "GET",
    path: "/health",
    async handle({ res }) {
      sendJson(res, 200, {
        ok: true,
        adapters: adapters(),
        jobs: deps.queue.size,
        usageBacklog: deps.backlog.size,
        counters: deps.counters.snapshot(),
      });
    },
  };
}
