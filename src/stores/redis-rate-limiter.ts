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
  /** Per-command timeout (default 500 ms): a hung Redis must not hang a chat request. */
  commandTimeoutMs?: number;
  /** Incremented as `redis_unavailable` on each outage (shown on /health). */
  counters?: Counters;
}

/**
 * Per-minute sliding-window limiter shared by every instance through Redis. Never throws: when Redis is
 * down or slow the request goes through (`failedOpen: true`) and a `rate_limit_fallback` warning is logged.
 * No offline queue and one retry per command, so a dead Redis answers at once.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: SlidingWindowRedis;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #windowMs: number;
  readonly #connectTimeoutMs: number;
  #down = false;

  constructor(options: RedisRateLimiterOptions) {
    this.#logger = options.logger;
    this.#prefix = options.prefix ?? "smart-pncp:rl:";
    this.#windowMs = options.windowMs ?? 60_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 1_000;
    const redis = new Redis(options.url, {
      connectTimeout: this.#connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs ?? 500,
      maxRetriesPerRequest: 1,
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
    // Right after start the first connection is still being made (no offline queue): wait for it, bounded.
    const status = this.#redis.status;
    if (status === "wait" || status === "connecting" || status === "connect") {
      await this.ready(this.#connectTimeoutMs);
    }
    try {
      const [allowed, remaining, retryAfterMs] = await this.#redis.slidingWindow(
        this.#prefix + key,
        now.getTime(),
        this.#windowMs,
        limitPerMinute,
        `${now.getTime()}:${randomUUID()}`,
      );
      return { allowed: allowed === 1, remaining: Number(remaining), retryAfterMs: Number(retryAfterMs) };
    } catch (error) {
      this.#logger.warn({ err: error, key }, "rate_limit_fallback");
      return { allowed: true, remaining: limitPerMinute, retryAfterMs: 0, failedOpen: true };
    }
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
