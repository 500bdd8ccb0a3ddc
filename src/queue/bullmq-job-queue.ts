/**
 * The `JobQueue` port on BullMQ (with `REDIS_URL`): `serve` acknowledges the webhook, then `enqueue` puts
 * the job's DATA in Redis for `smart-pncp worker` processes. Duplicates collapse across instances twice:
 * a `SET NX` on the job id (so the fairness counter is not bumped for a duplicate) and BullMQ's own rule
 * that a job id already present is not added again. Fairness: each account's waiting jobs get BullMQ
 * priority 1, 2, 3… (its ordinal among its queued jobs), so everyone's first job goes before anyone's
 * second; large searches wait in their own queue with their own worker slots.
 *
 * No worker consuming the job's queue (REDIS_URL set for the shared rate limit, `smart-pncp worker` not
 * started, or every worker gone): the job runs here too rather than wait in Redis for nobody; checked with
 * BullMQ's worker list, cached 2 s, logged `job_queue_no_workers` once per queue until a worker appears.
 *
 * Redis unreachable (refused, timed out, or not answering within `enqueueTimeoutMs`): the job runs in this
 * process through the embedded queue (same processors, with the conversation's own sink), `status()` says
 * `degraded` and `job_queue_fallback` is logged once per outage; Redis is probed again every 5 s and new
 * jobs go back to it as soon as it answers.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { InProcessJobQueue } from "../core/ports/in-process-job-queue.ts";
import type { JobProcessors, JobQueue, JobQueueStatus, JobSpec } from "../core/ports/job-queue.ts";
import type { Logger } from "../core/ports/logger.ts";
import { producerConnection, type QueueSettings, queueName, redisHost } from "./queue-settings.ts";

/** What a job carries in Redis: the processor's payload plus the fairness key. */
export interface StoredJob {
  data: unknown;
  accountKey: string | null;
}

/** Keys beside BullMQ's own, under the same prefix. */
export const dedupKey = (prefix: string, id: string) => `${prefix}:smart:dedup:${id}`;
export const fairKey = (prefix: string, accountKey: string) => `${prefix}:smart:fair:${accountKey}`;
export const onceKey = (prefix: string, id: string, step: string) => `${prefix}:smart:once:${id}:${step}`;

const DEDUP_TTL_S = 86_400;
const FAIR_TTL_S = 3_600;
const PROBE_MS = 5_000;

export interface BullMqJobQueueOptions {
  settings: QueueSettings;
  processors: JobProcessors;
  /** Runs jobs here while Redis is down (the embedded default). */
  fallback: InProcessJobQueue;
  logger: Logger;
  /** An add that takes longer counts as Redis down (default 1 000 ms). */
  enqueueTimeoutMs?: number;
  /** While down, how often Redis is tried again (default 5 000 ms). */
  probeMs?: number;
}

export class BullMqJobQueue implements JobQueue {
  readonly #redis: Redis;
  readonly #queues = new Map<string, Queue>();
  readonly #o: BullMqJobQueueOptions;
  #down = false;
  #lastError: string | null = null;
  #since = new Date().toISOString();
  #fallbackJobs = 0;
  #probe: NodeJS.Timeout | null = null;
  readonly #workers = new Map<string, { at: number; count: number }>();
  #lastWorkers: number | null = null;

  private constructor(options: BullMqJobQueueOptions) {
    this.#o = options;
    this.#redis = producerConnection(options.settings.redisUrl);
  }

