/**
 * When a failed send is tried again: a platform's `retry_after` / `Retry-After` is honoured as given (never
 * sooner, plus a little jitter so a herd of messages does not return in the same millisecond); transient
 * failures back off exponentially with ±20 % jitter, capped, and give up after `maxAttempts` claims.
 */
export interface RetryPolicy {
  /** Attempts (claims) after which a transient failure is final (default 10: ~1 h of backoff at the defaults). */
  maxAttempts: number;
  /** First transient retry delay (default 5 s), doubling per attempt. */
  baseMs: number;
  /** Longest transient delay (default 15 min). */
  maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 10, baseMs: 5000, maxMs: 15 * 60_000 };

/** Delay before retrying a `transient` failure at `attempt` (1 = the first claim). */
export function transientDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

/** Delay before retrying a `rate_limited` failure: the platform's wait (default 1 s) plus up to 10 % jitter. */
export function rateLimitDelayMs(retryAfterMs: number | undefined, random: () => number): number {
  const wait = Math.max(250, retryAfterMs ?? 1000);
  return Math.round(wait * (1 + 0.1 * random()));
}
