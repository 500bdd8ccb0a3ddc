/**
 * Metrics ports. `Counters` are the named totals shown on /health (`quota_check_error`,
 * `rate_limit_fallback`…); `Metrics` is the labelled side (counters, histograms, gauges) that /metrics
 * exposes in Prometheus format. The core calls `Metrics` by the names below; the prom-client
 * implementation lives outside the core (`src/observability/prom-metrics.ts`), so the core imports no SDK.
 */

/** Label values; the implementation turns them into strings. Keep cardinality low (no ids, no text). */
export type MetricLabels = Readonly<Record<string, string | number | boolean>>;

/** Counters the core increments (Prometheus adds `_total`). */
export type CounterName =
  | "events"
  | "pncp_requests"
  | "pncp_retries"
  | "pncp_circuit_opens"
  | "quota_checks"
  | "excel_generated"
  | "excel_blocked"
  | "excel_delivered"
  | "trial_not_enforced"
  | "searches"
  | "sync_rounds"
  | "sync_pages"
  | "sync_records"
  | "alert_deliveries"
  | "alert_delivery_failures"
  | "upgrade_links_shown"
  | "upgrade_clicks"
  | "webhook_verification_failures"
  | "http_responses";

/** Histograms the core observes, in seconds. */
export type HistogramName =
  | "search_duration_seconds"
  | "quota_check_duration_seconds"
  | "job_duration_seconds"
  | "http_request_duration_seconds";

/** Port: labelled counters and histograms. Never throws (metrics must not break a search). */
export interface Metrics {
  inc(name: CounterName, labels?: MetricLabels, by?: number): void;
  observe(name: HistogramName, seconds: number, labels?: MetricLabels): void;
}

/** Metrics that go nowhere: tests, the CLI, library use. */
export const noopMetrics: Metrics = {
  inc() {},
  observe() {},
};

/**
 * Named counters, exposed on /health. Each increment is also counted on `metrics` as
 * `events_total{name}` when a `Metrics` is given, and `metrics` is the labelled port for code that
 * already holds the counters (the chat core's deps).
 */
export class Counters {
  readonly #values = new Map<string, number>();
  readonly metrics: Metrics;

  constructor(metrics: Metrics = noopMetrics) {
    this.metrics = metrics;
  }

  increment(name: string, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
    this.metrics.inc("events", { name }, by);
  }

  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }
}
