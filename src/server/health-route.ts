import type { AdapterStatus, BotAdapter, Route } from "../bots/adapter.ts";
import type { ChatDeps } from "../core/chat/chat-deps.ts";
import { sendJson } from "./http.ts";
import { checkReadiness, type ReadinessCheck } from "./readiness.ts";

/** What /health needs of an adapter (a bare name counts as always ready). */
export type HealthAdapter = string | Pick<BotAdapter, "name" | "status">;

/** One adapter's line on /health. */
export interface AdapterHealth extends AdapterStatus {
  name: string;
}

/** The readiness of each adapter. */
export function adapterHealth(adapters: readonly HealthAdapter[]): AdapterHealth[] {
  return adapters.map((a) =>
    typeof a === "string" ? { name: a, ready: true } : { name: a.name, ...a.status() },
  );
}

/** How fresh the PNCP index is (null without one); never fails /health nor waits more than 1 s. */
async function indexHealth(deps: ChatDeps): Promise<Record<string, unknown> | null> {
  const index = deps.index;
  if (!index) return null;
  const timeout = new Promise<null>((resolve) => setTimeout(resolve, 1_000, null).unref());
  try {
    const fresh = await Promise.race([index.freshness(), timeout]);
    if (!fresh) return { available: false, error: "timeout" };
    const now = deps.clock.now().getTime();
    const age = (at: Date | null) => (at ? Math.round((now - at.getTime()) / 60_000) : null);
    return {
      available: true,
      freshAt: fresh.freshAt?.toISOString() ?? null,
      lastRoundAt: fresh.lastRoundAt?.toISOString() ?? null,
      ageMinutes: age(fresh.lastRoundAt ?? fresh.freshAt),
    };
  } catch {
    return { available: false, error: "unreadable" };
  }
}

/**
 * GET /health: liveness plus readiness, the counters (quota_check_error, rate_limit_fallback…) and queue
 * size. The status is 200 whenever the process serves (it is the liveness check: restarting does not bring
 * an unreachable Telegram API back, and would take the other adapters down with it); `ready` is false when
 * any adapter is not ready, and `adapters[]` says which and why. `GET /health?ready` answers 503 instead
 * while not ready, for load balancers that route on readiness.
 */
export function healthRoute(deps: ChatDeps, adapters: () => readonly HealthAdapter[]): Route {
  return {
    method: "GET",
    path: "/health",
    async handle({ res, url }) {
      const lines = adapterHealth(adapters());
      const ready = lines.every((a) => a.ready);
      const status = !ready && url.searchParams.has("ready") ? 503 : 200;
      sendJson(res, status, {
        ok: true,
        ready,
        adapters: lines,
        index: await indexHealth(deps),
        jobs: deps.queue.size,
        usageBacklog: deps.backlog.size,
        counters: deps.counters.snapshot(),
      });
    },
  };
}

/** GET /health/live: the process serves HTTP. Checks nothing else, so a restart is only for a hung process. */
export function healthLiveRoute(startedAt = Date.now()): Route {
  return {
    method: "GET",
    path: "/health/live",
    async handle({ res }) {
      sendJson(res, 200, { ok: true, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
    },
  };
}

/**
 * GET /health/ready: every check (store, Redis, queue, index freshness, PNCP circuit, each adapter) with
 * its result; 503 when a critical one fails, 200 with `degraded: true` when only fallbacks serve.
 */
export function healthReadyRoute(checks: () => readonly ReadinessCheck[]): Route {
  return {
    method: "GET",
    path: "/health/ready",
    async handle({ res }) {
      const readiness = await checkReadiness(checks());
      sendJson(res, readiness.ready ? 200 : 503, { ok: readiness.ready, ...readiness });
    },
  };
}
