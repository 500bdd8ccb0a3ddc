/**
 * Settings shared by the producer (`BullMqJobQueue`, in `serve`) and the consumers (`startWorkers`, in
 * `smart-pncp worker`): both must agree on the prefix and the queue names. BullMQ and ioredis stay in
 * `src/queue`; the core sees only the `JobQueue` port.
 */
import { Redis, type RedisOptions } from "ioredis";
import type { JobLane } from "../core/ports/job-queue.ts";

export interface QueueSettings {
  redisUrl: string;
  /** Redis key prefix of every queue (`QUEUE_PREFIX`): tests and bench use a unique one each. */
  prefix: string;
  /** Slots per lane per worker process (`WORKER_CONCURRENCY`, `WORKER_LARGE_CONCURRENCY`). */
  concurrency: Record<JobLane, number>;
  /** How long a worker's lock on a job lasts without renewal (`JOB_LOCK_MS`); also the stalled-check period. */
  lockMs: number;
  /** Runs for a job whose processor asks for retries (`JOB_ATTEMPTS`), first backoff (`JOB_BACKOFF_MS`). */
  attempts: number;
  backoffMs: number;
}

/** The Redis list a job kind and lane use: `search` / `search-large`. */
export function queueName(kind: string, lane: JobLane): string {
  return lane === "large" ? `${kind}-large` : kind;
}

/** Times a stalled job goes back to wait; the search processor tells the user on the run after its limit. */
export const MAX_STALLED_COUNT = 2;

/** A connection for BullMQ workers and queue events: blocking commands, so no per-request retry limit. */
export function workerConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...common() });
  redis.on("error", () => undefined);
  return redis;
}

/**
 * The producer's connection: fails fast instead of queueing commands while Redis is away
 * (`enableOfflineQueue: false`, BullMQ's "failing fast when Redis is down"), so a webhook falls back to the
 * embedded queue at once.
 */
export function producerConnection(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    ...common(),
  });
  redis.on("error", () => undefined);
  return redis;
}

function common(): RedisOptions {
  return {
    connectTimeout: 2_000,
    // Reconnect forever, backing off to 2 s: the fallback serves meanwhile.
    retryStrategy: (times: number) => Math.min(2_000, 100 * times),
  };
}

/** `host:port` of a Redis URL, for logs (never the password). */
export function redisHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "redis";
  }
}
