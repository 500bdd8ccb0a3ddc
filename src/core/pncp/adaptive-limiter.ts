/**
 * The one per-process budget of requests in flight to PNCP, shared by live searches and the sync worker,
 * with an adaptive width (AIMD, as TCP congestion control): it grows while pages succeed and halves on a
 * 429 or 5xx, never above `ceiling` (`PNCP_CONCURRENCY`) nor below 1.
 *
 * - **Slow start**: below `threshold` every success adds one slot, so the width doubles per round trip.
 * - **Halving**: an overload halves the width and sets `threshold` just under the width that failed, so
 *   the next slow start climbs straight back to the last good width. Only permits granted at the current
 *   width can trigger it: the other requests that were already in flight when PNCP pushed back are the same
 *   overload, not a new one (one halving per round trip, like TCP's one reduction per window).
 * - **Probing**: at the width that last failed minus one, the width grows by one only after `probeRounds`
 *   full rounds of successes (4 after a first failure); each failed probe at the same width doubles it (to
 *   64), a probe that holds for a round resets it. A halving costs about one round at half width plus the
 *   429 pause, so a stable allowance (PNCP's ~10 in flight) ends up costing one 429 every ~64 rounds
 *   (~90 s at 1.4 s per page) instead of a sawtooth between 5 and 10.
 * - **Priorities**: waiters are FIFO within a priority; `interactive` (a user's search) goes before
 *   `background` (the sync), so a long backfill never makes a chat answer wait behind it.
 */

/** What an attempt told us about PNCP's load. `neutral`: nothing (timeouts, aborts, bad bodies). */
export type LoadSignal = "success" | "overload" | "neutral";

/** Who is waiting: a user (`interactive`) or the sync (`background`). */
export type Priority = "interactive" | "background";

/** A granted slot. `release` once with what the attempt showed; further calls are no-ops. */
export interface Permit {
  release(signal: LoadSignal): void;
}

/** Settings of `AdaptiveLimiter`. */
export interface AdaptiveLimiterOptions {
  /** Highest width (`PNCP_CONCURRENCY`). */
  ceiling: number;
  /** Starting width; default min(ceiling, 4). */
  initial?: number;
  /** Most rounds at the last failed width − 1 before probing again. Default 64. */
  maxProbeRounds?: number;
  /** Called when the width changes (logs, benchmarks). */
  onChange?: (limit: number, reason: "grow" | "halve") => void;
}

interface Waiter {
  grant: (permit: Permit) => void;
}

/** Adaptive counting limiter; see the file comment. */
export class AdaptiveLimiter {
  readonly ceiling: number;
  readonly #maxProbeRounds: number;
  readonly #onChange: AdaptiveLimiterOptions["onChange"];
  #limit: number;
  #threshold: number;
  /** Width that last overloaded PNCP; growing to it is a probe. */
  #failedAt: number | null = null;
  #probeRounds = 1;
  #successes = 0;
  #generation = 0;
  #active = 0;
  readonly #queues: Record<Priority, Waiter[]> = { interactive: [], background: [] };
  #overloads = 0;

  constructor(options: AdaptiveLimiterOptions) {
    if (!Number.isInteger(options.ceiling) || options.ceiling < 1)
      throw new RangeError(`limiter ceiling must be ≥ 1, got ${options.ceiling}`);
    this.ceiling = options.ceiling;
    this.#limit = clamp(Math.floor(options.initial ?? 4), 1, this.ceiling);
    this.#threshold = this.ceiling;
    this.#maxProbeRounds = Math.max(1, options.maxProbeRounds ?? 64);
    this.#onChange = options.onChange;
  }

  /** Current width. */
  get limit(): number {
    return this.#limit;
  }

  /** Permits held right now. */
  get active(): number {
    return this.#active;
  }

  /** Waiters right now (both priorities). */
  get pending(): number {
    return this.#queues.interactive.length + this.#queues.background.length;
  }

  /** Overloads that halved the width so far. */
  get halvings(): number {
    return this.#overloads;
  }

  /** Resolves with a permit once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal, priority: Priority = "interactive"): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.#limit && this.pending === 0) {
      this.#active++;
      return Promise.resolve(this.#permit());
    }
    const queue = this.#queues[priority];
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
        // A waiter that left may have been blocking others behind a freed slot.
        this.#drain();
      };
      const waiter: Waiter = {
        grant: (permit) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(permit);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(waiter);
    });
  }

  #permit(): Permit {
    const generation = this.#generation;
    let released = false;
    return {
      release: (signal) => {
        if (released) return;
        released = true;
        this.#active--;
        if (generation === this.#generation) {
          if (signal === "success") this.#grow();
          else if (signal === "overload") this.#halve();
        }
        this.#drain();
      },
    };
  }

  #grow(): void {
    if (this.#limit >= this.ceiling) return;
    if (this.#limit < this.#threshold) {
      this.#set(this.#limit + 1, "grow");
      return;
    }
    this.#successes++;
    if (this.#failedAt !== null && this.#limit >= this.#failedAt) {
      // The probe held for a whole round: the width that failed before is good now.
      if (this.#successes >= this.#limit) {
        this.#failedAt = null;
        this.#probeRounds = 1;
        this.#successes = 0;
      }
      return;
    }
    const probing = this.#failedAt !== null && this.#limit + 1 >= this.#failedAt;
    if (this.#successes < this.#limit * (probing ? this.#probeRounds : 1)) return;
    this.#successes = 0;
    this.#set(this.#limit + 1, "grow");
  }

  #halve(): void {
    const failed = this.#limit;
    this.#probeRounds =
      this.#failedAt === failed
        ? Math.min(this.#maxProbeRounds, this.#probeRounds * 2)
        : Math.min(this.#maxProbeRounds, 4);
    this.#failedAt = failed;
    this.#threshold = Math.max(1, failed - 1);
    this.#successes = 0;
    this.#overloads++;
    this.#generation++;
    this.#set(Math.max(1, Math.floor(failed / 2)), "halve");
  }

  #set(limit: number, reason: "grow" | "halve"): void {
    if (limit === this.#limit) return;
    this.#limit = limit;
    this.#onChange?.(limit, reason);
  }

  #drain(): void {
    while (this.#active < this.#limit) {
      const next = this.#queues.interactive.shift() ?? this.#queues.background.shift();
      if (!next) return;
      this.#active++;
      next.grant(this.#permit());
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
