import type { Logger } from "../core/ports/logger.ts";
import { MemoryRateLimiter } from "../core/ports/memory-rate-limiter.ts";
import type { RateLimiter, RateLimitResult } from "../core/ports/rate-limiter.ts";
import type { Store } from "../core/ports/store.ts";

export interface StoreRateLimiterOptions {
  /** A store with `rateLimitHit` (every SQL and Supabase store). */
  store: Pick<Store, "rateLimitHit" | "rateLimitUndo">;
  logger: Logger;
  /** Window length (default 60 000 ms: a per-minute limit). */
  windowMs?: number;
  /** Key prefix (default `rl:`). */
  prefix?: string;
}

// Tokens say which limiter recorded the hit, so `undo` goes to the same one.
const STORE_TOKEN = "s:";
const MEMORY_TOKEN = "m:";

/**
 * The embedded default limiter without Redis: the SQL sliding window `rate_limit_hit` in the store, so
 * every process on the same database (serve, `search --as`, chat) shares one per-minute allowance.
 * Never throws: when the store fails, this process's in-memory window takes over (the limit keeps
 * working per process) and `rate_limit_fallback` is logged.
 */
export class StoreRateLimiter implements RateLimiter {
  readonly #store: StoreRateLimiterOptions["store"];
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #prefix: string;
  readonly #memory: MemoryRateLimiter;

  constructor(options: StoreRateLimiterOptions) {
    if (!options.store.rateLimitHit) throw new Error("StoreRateLimiter needs a store with rateLimitHit");
    this.#store = options.store;
    this.#logger = options.logger;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#prefix = options.prefix ?? "rl:";
    this.#memory = new MemoryRateLimiter({ windowMs: this.#windowMs });
  }

  async hit(key: string, limitPerMinute: number, now: Date): Promise<RateLimitResult> {
    try {
      const row = await this.#store.rateLimitHit!(this.#prefix + key, limitPerMinute, this.#windowMs, now);
      return {
        allowed: row.allowed,
        remaining: row.remaining,
        retryAfterMs: row.retryAfterMs,
        ...(row.hitId ? { hitToken: STORE_TOKEN + row.hitId } : {}),
      };
    } catch (error) {
      this.#logger.warn({ err: error, key }, "rate_limit_fallback");
      const result = await this.#memory.hit(key, limitPerMinute, now);
      return result.hitToken ? { ...result, hitToken: MEMORY_TOKEN + result.hitToken } : result;
    }
  }

  async undo(key: string, hitToken: string): Promise<void> {
    try {
      if (hitToken.startsWith(MEMORY_TOKEN)) {
        await this.#memory.undo(key, hitToken.slice(MEMORY_TOKEN.length));
      } else if (hitToken.startsWith(STORE_TOKEN)) {
        await this.#store.rateLimitUndo?.(this.#prefix + key, hitToken.slice(STORE_TOKEN.length));
      }
    } catch (error) {
      this.#logger.warn({ err: error, key }, "rate_limit_undo_failed");
    }
  }
}
