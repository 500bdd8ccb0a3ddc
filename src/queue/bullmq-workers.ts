/**
 * `smart-pncp worker`'s engine: one BullMQ Worker per (registered job kind × lane), plus a job scheduler
 * (one instance across every worker: BullMQ adds one job per tick) for processors with a `schedule`.
 *
 * - Retries only for transient failures: a processor throws `RetryLaterError`, BullMQ runs it again with
 *   exponential backoff; any other throw is final (`UnrecoverableError`, no retry) and goes to the
 *   processor's `failed` (tell the user, refund).
 * - A worker killed mid-job: its lock expires, another worker's stalled check puts the job back
 *   (`maxStalledCount` 2) and it runs again with `ctx.stalls` set — the search runs again (the charge was
 *   taken once, at acknowledgement, in the web process) or, after too many stalls, tells the user and
 *   refunds. A job failed by the stalled check itself (a third death) reaches `failed` through
 *   QueueEvents. `ctx.once` is a Redis `SET NX`, so results, the failure notice and the refund happen at
 *   most once whichever process runs what.
 * - Graceful shutdown: `close(graceMs)` stops taking jobs and waits for running ones; after the grace
 *   period it aborts them, and an aborted search with attempts left throws `RetryLaterError`: the job is
 *   handed back to the queue for another worker.
 */
