/**
 * Circuit breaker so a PNCP that is down is not hammered (PNCP has whole afternoons where most calls
 * fail: shared/reference/PNCP-API.md §A5 "Bad days").
 *
 * closed → (`failureThreshold` consecutive failures) → open → (`cooldownMs`) → half-open: exactly one
 * probe goes out while the others wait for its outcome; success closes the circuit, failure re-opens it.
 * It lives as long as the client, so a search started while PNCP is known to be down fails fast too.
 */

/** Breaker state, for logs and tests. */
export type BreakerState = "closed" | "open" | "half_open";

/** Settings; `now` is injectable for tests. */
export interface CircuitBreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
  now?: () => number;
  /** Called when the circuit opens (for the `pncp_circuit_open` log). */
  onOpen?: (consecutiveFailures: number) => void;
}

/** What a permitted request turned out to be. `neutral` = says nothing about PNCP's health (429, abort). */
export type BreakerOutcome = "success" | "failure" | "neutral";

/** Guards calls to one dependency. Every `acquire()` that returned true must be followed by `record()`. */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  readonly #onOpen: ((failures: number) => void) | undefined;
  #state: BreakerState = "closed";
  #failures = 0;
  #openedAt = 0;
  #probe: { done: Promise<void>; finish: () => void } | null = null;

  constructor(options: CircuitBreakerOptions) {
    this.#threshold = Math.max(1, options.failureThreshold);
    this.#cooldownMs = Math.max(0, options.cooldownMs);
    this.#now = options.now ?? Date.now;
    this.#onOpen = options.onOpen;
  }

  /** Current state; an open circuit whose cooldown has elapsed still reads "open" until the next acquire. */
  get state(): BreakerState {
    return this.#state;
  }

  /** True while requests would be refused without waiting. */
  isOpen(): boolean {
    return this.#state === "open" && this.#now() - this.#openedAt < this.#cooldownMs;
  }

  /** Resolves true when the call may go out, false when the circuit is open (fail fast). */
  async acquire(): Promise<boolean> {
    for (;;) {
      if (this.#state === "closed") return true;
      if (this.#state === "open") {
        if (this.#now() - this.#openedAt < this.#cooldownMs) return false;
        this.#state = "half_open";
        let finish = () => {};
        const done = new Promise<void>((resolve) => {
          finish = resolve;
        });
        this.#probe = { done, finish };
        return true;
      }
      // half-open: wait for the probe, then look again.
      await this.#probe?.done;
    }
  }

  /** Reports the outcome of a call that `acquire()` let through. */
  record(outcome: BreakerOutcome): void {
    if (outcome === "success") {
      this.#failures = 0;
      if (this.#state !== "closed") this.#settle("closed");
      return;
    }
    if (outcome === "neutral") {
      // A half-open probe that proved nothing: back to open with the cooldown already elapsed, so the
      // next acquire sends a new probe.
      if (this.#state === "half_open") this.#settle("open");
      return;
    }
    this.#failures++;
    if (this.#state === "half_open" || (this.#state === "closed" && this.#failures >= this.#threshold)) {
      this.#openedAt = this.#now();
      this.#settle("open");
      this.#onOpen?.(this.#failures);
    }
  }

  #settle(state: BreakerState): void {
    this.#state = state;
    const probe = this.#probe;
    this.#probe = null;
    probe?.finish();
  }
}
