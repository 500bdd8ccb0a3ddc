import {
  type JobContext,
  type JobLane,
  type JobProcessor,
  JobProcessors,
  type JobQueue,
  type JobQueueStatus,
  type JobSpec,
} from "./job-queue.ts";
import type { Logger } from "./logger.ts";

interface Waiting {
  spec: JobSpec;
  lane: JobLane;
  /** The account's nth job queued or running when this one was queued (fairness order). */
  ordinal: number;
  seq: number;
}

/**
 * The embedded default (and the fallback of the BullMQ queue while Redis is down): runs jobs in this
 * process through the same processors and payloads as `smart-pncp worker`. A job with an id already
 * queued or running is dropped (a second line of defence behind `claim_event`). Fairness as on BullMQ:
 * large jobs use at most half the slots, and each account's second, third… waiting job goes after
 * everyone else's first. Each job runs once (no retry: a retry here would wait in the process that just
 * failed); an unexpected throw goes to the processor's `failed` (tell the user, refund). Never throws.
 */
export class InProcessJobQueue implements JobQueue {
  readonly #waiting: Waiting[] = [];
  readonly #running = new Map<string, { promise: Promise<void>; lane: JobLane; accountKey: string | null }>();
  readonly #ids = new Set<string>();
  readonly #perAccount = new Map<string, number>();
  readonly #abort = new AbortController();
  readonly #since = new Date().toISOString();
  #seq = 0;

  constructor(
    private readonly logger: Logger,
    private readonly concurrency = 4,
    readonly processors: JobProcessors = new JobProcessors(),
  ) {}

  get size(): number {
    return this.#waiting.length + this.#running.size;
  }

  status(): JobQueueStatus {
    return {
      backend: "in-process",
      state: "ok",
      redis: null,
      localJobs: this.size,
      fallbackJobs: 0,
      lastError: null,
      since: this.#since,
    };
  }

  async enqueue(job: JobSpec): Promise<void> {
    this.add(job);
  }

  /** Synchronous enqueue: false when the id is already queued or running (dropped). */
  add(job: JobSpec): boolean {
    if (this.#ids.has(job.id)) {
      this.logger.warn({ jobId: job.id }, "job_duplicate_dropped");
      return false;
    }
    this.#ids.add(job.id);
    const key = job.accountKey ?? null;
    const ordinal = key === null ? 1 : (this.#perAccount.get(key) ?? 0) + 1;
    if (key !== null) this.#perAccount.set(key, ordinal);
    this.#waiting.push({ spec: job, lane: job.lane ?? "small", ordinal, seq: this.#seq++ });
    this.#pump();
    return true;
  }

  #laneLimit(lane: JobLane): number {
    return lane === "large" ? Math.max(1, Math.floor(this.concurrency / 2)) : this.concurrency;
  }

  #next(): Waiting | null {
    const runningLarge = [...this.#running.values()].filter((r) => r.lane === "large").length;
    let best = -1;
    for (let i = 0; i < this.#waiting.length; i++) {
      const w = this.#waiting[i]!;
      if (w.lane === "large" && runningLarge >= this.#laneLimit("large")) continue;
      const b = best < 0 ? null : this.#waiting[best]!;
      if (!b || w.ordinal < b.ordinal || (w.ordinal === b.ordinal && w.seq < b.seq)) best = i;
    }
    return best < 0 ? null : this.#waiting.splice(best, 1)[0]!;
  }

  #pump(): void {
    while (this.#running.size < this.concurrency) {
      const next = this.#next();
      if (!next) return;
      const { spec, lane } = next;
      const promise = this.#run(spec).finally(() => {
        this.#running.delete(spec.id);
        this.#ids.delete(spec.id);
        const key = spec.accountKey ?? null;
        if (key !== null) {
          const left = (this.#perAccount.get(key) ?? 1) - 1;
          if (left > 0) this.#perAccount.set(key, left);
          else this.#perAccount.delete(key);
        }
        this.#pump();
      });
      this.#running.set(spec.id, { promise, lane, accountKey: spec.accountKey ?? null });
    }
  }

  async #run(spec: JobSpec): Promise<void> {
    const processor: JobProcessor | undefined = this.processors.get(spec.kind);
    const steps = new Set<string>();
    const once = async (step: string) => {
      if (steps.has(step)) return false;
      steps.add(step);
      return true;
    };
    if (!processor) {
      this.logger.error({ jobId: spec.id, kind: spec.kind }, "job_kind_unknown");
      return;
    }
    const ctx: JobContext = {
      jobId: spec.id,
      attempt: 1,
      finalAttempt: true,
      stalls: 0,
      signal: this.#abort.signal,
      local: spec.local,
      once,
    };
    try {
      await processor.run(spec.data, ctx);
    } catch (error) {
      this.logger.error({ err: error, jobId: spec.id, kind: spec.kind }, "job_failed");
      await processor
        .failed?.(spec.data, { jobId: spec.id, reason: errorText(error), local: spec.local, once })
        .catch((failedError: unknown) =>
          this.logger.error({ err: failedError, jobId: spec.id }, "job_failed_handler_failed"),
        );
    }
  }

  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.#running.values()].map((r) => r.promise)),
        new Promise((r) => setTimeout(r, Math.max(1, Math.min(200, deadline - Date.now())))),
      ]);
    }
    if (this.size > 0) {
      this.logger.warn({ left: this.size }, "job_queue_drain_timeout");
      this.#abort.abort();
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
