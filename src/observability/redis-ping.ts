/**
 * PING for the readiness check: its own small ioredis connection (the limiter's and BullMQ's connections
 * are theirs to manage), no offline queue and no retries per command, so a dead Redis answers false at
 * once and a hung one after `timeoutMs`. ioredis is imported on the first ping.
 */
import type { Redis } from "ioredis";

/** A reusable pinger; `close()` releases its connection. */
export interface RedisPinger {
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Creates the pinger for `url` (connects lazily, reconnects in the background). */
export function createRedisPinger(url: string, timeoutMs = 500): RedisPinger {
  let client: Promise<Redis> | null = null;
  const open = async () => {
    const { Redis } = await import("ioredis");
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    });
    redis.on("error", () => undefined);
    redis.connect().catch(() => undefined);
    return redis;
  };
  return {
    async ping() {
      client ??= open();
      const redis = await client;
      if (redis.status !== "ready") {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            redis.off("ready", done);
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          redis.once("ready", done);
        });
      }
      if (redis.status !== "ready") return false;
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      if (client) (await client).disconnect();
      client = null;
    },
  };
}
