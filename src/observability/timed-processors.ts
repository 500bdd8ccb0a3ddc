/**
 * `job_duration_seconds{kind, result}` for every job kind, whichever queue runs it (in-process or a
 * BullMQ worker): the processors registry wraps each processor's `run` at registration. `result` is `ok`,
 * `retry` (a transient failure handed back with `RetryLaterError`) or `error`.
 */
import { type JobProcessor, JobProcessors, RetryLaterError } from "../core/ports/job-queue.ts";
import type { Metrics } from "../core/ports/metrics.ts";

/** Wraps `processor.run` to observe its duration. */
export function timedProcessor(kind: string, processor: JobProcessor, metrics: Metrics): JobProcessor {
  return {
    ...processor,
    async run(data, ctx) {
      const started = performance.now();
      let result = "ok";
      try {
        await processor.run(data, ctx);
      } catch (error) {
        result = error instanceof RetryLaterError ? "retry" : "error";
        throw error;
      } finally {
        metrics.observe("job_duration_seconds", (performance.now() - started) / 1000, { kind, result });
      }
    },
  };
}

/** A `JobProcessors` whose processors are timed. */
export class TimedJobProcessors extends JobProcessors {
  readonly #metrics: Metrics;

  constructor(metrics: Metrics) {
    super();
    this.#metrics = metrics;
  }

  override register(kind: string, processor: JobProcessor): this {
    return super.register(kind, timedProcessor(kind, processor, this.#metrics));
  }
}
