import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../core/ports/logger.ts";
import type { Counters } from "../core/ports/metrics.ts";
import type { RateLimiter, RateLimitResult } from "../core/ports/rate-limiter.ts";

// Sliding window in a sorted set, atomic in one script: drop hits older than the window, count, add.
// Returns {allowed (1/0), remaining, retryAfterMs}.
const SLIDING_WINDOW = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

// Tokens say which limiter recorded the hit, so `undo` goes to the same one.
const REDIS_TOKEN = "r:";
const FALLBACK_TOKEN = "f:";

type SlidingWindowRedis = Redis & {
  slidingWindow(key: string, now: number, windowMs: number, limit: number, member: string): Promise<number[]>;
};

export interface RedisRateLimiterOptions {
  /** `redis://…` (REDIS_URL). */
  url: string;
  logger: Logger;
  /** Key prefix (default `smart-pncp:rl:`). */
  prefix?: string;
  windowMs?: number;
  /** Connect timeout (default 1000 ms). */
  connectTimeoutMs?: number;
  /**
   * Per-command timeout (default 100 ms): a Redis that accepts connections but never answers must not
   * slow a chat acknowledgement. Also the longest wait for a connection still being made.
   */
  commandTimeoutMs?: number;
  /**
   * Limiter used while Redis is unavailable (the embedded `StoreRateLimiter`, say), so the limit still
   * holds. Without one the request goes through (`failedOpen`).
   */
  fallback?: RateLimiter;
  /** After a failure Redis is skipped for this long, then tried again (default 5 000 ms). */
  retryAfterFailureMs?: number;
  /** Incremented as `redis_unavailable` on each outage (shown on /health). */
  counters?: Counters;
}

/**
 * Per-minute sliding-window limiter shared by every instance through Redis. Never throws: when Redis is
 * down, hung or slow (over `commandTimeoutMs`), the `fallback` limiter answers (or the request goes
 * through with `failedOpen: true`) and a `rate_limit_fallback` warning is logged; Redis is then skipped
 * for `retryAfterFailureMs` so a hung server costs one timeout, not one per request. No offline queue and
 * no retries per command, so a dead Redis answers at once.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: SlidingWindowRedis;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #windowMs: number;
  readonly #commandTimeoutMs: number;
  readonly #retryAfterFailureMs: number;
  readonly #fallback: RateLimiter | undefined;
  #down = false;
  #skipUntil = 0;

  constructor(options: RedisRateLimiterOptions) {
    this.#logger = options.logger;
    this.#prefix = options.prefix ?? "smart-pncp:rl:";
    this.#windowMs = options.windowMs ?? 60_000;
    const connectTimeoutMs = options.connectTimeoutMs ?? 1_000;
    this.#commandTimeoutMs = options.commandTimeoutMs ?? 100;
    this.#retryAfterFailureMs = options.retryAfterFailureMs ?? 5_000;
    this.#fallback = options.fallback;
    const redis = new Redis(options.url, {
      connectTimeout: connectTimeoutMs,
      commandTimeout: this.#commandTimeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    redis.defineCommand("slidingWindow", { numberOfKeys: 1, lua: SLIDING_WINDOW });
    // Without an 'error' listener ioredis errors would crash the process; log state changes only.
    redis.on("error", (error: Error) => {
      if (this.#down) return;
      this.#down = true;
      options.counters?.increment("redis_unavailable");
      this.#logger.warn({ err: error }, "redis_unavailable");
    });
    redis.on("ready", () => {
      if (this.#down) this.#logger.info("redis_ready");
      this.#down = false;
      this.#skipUntil = 0;
    });
    this.#redis = redis as SlidingWindowRedis;
  }

  /** Creates the limiter and waits up to `connectTimeoutMs` for Redis; an unreachable Redis is not an error. */
  static async open(options: RedisRateLimiterOptions): Promise<RedisRateLimiter> {
    const limiter = new RedisRateLimiter(options);
    await limiter.ready(options.connectTimeoutMs ?? 1_000);
    return limiter;
  }

  /** Resolves true once connected, false after `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.#redis.status === "ready") return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#redis.off("ready", onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#redis.once("ready", onReady);
    });
  }

  async hit(key: string, limitPerMinute: number, now: Date): Promise<RateLimitResult> {
    if (Date.now() < this.#skipUntil) return this.#fallbackHit(key, limitPerMinute, now, null);
    try {
      // A connection still being made (right after start, or a server that accepted the TCP connection
      // but never answers the ready check): wait at most one command timeout for it.
      if (this.#redis.status !== "ready" && !(await this.ready(this.#commandTimeoutMs))) {
        throw new Error(`redis not ready (${this.#redis.status})`);
      }
      const member = `${now.getTime()}:${randomUUID()}`;
      const [allowed, remaining, retryAfterMs] = await this.#redis.slidingWindow(
        this.#prefix + key,
        now.getTime(),
        this.#windowMs,
        limitPerMinute,
        member,
      );
      return {
        allowed: allowed === 1,
        remaining: Number(remaining),
        retryAfterMs: Number(retryAfterMs),
        ...(allowed === 1 ? { hitToken: REDIS_TOKEN + member } : {}),
      };
    } catch (error) {
      this.#skipUntil = Date.now() + this.#retryAfterFailureMs;
      return this.#fallbackHit(key, limitPerMinute, now, error);
    }
  }

  async undo(key: string, hitToken: string): Promise<void> {
    try {
      if (hitToken.startsWith(FALLBACK_TOKEN)) {
        await this.#fallback?.undo?.(key, hitToken.slice(FALLBACK_TOKEN.length));
      } else if (hitToken.startsWith(REDIS_TOKEN) && this.#redis.status === "ready") {
        await this.#redis.zrem(this.#prefix + key, hitToken.slice(REDIS_TOKEN.length));
      }
    } catch (error) {
      this.#logger.warn({ err: error, key }, "rate_limit_undo_failed");
    }
  }

  async #fallbackHit(key: string, limit: number, now: Date, error: unknown): Promise<RateLimitResult> {
    this.#logger.warn(
      { err: error ?? undefined, key, fallback: Boolean(this.#fallback) },
      "rate_limit_fallback",
    );
    if (!this.#fallback) return { allowed: true, remaining: limit, retryAfterMs: 0, failedOpen: true };
    const result = await this.#fallback.hit(key, limit, now);
    return result.hitToken ? { ...result, hitToken: FALLBACK_TOKEN + result.hitToken } : result;
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
