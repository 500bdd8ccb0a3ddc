/**
 * Observability of the server, in one call from the composition root: /metrics (when the metrics are
 * prom-client's), /health/live and /health/ready, the scrape-time gauges, and the HTTP server's options
 * (security headers with HSTS when PUBLIC_BASE_URL is https, request metrics, which webhook route belongs
 * to which platform so a 401 there counts as a verification failure).
 */
import type { BotAdapter, Route } from "../bots/adapter.ts";
import type { AppConfig } from "../config.ts";
import type { ChatDeps } from "../core/chat/chat-deps.ts";
import type { Metrics } from "../core/ports/metrics.ts";
import { healthLiveRoute, healthReadyRoute } from "../server/health-route.ts";
import type { HttpServerOptions, WebhookRoute } from "../server/http-server.ts";
import { metricsRoute } from "../server/metrics-route.ts";
import type { ReadinessCheck } from "../server/readiness.ts";
import {
  adapterChecks,
  indexCheck,
  pncpCheck,
  type QueueLike,
  queueCheck,
  redisCheck,
  storeCheck,
} from "../server/readiness-checks.ts";
import { zeroInvariantSeries } from "./invariant-series.ts";
import { PromMetrics } from "./prom-metrics.ts";
import { createRedisPinger, type RedisPinger } from "./redis-ping.ts";
import { registerRuntimeGauges } from "./runtime-gauges.ts";

/** What `observeApp` needs. */
export interface ObserveAppInput {
  config: Pick<AppConfig, "publicBaseUrl" | "metricsToken" | "redisUrl" | "sync">;
  deps: ChatDeps;
  metrics: Metrics;
  adapters: () => readonly BotAdapter[];
}

/** Routes to mount, options for `createHttpServer`, and what to close on shutdown. */
export interface ObservedApp {
  routes: Route[];
  server: Pick<HttpServerOptions, "security" | "metrics" | "webhookRoutes">;
  readiness: () => ReadinessCheck[];
  /** Resolves once the invariant series exist (or the plans could not be read). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Builds the observability parts of the server (see the file comment). */
export function observeApp(input: ObserveAppInput): ObservedApp {
  const { config, deps, metrics, adapters } = input;
  const pinger: RedisPinger | null = config.redisUrl ? createRedisPinger(config.redisUrl) : null;
  const pncp = deps.pncp as { circuitState?: string; concurrency?: { limit: number; active: number } };
  const staticChecks: ReadinessCheck[] = [
    storeCheck(deps.store),
    ...(pinger ? [redisCheck(() => pinger.ping())] : []),
    queueCheck(deps.queue as QueueLike),
    indexCheck(deps.index ?? null, deps.clock, {
      syncEnabled: config.sync.enabled,
      // Three missed rounds, and never under 30 minutes (a long backfill round is not a stall).
      staleAfterMs: Math.max(3 * config.sync.intervalMs, 30 * 60_000),
    }),
    pncpCheck(pncp),
  ];
  const readiness = () => [...staticChecks, ...adapterChecks(adapters)];
  const routes: Route[] = [healthLiveRoute(), healthReadyRoute(readiness)];
  const zeroed = deps.store
    .listPlans()
    .then((plans) => zeroInvariantSeries(metrics, plans))
    .catch((error: unknown) => deps.logger.warn({ err: error }, "metrics_plans_unreadable"));
  if (metrics instanceof PromMetrics) {
    registerRuntimeGauges(metrics, {
      clock: deps.clock,
      queue: deps.queue,
      backlog: deps.backlog,
      pncp,
      index: deps.index ?? null,
      readiness,
    });
    routes.push(metricsRoute(metrics, config.metricsToken));
  }
  // Chat adapters answer 401 only for a signature/secret that did not verify; Stripe's route 400.
  const webhookRoutes = new Map<string, WebhookRoute>([
    ["/stripe/webhook", { platform: "stripe", refusedStatus: 400 }],
  ]);
  for (const adapter of adapters()) {
    for (const route of adapter.routes) {
      if (route.method === "POST")
        webhookRoutes.set(route.path, { platform: adapter.name, refusedStatus: 401 });
    }
  }
  return {
    routes,
    server: {
      security: { hsts: config.publicBaseUrl.startsWith("https://") },
      metrics,
      webhookRoutes,
    },
    readiness,
    ready: zeroed,
    async close() {
      await pinger?.close();
    },
  };
}
