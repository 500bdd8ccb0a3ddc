/** A unit of background work (a search) started after the platform was acknowledged. */
export interface Job {
  /** Idempotency key, e.g. `slack:<event id>`; a queue must not run two jobs with the same id at once. */
  id: string;
  run(signal: AbortSignal): Promise<void>;
}

/** Port: runs jobs in the background. In-process now; a Redis-backed queue can replace it. */
export interface JobQueue {
  enqueue(job: Job): void;
  /** Jobs queued or running. */
  readonly size: number;
  /** Waits for running jobs to finish (graceful shutdown); rejects nothing. */
  drain(timeoutMs?: number): Promise<void>;
}
