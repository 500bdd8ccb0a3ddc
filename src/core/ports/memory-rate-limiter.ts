import type { RateLimiter, RateLimitResult } from "./rate-limiter.ts";

export interface MemoryRateLimiterOptions {
  /** Window length (default 60 000 ms: a per-minute limit). */
  windowMs?: number;
}

interface Hit {
  at: number;
  token: string;
}

/**
 * Sliding-window limiter in process memory: the embedded default (one instance). A request is counted in
 * the window (now − windowMs, now]. Use `RedisRateLimiter` when several instances share the limit.
 * `hit` and `undo` run synchronously inside their promise, so concurrent callers never interleave.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #windowMs: number;
  readonly #hits = new Map<string, Hit[]>();
  #calls = 0;
  #seq = 0;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
  }

  async hit(key: string, limitPerMinute: number, now: Date): Promise<RateLimitResult> {
    const t = now.getTime();
    const since = t - this.#windowMs;
    if (++this.#calls % 1_000 === 0) this.#sweep(since);
    const hits = (this.#hits.get(key) ?? []).filter((h) => h.at > since);
    if (hits.length < limitPerMinute) {
      const token = `${t}:${++this.#seq}`;
      hits.push({ at: t, token });
      this.#hits.set(key, hits);
      return { allowed: true, remaining: limitPerMinute - hits.length, retryAfterMs: 0, hitToken: token };
    }
    this.#hits.set(key, hits);
    return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, hits[0]!.at + this.#windowMs - t) };
  }

  async undo(key: string, hitToken: string): Promise<void> {
    const hits = this.#hits.get(key);
    if (!hits) return;
    const index = hits.findIndex((h) => h.token === hitToken);
    if (index >= 0) hits.splice(index, 1);
    if (hits.length === 0) this.#hits.delete(key);
  }

  /** Keys tracked (for tests and metrics). */
  get size(): number {
    return this.#hits.size;
  }

  // Forget keys idle for a whole window so memory stays bounded by active users.
  #sweep(since: number): void {
    for (const [key, hits] of this.#hits) {
      if ((hits.at(-1)?.at ?? 0) <= since) this.#hits.delete(key);
    }
  }
}