  /** Connects (at most ~2 s); a Redis that does not answer starts the queue degraded, never throws. */
  static async open(options: BullMqJobQueueOptions): Promise<BullMqJobQueue> {
    const queue = new BullMqJobQueue(options);
    try {
      await withTimeout(queue.#redis.connect(), 2_500);
      await withTimeout(queue.#redis.ping(), 1_000);
      options.logger.info({ redis: redisHost(options.settings.redisUrl) }, "job_queue_bullmq");
    } catch (error) {
      queue.#markDown(error);
    }
    return queue;
  }

  get size(): number {
    return this.#o.fallback.size;
  }

  status(): JobQueueStatus {
    return {
      backend: "bullmq",
      state: this.#down || this.#lastWorkers === 0 ? "degraded" : "ok",
      redis: this.#down ? "down" : "up",
      localJobs: this.#o.fallback.size,
      fallbackJobs: this.#fallbackJobs,
      workers: this.#down ? null : this.#lastWorkers,
      lastError: this.#lastError,
      since: this.#since,
    };
  }

  async enqueue(job: JobSpec): Promise<void> {
    if (!this.#down) {
      try {
        const name = queueName(job.kind, job.lane ?? "small");
        if ((await withTimeout(this.#workerCount(name), this.#o.enqueueTimeoutMs ?? 1_000)) > 0) {
          await withTimeout(this.#add(job), this.#o.enqueueTimeoutMs ?? 1_000);
          return;
        }
      } catch (error) {
        this.#markDown(error);
      }
    }
    this.#fallbackJobs++;
    this.#o.logger.warn({ jobId: job.id, kind: job.kind }, "job_ran_in_fallback");
    this.#o.fallback.add(job);
  }

  async #add(job: JobSpec): Promise<void> {
    const { prefix, attempts, backoffMs } = this.#o.settings;
    const fresh = await this.#redis.set(dedupKey(prefix, job.id), "1", "EX", DEDUP_TTL_S, "NX");
    if (fresh !== "OK") {
      this.#o.logger.info({ jobId: job.id }, "job_duplicate_dropped");
      return;
    }
    let priority = 1;
    const accountKey = job.accountKey ?? null;
    if (accountKey !== null) {
      const key = fairKey(prefix, accountKey);
      const [[, ordinal]] = (await this.#redis.multi().incr(key).expire(key, FAIR_TTL_S).exec()) as [
        [Error | null, number],
        unknown,
      ];
      priority = Math.min(2_097_151, Math.max(1, Number(ordinal)));
    }
    const retry = this.#o.processors.get(job.kind)?.retry;
    const stored: StoredJob = { data: job.data, accountKey };
    await this.#queue(queueName(job.kind, job.lane ?? "small")).add(job.kind, stored, {
      jobId: job.id,
      priority,
      attempts: retry ? Math.max(1, Math.min(retry.attempts, attempts)) : 1,
      backoff: { type: "exponential", delay: retry ? Math.max(backoffMs, 1) : backoffMs },
      // Kept a day so a late duplicate still collapses on the id; failures a week for the operator.
      removeOnComplete: { age: DEDUP_TTL_S, count: 10_000 },
      removeOnFail: { age: 7 * DEDUP_TTL_S, count: 10_000 },
    });
  }

  /** Workers consuming `name` now (cached 2 s); 0 is logged once until one shows up. */
  async #workerCount(name: string): Promise<number> {
    const cached = this.#workers.get(name);
    if (cached && Date.now() - cached.at < 2_000) return cached.count;
    const count = await this.#queue(name).getWorkersCount();
    if (count === 0 && (cached === undefined || cached.count > 0)) {
      this.#o.logger.error(
        { queue: name },
        "job_queue_no_workers: start smart-pncp worker; jobs run in this process",
      );
    }
    this.#workers.set(name, { at: Date.now(), count });
    this.#lastWorkers = count;
    return count;
  }

  #queue(name: string): Queue {
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.#redis, prefix: this.#o.settings.prefix });
      queue.on("error", () => undefined);
      this.#queues.set(name, queue);
    }
    return queue;
  }

  #markDown(error: unknown): void {
    this.#lastError = error instanceof Error ? error.message : String(error);
    if (this.#down) return;
    this.#down = true;
    this.#since = new Date().toISOString();
    this.#o.logger.error(
      { redis: redisHost(this.#o.settings.redisUrl), err: this.#lastError },
      "job_queue_fallback: Redis unreachable, jobs run in this process",
    );
    this.#probe = setInterval(() => void this.#probeRedis(), this.#o.probeMs ?? PROBE_MS);
    this.#probe.unref();
  }

  async #probeRedis(): Promise<void> {
    try {
      if (this.#redis.status === "end" || this.#redis.status === "wait") await this.#redis.connect();
      await withTimeout(this.#redis.ping(), 1_000);
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      return;
    }
    if (this.#probe) clearInterval(this.#probe);
    this.#probe = null;
    this.#down = false;
    this.#since = new Date().toISOString();
    this.#o.logger.info({ redis: redisHost(this.#o.settings.redisUrl) }, "job_queue_redis_back");
  }

  drain(timeoutMs?: number): Promise<void> {
    return this.#o.fallback.drain(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#probe) clearInterval(this.#probe);
    await Promise.allSettled([...this.#queues.values()].map((q) => q.close()));
    this.#redis.disconnect();
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
