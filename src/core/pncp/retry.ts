/**
 * Retry policy for PNCP requests: which failures are worth another attempt and how long to wait.
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter") so that
 * many parallel requests failing together do not retry in lockstep; `Retry-After` wins when sent.
 */

/** Statuses worth retrying: timeouts, throttling, server/gateway trouble. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * True when another attempt can help. 422 is included on purpose: requests are validated before they are
 * sent (windows ≤ 365 days, ordered), and PNCP is known to answer spurious 422s on valid windows.
 */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status) || status === 422;
}

/** Backoff settings, in milliseconds. */
export interface BackoffOptions {
  baseMs: number;
  maxDelayMs: number;
}

/**
 * Full-jitter delay before retry number `retry` (0 = first retry): uniform in
 * [0, min(maxDelayMs, baseMs × 2^retry)). `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` header (delta-seconds or an HTTP-date) into milliseconds from `nowMs`.
 * Null when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** Inputs of `retryDelay`. */
export interface RetryDelayInput extends BackoffOptions {
  retry: number;
  retryAfter?: string | null;
  /** Upper bound for a server-requested wait; PNCP must not park a chat search for minutes. */
  retryAfterMaxMs: number;
  nowMs: number;
  random: () => number;
}

/** Wait before the next attempt: `Retry-After` (capped) when the server sent one, else full-jitter backoff. */
export function retryDelay(input: RetryDelayInput): number {
  const requested = parseRetryAfter(input.retryAfter, input.nowMs);
  if (requested !== null) return Math.min(requested, input.retryAfterMaxMs);
  return backoffDelay(input.retry, input, input.random);
}