import { hostname } from "node:os";
import { pid } from "node:process";
import { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import {
  type JobContext,
  type JobLane,
  type JobProcessor,
  type JobProcessors,
  RetryLaterError,
} from "../core/ports/job-queue.ts";
import type { Logger } from "../core/ports/logger.ts";
import { fairKey, onceKey, type StoredJob } from "./bullmq-job-queue.ts";
import { MAX_STALLED_COUNT, type QueueSettings, queueName, workerConnection } from "./queue-settings.ts";

const ONCE_TTL_S = 7 * 86_400;

export interface WorkerPool {
  /** Queue names this process consumes. */
  readonly queues: string[];
  /** Jobs running in this process now. */
  readonly running: number;
  /** Stop taking jobs, wait up to `graceMs` for running ones, then hand the rest back (abort). */
  close(graceMs?: number): Promise<void>;
}

interface Consumer {
  worker: Worker;
  events: QueueEvents;
}

/** Starts consuming every registered kind; schedulers are upserted (idempotent across workers). */
export async function startWorkers(
  settings: QueueSettings,
  processors: JobProcessors,
  logger: Logger,
): Promise<WorkerPool> {
  const redis = workerConnection(settings.redisUrl);
  const consumers: Consumer[] = [];
  const schedulerQueues: Queue[] = [];
  let running = 0;
  const once = (jobId: string) => async (step: string) =>
    (await redis.set(onceKey(settings.prefix, jobId, step), "1", "EX", ONCE_TTL_S, "NX")) === "OK";
  const release = async (stored: StoredJob | undefined) => {
    if (!stored?.accountKey) return;
    await redis.decr(fairKey(settings.prefix, stored.accountKey)).catch(() => undefined);
  };

  const handler =
    (kind: string, processor: JobProcessor) =>
    async (job: Job<StoredJob>, _token?: string, signal?: AbortSignal): Promise<void> => {
      const jobId = job.id ?? "";
      const attempt = job.attemptsMade + 1;
      const ctx: JobContext = {
        jobId,
        attempt,
        finalAttempt: attempt >= (job.opts.attempts ?? 1),
        stalls: job.stalledCounter ?? 0,
        signal: signal ?? new AbortController().signal,
        once: once(jobId),
      };
      running++;
      let final = true;
      try {
        await processor.run(job.data?.data, ctx);
      } catch (error) {
        if (error instanceof RetryLaterError && !ctx.finalAttempt) {
          final = false;
          logger.warn({ jobId, kind, attempt, reason: error.message }, "job_retry_scheduled");
          throw error;
        }
        logger.error({ err: error, jobId, kind, attempt }, "job_failed");
        await processor
          .failed?.(job.data?.data, { jobId, reason: reasonOf(error), once: ctx.once })
          .catch((failedError: unknown) =>
            logger.error({ err: failedError, jobId }, "job_failed_handler_failed"),
          );
        throw new UnrecoverableError(reasonOf(error));
      } finally {
        running--;
        if (final) await release(job.data);
      }
    };

  for (const [kind, processor] of processors.entries()) {
    if (processor.schedule) {
      const queue = new Queue(kind, { connection: redis, prefix: settings.prefix });
      queue.on("error", () => undefined);
      const repeat =
        "everyMs" in processor.schedule
          ? { every: processor.schedule.everyMs }
          : { pattern: processor.schedule.pattern, tz: processor.schedule.tz };
      await queue.upsertJobScheduler(kind, repeat, {
        name: kind,
        data: { data: null, accountKey: null },
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      });
      schedulerQueues.push(queue);
      consumers.push(consume(kind, 1, handler(kind, processor), processor, kind));
      continue;
    }
    for (const lane of ["small", "large"] as JobLane[]) {
      const slots = processor.concurrency?.[lane] ?? settings.concurrency[lane];
      if (slots < 1) continue;
      consumers.push(consume(queueName(kind, lane), slots, handler(kind, processor), processor, kind));
    }
  }

  function consume(
    name: string,
    concurrency: number,
    process: (job: Job<StoredJob>, token?: string, signal?: AbortSignal) => Promise<void>,
    processor: JobProcessor,
    kind: string,
  ): Consumer {
    const worker = new Worker<StoredJob>(name, process, {
      // Stored on each job it takes (`processedBy`): which host and process ran what.
      name: `${hostname()}:${pid}`,
      connection: workerConnection(settings.redisUrl),
      prefix: settings.prefix,
      concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.lockMs,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    worker.on("error", (error) => logger.warn({ err: error, queue: name }, "worker_redis_error"));
    worker.on("stalled", (jobId) => logger.warn({ jobId, queue: name }, "job_stalled_requeued"));
    // A job failed by the stalled check (its worker died once too often) never reaches a processor.
    const events = new QueueEvents(name, {
      connection: workerConnection(settings.redisUrl),
      prefix: settings.prefix,
    });
    events.on("error", () => undefined);
    events.on("failed", ({ jobId, failedReason }) => {
      if (!/stalled/i.test(failedReason)) return;
      void (async () => {
        // Every worker process listens: one of them handles it.
        if (!(await once(jobId)("stalled-failed"))) return;
        const job = (await reader(name).getJob(jobId)) as Job<StoredJob> | undefined;
        logger.error({ jobId, queue: name, reason: failedReason }, "job_failed_stalled");
        await processor.failed?.(job?.data?.data, { jobId, reason: failedReason, once: once(jobId) });
        await release(job?.data);
      })().catch((error: unknown) => logger.error({ err: error, jobId, kind }, "job_failed_handler_failed"));
    });
    return { worker, events };
  }

  const readers = new Map<string, Queue>();
  /** A Queue handle to read jobs back by id (QueueEvents gives only the id). */
  function reader(name: string): Queue {
    let queue = readers.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: redis, prefix: settings.prefix });
      queue.on("error", () => undefined);
      readers.set(name, queue);
    }
    return queue;
  }

  await Promise.all(consumers.map((c) => c.worker.waitUntilReady()));
  logger.info({ queues: consumers.map((c) => c.worker.name) }, "workers_started");

  return {
    queues: consumers.map((c) => c.worker.name),
    get running() {
      return running;
    },
    async close(graceMs = 30_000) {
      logger.info({ running }, "workers_stopping");
      const closing = consumers.map((c) => c.worker.close());
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        Promise.all(closing).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (late) {
        logger.warn({ running }, "workers_handing_back");
        for (const c of consumers) c.worker.cancelAllJobs("shutdown");
        await Promise.all(closing);
      }
      await Promise.allSettled([
        ...consumers.map((c) => c.events.close()),
        ...schedulerQueues.map((q) => q.close()),
        ...[...readers.values()].map((q) => q.close()),
      ]);
      redis.disconnect();
      logger.info("workers_stopped");
    },
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
