/**
 * Readiness checks for `/health/ready` and the `component_ready` gauge. Each check answers within a
 * timeout (a hung store must not hang the probe); a check that throws or times out is not ok, with a
 * stable code only (error texts can hold connection strings). `critical` decides what a failure means:
 * critical (the store, each chat adapter) → 503, take this instance out of rotation; not critical (Redis,
 * the job queue, index freshness, the PNCP circuit) → still 200 but `degraded`, because the embedded
 * fallbacks keep serving and pulling every instance would turn a degradation into an outage.
 */

/** What one check found; `detail` is shown as is (no secrets). */
export interface CheckResult {
  ok: boolean;
  detail?: Record<string, unknown>;
}

/** One component to check. */
export interface ReadinessCheck {
  /** `store`, `redis`, `queue`, `index`, `pncp`, `adapter:<name>`. */
  name: string;
  critical: boolean;
  check(): Promise<CheckResult>;
}

/** A check's line on /health/ready. */
export interface CheckReport extends CheckResult {
  name: string;
  critical: boolean;
  durationMs: number;
  error?: string;
}

/** The whole verdict. */
export interface Readiness {
  /** Every critical check passed. */
  ready: boolean;
  /** Some non-critical check failed (served by a fallback). */
  degraded: boolean;
  checks: CheckReport[];
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{1,40}$/i.test(code) ? code : "error";
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<CheckReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(resolve, timeoutMs, "timeout");
    timer.unref?.();
  });
  const base = { name: check.name, critical: check.critical };
  try {
    const result = await Promise.race([check.check(), timeout]);
    const durationMs = Math.round(performance.now() - started);
    if (result === "timeout") return { ...base, ok: false, durationMs, error: "timeout" };
    return { ...base, ...result, durationMs };
  } catch (error) {
    return {
      ...base,
      ok: false,
      durationMs: Math.round(performance.now() - started),
      error: errorCode(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check in parallel, each within `timeoutMs` (default 2 000). */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = 2_000,
): Promise<Readiness> {
  const reports = await Promise.all(checks.map((c) => runOne(c, timeoutMs)));
  return {
    ready: reports.every((r) => r.ok || !r.critical),
    degraded: reports.some((r) => !r.ok && !r.critical),
    checks: reports,
  };
}
