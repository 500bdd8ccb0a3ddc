/** Outcome of a per-minute limit check. */
export interface RateLimitResult {
  allowed: boolean;
  /** Requests left in the current window. */
  remaining: number;
  /** Milliseconds until the window frees a slot (0 when allowed). */
  retryAfterMs: number;
  /** true when the backing service failed and the limiter let the request through. */
  failedOpen?: boolean;
  /**
   * Opaque id of the hit recorded by an allowed `hit`, to give it back with `undo`. Absent when nothing
   * was recorded (refused, failed open) or when the limiter cannot undo.
   */
  hitToken?: string;
}

/**
 * Port: sliding/fixed-window per-minute limit keyed by account. Must not throw (fail open).
 *
 * Only allowed searches may count: the entitlement flow calls `hit` first (an atomic reserve, so two
 * concurrent requests cannot both take the last slot), and when a later check refuses the search
 * (history, quota, expiry) or it never reaches the user, it calls `undo(key, hitToken)` to release the
 * slot. A limiter without `undo` keeps refused searches counted (the old behaviour).
 */
export interface RateLimiter {
  /** Counts one request against `key` when under `limitPerMinute`; refused requests are not counted. */
  hit(key: string, limitPerMinute: number, now: Date): Promise<RateLimitResult>;
  /**
   * Removes the hit `hitToken` (from an allowed `hit` on `key`) from the window. Idempotent; an unknown or
   * expired token is ignored. Must not throw (a failure only leaves the slot taken until it expires).
   */
  undo?(key: string, hitToken: string): Promise<void>;
  close?(): Promise<void>;
}
