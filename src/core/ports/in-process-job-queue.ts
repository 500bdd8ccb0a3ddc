import type { Job, JobQueue } from "./job-queue.ts";
import type { Logger } from "./logger.ts";

/**
 * Runs jobs in this process with a concurrency limit. Jobs with an id already queued or running are
 * dropped (a second line of defence behind `claim_event`). A failing job is logged, never thrown.
 */
export class InProcessJobQueue implements JobQueue {
  readonly #waiting: Job[] = [];
  readonly #running = new Map<string, Promise<void>>();
  readonly #ids = new Set<string>();
  readonly #abort = new AbortController();

  constructor(
    private readonly logger: Logger,
    private readonly concurrency = 4,
  ) {}

  get size(): number {
    return this.#waiting.length + this.#running.size;
  }

  enqueue(job: Job): void {
    if (this.#ids.has(job.id)) {
      this.logger.warn({ jobId: job.id }, "job_duplicate_dropped");
      return;
    }
    this.#ids.add(job.id);
    this.#waiting.push(job);
    this.#pump();
  }

  #pump(): void {
    while (this.#running.size < this.concurrency && this.#waiting.length > 0) {
      const job = this.#waiting.shift()!;
      const run = job
        .run(this.#abort.signal)
        .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id }, "job_failed"))
        .finally(() => {
          this.#running.delete(job.id);
          this.#ids.delete(job.id);
          this.#pump();
        });
      this.#running.set(job.id, run);
    }
  }

  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.#running.values()]),
        new Promise((r) => setTimeout(r, Math.max(1, Math.min(200, deadline - Date.now())))),
      ]);
    }
    if (this.size > 0) {
      this.logger.warn({ left: this.size }, "job_queue_drain_timeout");
      this.#abort.abort();
    }
  }
}
