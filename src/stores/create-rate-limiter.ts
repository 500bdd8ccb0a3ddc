import type { Logger } from "../core/ports/logger.ts";
import { MemoryRateLimiter } from "../core/ports/memory-rate-limiter.ts";
import type { Counters } from "../core/ports/metrics.ts";
import type { RateLimiter } from "../core/ports/rate-limiter.ts";
import type { Store } from "../core/ports/store.ts";
import { StoreRateLimiter } from "./store-rate-limiter.ts";

export interface RateLimiterConfig {
  /** REDIS_URL: share limits across instances through Redis. */
  redisUrl?: string;
  /**
   * The app's store: without Redis its SQL sliding window (`rate_limit_hit`) is the limiter, shared by
   * every process on the same database; with Redis it is Redis's fallback. Without a store that has
   * one, the in-memory limiter (this process only).
   */
  store?: Pick<Store, "rateLimitHit" | "rateLimitUndo">;
}

/**
 * Redis limiter when `redisUrl` is set (falling back to the store's window while Redis is down or hung),
 * otherwise the store's SQL window, otherwise the in-memory one. ioredis is imported only with a
 * `redisUrl`; the Redis limiter connects in the background. `counters` gets `redis_unavailable` on each
 * Redis outage.
 */
export async function createRateLimiter(
  config: RateLimiterConfig,
  logger: Logger,
  counters?: Counters,
): Promise<RateLimiter> {
  const embedded: RateLimiter = config.store?.rateLimitHit
    ? new StoreRateLimiter({ store: config.store, logger })
    : new MemoryRateLimiter();
  const embeddedName = embedded instanceof StoreRateLimiter ? "store" : "memory";
  if (config.redisUrl) {
    logger.info({ rateLimiter: "redis", fallback: embeddedName }, "rate_limiter_selected");
    const { RedisRateLimiter } = await import("./redis-rate-limiter.ts");
    return new RedisRateLimiter({ url: config.redisUrl, logger, counters, fallback: embedded });
  }
  logger.info({ rateLimiter: embeddedName }, "rate_limiter_selected");
  return embedded;
}
