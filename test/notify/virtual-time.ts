/**
 * A virtual clock for the outbox tests: `sleep` registers a wake-up, `run(task)` lets every promise settle
 * and then jumps the clock to the earliest sleeper, until the task finishes. No real time passes.
 */
import { FixedClock } from "../../src/core/ports/clock.ts";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualTime {
  readonly clock: FixedClock;
  readonly #sleepers: { at: number; seq: number; resolve: () => void }[] = [];
  #seq = 0;

  constructor(start: Date | string) {
    this.clock = new FixedClock(start);
  }

  now(): number {
    return this.clock.now().getTime();
  }

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.#sleepers.push({ at: this.now() + Math.max(0, ms), seq: this.#seq++, resolve });
    });

  /** Moves the clock forward by `ms`, waking sleepers on the way in order. */
  async advance(ms: number): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      await this.#settle();
      const next = this.#next();
      if (!next || next.at > until) break;
      this.#wake(next);
    }
    this.clock.set(new Date(until));
    await this.#settle();
  }

  /** Runs `task` to completion on virtual time. */
  async run<T>(task: Promise<T>): Promise<T> {
    let done = false;
    const watched = task.finally(() => {
      done = true;
    });
    watched.catch(() => {});
    for (;;) {
      await this.#settle();
      if (done) return watched;
      const next = this.#next();
      if (!next) {
        // Not asleep and not done: real I/O (a database) is in progress. Give it time.
        await new Promise((r) => setTimeout(r, 1));
        continue;
      }
      this.#wake(next);
    }
  }

  #next() {
    return [...this.#sleepers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }

  #wake(sleeper: { at: number; seq: number; resolve: () => void }): void {
    this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
    if (sleeper.at > this.now()) this.clock.set(new Date(sleeper.at));
    sleeper.resolve();
  }

  async #settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await turn();
  }
}
