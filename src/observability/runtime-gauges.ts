/**
 * Gauges read when /metrics is scraped: queue depth, the usage backlog, PNCP's circuit and adaptive width,
 * sync lag and index freshness, index rows, and each readiness component. Slow reads are cached: the row
 * count scans the index (5 min), the readiness checks query the store (15 s) — a scrape every 15 s must
 * not add load of its own.
 */
import type { BidIndex } from "../core/ports/bid-index.ts";
import type { Clock } from "../core/ports/clock.ts";
import { checkReadiness, type ReadinessCheck } from "../server/readiness.ts";
import type { PromMetrics } from "./prom-metrics.ts";

/** What the gauges read; each part is optional (a CLI process has no adapters, a worker no index). */
export interface RuntimeSources {
  clock: Clock;
  queue?: { readonly size: number };
  backlog?: { readonly size: number };
  pncp?: { readonly circuitState?: string; readonly concurrency?: { limit: number; active: number } };
  index?: Pick<BidIndex, "freshness" | "status"> | null;
  readiness?: () => readonly ReadinessCheck[];
}

const CIRCUIT_VALUE: Record<string, number> = { closed: 0, half_open: 1, open: 2 };

/** Caches an async read for `ttlMs` (a failed read is not cached). */
function cached<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let value: { at: number; data: T } | null = null;
  return async () => {
    if (value && Date.now() - value.at < ttlMs) return value.data;
    const data = await read();
    value = { at: Date.now(), data };
    return data;
  };
}

/** Registers the scrape-time gauges on `metrics`. */
export function registerRuntimeGauges(metrics: PromMetrics, sources: RuntimeSources): void {
  const { clock, queue, backlog, pncp, index, readiness } = sources;
  if (queue) {
    metrics.addScrapeGauge({
      name: "queue_jobs",
      help: "Jobs queued or running in this process",
      read: (set) => set(queue.size),
    });
  }
  if (backlog) {
    metrics.addScrapeGauge({
      name: "usage_backlog",
      help: "Failed-open searches whose usage waits to be written to the store",
      read: (set) => set(backlog.size),
    });
  }
  if (pncp) {
    metrics.addScrapeGauge({
      name: "pncp_circuit_state",
      help: "PNCP circuit breaker: 0 closed, 1 half-open, 2 open",
      read: (set) => set(CIRCUIT_VALUE[pncp.circuitState ?? "closed"] ?? 0),
    });
    metrics.addScrapeGauge({
      name: "pncp_concurrency",
      help: "PNCP requests: adaptive limit and in flight",
      labelNames: ["kind"],
      read: (set) => {
        if (!pncp.concurrency) return;
        set(pncp.concurrency.limit, { kind: "limit" });
        set(pncp.concurrency.active, { kind: "active" });
      },
    });
  }
  if (index) {
    const freshness = cached(5_000, () => index.freshness());
    metrics.addScrapeGauge({
      name: "sync_lag_seconds",
      help: "Seconds since the last finished sync round (absent before the first round)",
      read: async (set) => {
        const { lastRoundAt } = await freshness();
        if (lastRoundAt) set((clock.now().getTime() - lastRoundAt.getTime()) / 1000);
      },
    });
    metrics.addScrapeGauge({
      name: "index_freshness_age_seconds",
      help: "Seconds since the newest index window was refreshed",
      read: async (set) => {
        const { freshAt } = await freshness();
        if (freshAt) set((clock.now().getTime() - freshAt.getTime()) / 1000);
      },
    });
    const rows = cached(5 * 60_000, async () => (await index.status()).rows);
    metrics.addScrapeGauge({
      name: "index_rows",
      help: "Bids in the local PNCP index (counted at most every 5 minutes)",
      read: async (set) => set(await rows()),
    });
  }
  if (readiness) {
    const report = cached(15_000, () => checkReadiness(readiness()));
    metrics.addScrapeGauge({
      name: "component_ready",
      help: "Readiness of each component (1 ready, 0 not); critical ones make /health/ready 503",
      labelNames: ["component", "critical"],
      read: async (set) => {
        for (const check of (await report()).checks) {
          set(check.ok ? 1 : 0, { component: check.name, critical: check.critical });
        }
      },
    });
  }
}
