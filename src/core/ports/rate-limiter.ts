/** Outcome of a per-minute limit check. */
export interface RateLimitResult {
  allowed: boolean;
  /** Requests left in the current window. */
  remaining: number;
  /** Milliseconds until the window frees a slot (0 when allowed). */
  retryAfterMs: number;
  /** true when the backing service failed and the limiter let the request through. */
  failedOpen?: boolean;
}

/** Port: sliding/fixed-window per-minute limit keyed by account. Must not throw (fail open). */
export interface RateLimiter {
  hit(key: string, limitPerMinute: number, now: Date): Promise<RateLimitResult>;
  close?(): Promise<void>;
}
