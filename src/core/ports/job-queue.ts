/**
 * Port: background work started after the platform was acknowledged (searches; Excel builds, alert
 * matching, the notification outbox and digests register the same way). A job is DATA — a kind and a
 * JSON payload — so it can wait in Redis and run in another process (`src/queue/bullmq-job-queue.ts`,
 * `smart-pncp worker`); the in-process queue (`in-process-job-queue.ts`, the default) runs the same
 * payload through the same processor, and may also carry `local` context that cannot travel (the
 * conversation's ReplySink), used only when the job runs where it was enqueued.
 */

/** Fairness lane: large jobs (a 27-state, 90-day search) never take every slot from small ones. */
export type JobLane = "small" | "large";

/** One unit of background work to queue. */
export interface JobSpec {
  /** Idempotency key from the delivery (`jobIdFor`): a second job with the same id is dropped. */
  id: string;
  /** Which processor runs it (`JobProcessors.register`). */
  kind: string;
  /** JSON-serializable payload (no Dates, Buffers, functions): what the processor needs, nothing else. */
  data: unknown;
  lane?: JobLane;
  /**
   * Who asked (charged account or identity): queues order each account's second, third… waiting job
   * after everyone else's first, so one user's burst does not hold up the others.
   */
  accountKey?: string | null;
  /** Context for running in this very process (a ReplySink); ignored by queues that hand jobs to workers. */
  local?: unknown;
}

/** What a processor learns about the run it is in. */
export interface JobContext {
  jobId: string;
  /** 1 for the first run; grows with retries and with recoveries after a worker died. */
  attempt: number;
  /** No retry follows when this run throws `RetryLaterError`: the processor must finish the job itself. */
  finalAttempt: boolean;
  /** Times a worker died (or lost its lock) while running this job. */
  stalls: number;
  signal: AbortSignal;
  /** The `local` of the spec when it runs in the process that enqueued it. */
  local?: unknown;
  /**
   * True exactly once per (job, step) across every run and process: guards what must happen at most once
   * (delivering the results, telling the user it failed, refunding).
   */
  once(step: string): Promise<boolean>;
}

/** Why a job is finished without its processor finishing it. */
export interface JobFailure {
  jobId: string;
  reason: string;
  local?: unknown;
  once(step: string): Promise<boolean>;
}

/** A processor's retry policy; queues apply it (attempts > 1 only where jobs persist across runs). */
export interface JobRetryPolicy {
  /** Runs in all (1 = no retry). */
  attempts: number;
  /** First retry delay; doubled each time (exponential, with BullMQ's jitter-free backoff). */
  backoffMs: number;
}

export interface JobProcessor {
  /** Runs one job. Throw `RetryLaterError` for a transient failure (retried with backoff unless final). */
  run(data: unknown, ctx: JobContext): Promise<void>;
  /**
   * The job is over without `run` finishing it (an unexpected throw, retries exhausted, the worker died
   * too often): tell the user, give back what was charged. Guard side effects with `once`.
   */
  failed?(data: unknown, failure: JobFailure): Promise<void>;
  /** Slots per lane in one process (default small 4, large 1). */
  concurrency?: Partial<Record<JobLane, number>>;
  retry?: JobRetryPolicy;
  /** Run on a schedule (BullMQ job scheduler, one instance across workers) instead of on demand. */
  schedule?: { everyMs: number } | { pattern: string; tz?: string };
}

/** A transient failure: run the job again later (with backoff), unless this was the final attempt. */
export class RetryLaterError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "RetryLaterError";
  }
}

/** The processors a process can run, by kind. Others add theirs (`register`) before workers start. */
export class JobProcessors {
  readonly #byKind = new Map<string, JobProcessor>();

  register(kind: string, processor: JobProcessor): this {
    if (!/^[a-z][a-z0-9-]*$/.test(kind))
      throw new Error(`job kind must be lowercase letters, digits, '-': ${kind}`);
    this.#byKind.set(kind, processor);
    return this;
  }

  get(kind: string): JobProcessor | undefined {
    return this.#byKind.get(kind);
  }

  /** [kind, processor] pairs in registration order. */
  entries(): [string, JobProcessor][] {
    return [...this.#byKind.entries()];
  }
}

/** What `/health` and logs show about the queue. */
export interface JobQueueStatus {
  /** What is configured. */
  backend: "in-process" | "bullmq";
  /**
   * `degraded`: BullMQ configured but Redis unreachable or no worker consuming: jobs run in this process
   * (embedded fallback).
   */
  state: "ok" | "degraded";
  /** Redis reachability (null without Redis). */
  redis: "up" | "down" | null;
  /** Jobs queued or running in this process (the embedded queue, fallback included). */
  localJobs: number;
  /** Jobs that ran in this process since start because Redis was down or no worker was consuming. */
  fallbackJobs: number;
  /** BullMQ: workers consuming the last queue used (null when unknown or without Redis). */
  workers?: number | null;
  /** Last Redis error, for the operator (no secrets: the URL is never included). */
  lastError: string | null;
  /** When `state` last changed. */
  since: string;
}

/** Port: queues jobs; processors run them here or in `smart-pncp worker` processes. */
export interface JobQueue {
  /**
   * Queues a job (a duplicate id is dropped). Resolves once it is safely queued — in Redis, or in this
   * process when Redis is unreachable. Never rejects for a queue failure.
   */
  enqueue(job: JobSpec): Promise<void>;
  /** Jobs queued or running in this process. */
  readonly size: number;
  /** Waits for this process's jobs to finish (graceful shutdown); rejects nothing. */
  drain(timeoutMs?: number): Promise<void>;
  status(): JobQueueStatus;
  /** Releases connections (after `drain`). */
  close?(): Promise<void>;
}

/**
 * A job id from a delivery, valid for BullMQ (no ':', never digits-only) and injective: bytes outside
 * `[A-Za-z0-9_.]` are percent-encoded, so `-` only ever separates the two parts and the `d_` prefix makes
 * it never a number. Duplicates of one delivery, on any instance, get the same id and collapse.
 */
export function jobIdFor(source: string, deliveryId: string): string {
  return `d_${encodeIdPart(source)}-${encodeIdPart(deliveryId)}`;
}

function encodeIdPart(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
