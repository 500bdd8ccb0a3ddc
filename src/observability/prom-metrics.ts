/**
 * The `Metrics` port on prom-client: one `Registry` per app (never prom-client's global one, so two apps in
 * one process — tests — do not share series), every series under `smart_pncp_`. The catalog below is typed
 * by the port's names, so a name the core uses without a definition here fails to compile. Labels the core
 * passes that a metric does not declare are dropped (prom-client would throw), values become strings, and
 * nothing here ever throws into a search.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CounterName, HistogramName, MetricLabels, Metrics } from "../core/ports/metrics.ts";

/** Every series name starts with this. */
export const METRIC_PREFIX = "smart_pncp_";

interface CounterSpec {
  help: string;
  labelNames: readonly string[];
}

interface HistogramSpec extends CounterSpec {
  buckets: readonly number[];
}

/** Counter catalog (Prometheus name = prefix + name + `_total`). */
const COUNTERS: Record<CounterName, CounterSpec> = {
  events: {
    help: "Named events also shown on /health (quota_check_error, rate_limit_fallback…)",
    labelNames: ["name"],
  },
  pncp_requests: {
    help: "PNCP HTTP attempts by outcome: HTTP status, or timeout / network_* when no status came back",
    labelNames: ["status", "priority"],
  },
  pncp_retries: {
    help: "PNCP attempts retried, by reason (http_429, http_503, timeout…)",
    labelNames: ["reason", "priority"],
  },
  pncp_circuit_opens: { help: "Times the PNCP circuit breaker opened", labelNames: [] },
  quota_checks: {
    help: "Entitlement checks by plan, outcome (allowed/refused/error) and reason",
    labelNames: ["plan", "outcome", "reason"],
  },
  trial_not_enforced: {
    help: "INVARIANT: a search was allowed on a trial whose end date has passed (must stay 0)",
    labelNames: ["plan"],
  },
  excel_generated: {
    help: "Excel workbooks built for a search, by plan and tier (trial/free/paid)",
    labelNames: ["plan", "tier"],
  },
  excel_delivered: {
    help: "INVARIANT source: Excel files the platform accepted, by plan and tier (tier trial/free must stay 0)",
    labelNames: ["plan", "tier", "platform"],
  },
  excel_blocked: {
    help: "Searches with results whose Excel was not delivered: reason plan (not included), plan_unknown (store down), build_failed, send_failed, full_set_failed (the full set failed after the early answer)",
    labelNames: ["plan", "tier", "plan_excel", "reason"],
  },
  searches: {
    help: "Chat searches by outcome (ok/partial/failed/refused), reason code, size bucket and source",
    labelNames: ["outcome", "reason", "size", "source"],
  },
  sync_rounds: { help: "Sync rounds finished, by result (done/stopped)", labelNames: ["result"] },
  sync_pages: {
    help: "PNCP pages stored by the sync, by kind (publication/update) and failed pages",
    labelNames: ["kind"],
  },
  sync_records: { help: "Records stored by the sync", labelNames: [] },
  alert_deliveries: { help: "Alert notifications delivered, by platform", labelNames: ["platform"] },
  alert_delivery_failures: {
    help: "Alert notifications that failed, by platform and reason",
    labelNames: ["platform", "reason"],
  },
  upgrade_links_shown: {
    help: "Upgrade buttons shown, by plan offered and why",
    labelNames: ["plan", "reason"],
  },
  upgrade_clicks: {
    help: "Valid upgrade links opened, by plan offered and platform",
    labelNames: ["plan", "platform"],
  },
  http_responses: {
    help: "HTTP responses by route (the route's path; unmatched for 404s), method and status",
    labelNames: ["route", "method", "status"],
  },
  webhook_verification_failures: {
    help: "Webhook deliveries refused because their signature / secret did not verify, by platform",
    labelNames: ["platform"],
  },
};

/** Histogram catalog, in seconds. */
const HISTOGRAMS: Record<HistogramName, HistogramSpec> = {
  search_duration_seconds: {
    help: "Chat search latency, command to results sent, by size bucket (UFs × days) and source (index/live/mixed)",
    labelNames: ["size", "source", "outcome"],
    buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 20, 30, 60, 120],
  },
  quota_check_duration_seconds: {
    help: "Entitlement check latency (identity, plan, per-minute limit, consume_search)",
    labelNames: ["outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  },
  http_request_duration_seconds: {
    help: "HTTP request handling time, by route",
    labelNames: ["route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  },
  job_duration_seconds: {
    help: "Background job run time, by kind and result",
    labelNames: ["kind", "result"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
  },
};

/** A gauge read at scrape time: `read` sets its values (return nothing to leave it empty). */
export interface ScrapeGauge {
  name: string;
  help: string;
  labelNames?: readonly string[];
  read(set: (value: number, labels?: MetricLabels) => void): void | Promise<void>;
}

/** Options of `PromMetrics`. */
export interface PromMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
}

function pick(labels: MetricLabels | undefined, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!labels) return out;
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}

/** `Metrics` on a private prom-client registry, plus gauges computed when /metrics is read. */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  readonly #counters = new Map<CounterName, { metric: Counter<string>; labelNames: readonly string[] }>();
  readonly #histograms = new Map<
    HistogramName,
    { metric: Histogram<string>; labelNames: readonly string[] }
  >();

  constructor(options: PromMetricsOptions = {}) {
    for (const [name, spec] of Object.entries(COUNTERS) as [CounterName, CounterSpec][]) {
      const metric = new Counter({
        name: `${METRIC_PREFIX}${name}_total`,
        help: spec.help,
        labelNames: [...spec.labelNames],
        registers: [this.registry],
      });
      this.#counters.set(name, { metric, labelNames: spec.labelNames });
    }
    for (const [name, spec] of Object.entries(HISTOGRAMS) as [HistogramName, HistogramSpec][]) {
      const metric = new Histogram({
        name: `${METRIC_PREFIX}${name}`,
        help: spec.help,
        labelNames: [...spec.labelNames],
        buckets: [...spec.buckets],
        registers: [this.registry],
      });
      this.#histograms.set(name, { metric, labelNames: spec.labelNames });
    }
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  inc(name: CounterName, labels?: MetricLabels, by = 1): void {
    const entry = this.#counters.get(name);
    if (!entry || !(by >= 0)) return;
    try {
      entry.metric.inc(pick(labels, entry.labelNames), by);
    } catch {
      // A metric must never break the code it observes.
    }
  }

  observe(name: HistogramName, seconds: number, labels?: MetricLabels): void {
    const entry = this.#histograms.get(name);
    if (!entry || !Number.isFinite(seconds)) return;
    try {
      entry.metric.observe(pick(labels, entry.labelNames), Math.max(0, seconds));
    } catch {
      // As above.
    }
  }

  /** Adds a gauge whose values are read at each scrape; a failing `read` leaves it empty for that scrape. */
  addScrapeGauge(gauge: ScrapeGauge): void {
    const labelNames = gauge.labelNames ?? [];
    const metric: Gauge<string> = new Gauge({
      name: `${METRIC_PREFIX}${gauge.name}`,
      help: gauge.help,
      labelNames: [...labelNames],
      registers: [this.registry],
      async collect() {
        metric.reset();
        try {
          await gauge.read((value, labels) => {
            if (Number.isFinite(value)) metric.set(pick(labels, labelNames), value);
          });
        } catch {
          // Unreadable now (store down): no sample this scrape rather than a failed scrape.
        }
      },
    });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
