/**
 * The one per-process budget of requests in flight to PNCP, shared by live searches and the sync worker,
 * with an adaptive width (AIMD, as TCP congestion control, RFC 5681): it grows while pages succeed and
 * halves on a 429 or 5xx, never above `ceiling` (`PNCP_CONCURRENCY`) nor below 1.
 *
 * - **Slow start**: below `threshold` every success adds one slot, so the width doubles per round trip.
 * - **Halving from what was in flight**: an overload halves the number of requests actually in flight when
 *   it came back (RFC 5681's FlightSize), not the width, so a width that demand never filled is not
 *   mistaken for the one that failed.
 * - **One burst, one signal**: only a permit granted at the current width can halve it. The other refusals
 *   of requests sent before the halving are the same overload; instead of halving again they tell how many
 *   of the requests that were in flight PNCP refused, so `threshold` becomes what it accepted (in flight −
 *   refused, at least the halved width). Against a gateway allowing 10 in flight, the first overshoot
 *   learns "10" at once and the next slow start climbs straight back to it, instead of walking down one
 *   slot per halving from the first width that failed.
 * - **Probing**: at the width just under the one that failed, the width grows by one only after
 *   `probeRounds` full rounds of successes (4 after a first failure); each failed probe at the same width
 *   doubles it (to 64), a probe that holds for a round resets it. A probe refused by just its extra slot
 *   goes back to the width under it instead of halving (the 429 answered the probe's question); a second
 *   refusal of the same burst means the allowance fell, and it becomes a real halving. So a stable
 *   allowance (PNCP's ~10 in flight) costs one 429 every ~64 rounds (~90 s at 1.4 s per page) and no
 *   round at half width, instead of a sawtooth between 5 and 10.
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

/** The overload that closed generation `generation`: what was in flight then and how much PNCP refused. */
interface Burst {
  generation: number;
  flight: number;
  refused: number;
  /** Floor of the estimate: the halved width. */
  floor: number;
  /** A probe one slot above the learned allowance failed: back to it, not halved, unless more is refused. */
  probe: boolean;
  /** `failedAt` and `probeRounds` before this burst, to tell a repeated failed probe from a new width. */
  previousFailedAt: number | null;
  previousProbeRounds: number;
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
  #probeBackoffs = 0;
  #burst: Burst | null = null;

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

  /** Failed probes that went back to the learned allowance without halving. */
  get probeBackoffs(): number {
    return this.#probeBackoffs;
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
        const flight = this.#active;
        this.#active--;
        if (generation === this.#generation) {
          if (signal === "success") this.#grow();
          else if (signal === "overload") this.#halve(flight);
        } else if (signal === "overload" && this.#burst?.generation === generation) {
          this.#burst.refused++;
          this.#learn(this.#burst);
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

  /** First overload of the current generation, `flight` permits in flight (this one included). */
  #halve(flight: number): void {
    const inFlight = Math.min(flight, this.#limit);
    const halved = Math.max(1, Math.floor(inFlight / 2));
    const probe = this.#failedAt !== null && this.#limit >= this.#failedAt && this.#limit > 1;
    this.#burst = {
      generation: this.#generation,
      flight: inFlight,
      refused: 1,
      floor: halved,
      probe,
      previousFailedAt: this.#failedAt,
      previousProbeRounds: this.#probeRounds,
    };
    this.#successes = 0;
    this.#generation++;
    if (probe) {
      // The 429 answered the probe's question: the width just under it is still the allowance.
      this.#probeBackoffs++;
      this.#set(this.#limit - 1, "halve");
    } else {
      this.#overloads++;
      this.#set(halved, "halve");
    }
    this.#learn(this.#burst);
  }

  /** Sets `threshold` to what PNCP accepted of the burst, and the width just above it as the failed one. */
  #learn(burst: Burst): void {
    if (burst.probe && burst.refused > 1) {
      // More than the probe's extra slot was refused: the allowance fell, so this is a real overload.
      burst.probe = false;
      this.#probeBackoffs--;
      this.#overloads++;
      if (this.#limit > burst.floor) this.#set(burst.floor, "halve");
    }
    const accepted = Math.max(burst.floor, burst.flight - burst.refused);
    this.#threshold = accepted;
    const failed = accepted + 1;
    this.#probeRounds =
      burst.previousFailedAt === failed
        ? Math.min(this.#maxProbeRounds, burst.previousProbeRounds * 2)
        : Math.min(this.#maxProbeRounds, 4);
    this.#failedAt = failed;
    // A late refusal of the burst after the next slow start already passed what PNCP accepted.
    if (this.#limit > accepted) this.#set(accepted, "halve");
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
