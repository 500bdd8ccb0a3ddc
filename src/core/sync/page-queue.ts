/**
 * Which page the next free sync worker fetches. Tasks are opened in plan order (incremental windows,
 * `/atualizacao`, then backfill newest first); the pages of an opened task go before any later task's, so
 * a window is finished before far older ones start while several small windows still overlap. Pure
 * bookkeeping: the round (`run-sync-round.ts`) does the I/O and reports back.
 */
import type { WindowTask } from "./sync-plan.ts";

/** A publication window, or one modalidade of `/atualizacao` over a day range. */
export type SyncTask =
  | ({ kind: "window" } & WindowTask)
  | { kind: "updates"; modalidade: number; from: string; to: string };

/** One page to fetch. `first`: a page 1 whose answer sizes the task (more pages follow). */
export interface PageJob {
  task: number;
  page: number;
  first: boolean;
}

interface TaskState {
  pending: number[];
  inFlight: number;
  opened: boolean;
  failed: boolean;
  /** Passes started (page 1 fetched) this round. */
  passes: number;
}

/** Most passes over one window per round (a window whose page count keeps changing). */
export const MAX_PASSES = 3;

export class PageQueue {
  readonly tasks: readonly SyncTask[];
  readonly #states: TaskState[];
  #cursor = 0;

  constructor(tasks: readonly SyncTask[]) {
    this.tasks = tasks;
    this.#states = tasks.map(() => ({ pending: [], inFlight: 0, opened: false, failed: false, passes: 0 }));
  }

  /** The next job, or null when nothing can start now (see `idle`). */
  next(): PageJob | null {
    for (let i = 0; i < this.#cursor; i++) {
      const state = this.#states[i]!;
      const page = state.pending.shift();
      if (page !== undefined) return this.#start(i, page, false);
    }
    while (this.#cursor < this.tasks.length) {
      const index = this.#cursor++;
      const task = this.tasks[index]!;
      const state = this.#states[index]!;
      state.opened = true;
      if (task.kind === "window" && task.resumePages !== null) {
        if (task.resumePages.length === 0) continue;
        state.pending = task.resumePages.slice(1);
        return this.#start(index, task.resumePages[0]!, false);
      }
      state.passes = 1;
      return this.#start(index, 1, true);
    }
    return null;
  }

  /** True when no job is in flight (with `next()` null: the round is done). */
  get idle(): boolean {
    return this.#states.every((s) => s.inFlight === 0);
  }

  /** Page 1 answered: queue these further pages of the task. */
  sized(job: PageJob, pages: readonly number[]): void {
    this.#states[job.task]!.pending.push(...pages.filter((p) => p !== 1));
  }

  /** A page ended (stored or failed). Returns true when its task has nothing left in flight or queued. */
  finished(job: PageJob, ok: boolean): boolean {
    const state = this.#states[job.task]!;
    state.inFlight--;
    if (!ok) {
      state.failed = true;
      state.pending = [];
    }
    return state.inFlight === 0 && state.pending.length === 0;
  }

  /**
   * A drained window is still incomplete (its page count changed under us): start another pass with page 1,
   * unless it failed or used up its passes. True when a pass was queued.
   */
  retryPass(task: number): boolean {
    const state = this.#states[task]!;
    if (state.failed || state.passes >= MAX_PASSES) return false;
    state.passes++;
    state.pending.unshift(1);
    return true;
  }

  /** Whether the task's current pending page 1 starts a pass (set by `retryPass`). */
  #start(task: number, page: number, first: boolean): PageJob {
    const state = this.#states[task]!;
    state.inFlight++;
    return { task, page, first: first || (page === 1 && state.passes > 0) };
  }

  /** Tasks never opened (the round stopped early). */
  get unopened(): number {
    return this.tasks.length - this.#cursor;
  }
}
