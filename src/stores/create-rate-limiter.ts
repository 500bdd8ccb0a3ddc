import type { Logger } from "../core/ports/logger.ts";
import { MemoryRateLimiter } from "../core/ports/memory-rate-limiter.ts";
import type { Counters } from "../core/ports/metrics.ts";
import type { RateLimiter } from "../core/ports/rate-limiter.ts";
import { RedisRateLimiter } from "./redis-rate-limiter.ts";

export interface RateLimiterConfig {
  /** REDIS_URL: share limits across instances; absent → in-memory limiter. */
  redisUrl?: string;
}

/**
 * Redis limiter when `redisUrl` is set, otherwise the in-memory one. Synchronous: the Redis limiter
 * connects in the background and its first `hit` waits (bounded) for the connection.
 * `counters` gets `redis_unavailable` on each Redis outage.
 */
export function createRateLimiter(
  config: RateLimiterConfig,
  logger: Logger,
  counters?: Counters,
): RateLimiter {
  if (config.redisUrl) {
    logger.info({ rateLimiter: "redis" }, "rate_limiter_selected");
    return new RedisRateLimiter({ url: config.redisUrl, logger, counters });
  }
  logger.info({ rateLimiter: "memory" }, "rate_limiter_selected");
  return new MemoryRateLimiter();
}
