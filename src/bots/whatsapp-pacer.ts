/**
 * Per-recipient pacing for WhatsApp's pair rate limit (about one message per 6 s to the same user; error
 * 131056 past it: https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput).
 * Sends to one recipient run one at a time, in order, each starting at least `minIntervalMs` after the
 * previous one was answered; different recipients never wait for each other.
 */
export interface PacerOptions {
  minIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class Pacer {
  readonly minIntervalMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #tails = new Map<string, Promise<void>>();
  readonly #last = new Map<string, number>();

  constructor(options: PacerOptions) {
    this.minIntervalMs = Math.max(0, options.minIntervalMs);
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  }

  /**
   * Queues `send` for `recipient`. `send` resolves true when it sent a message and false when it decided
   * not to (the slot is then not used); a throw counts as sent, since the request may have arrived.
   */
  run(recipient: string, send: () => Promise<boolean>): Promise<void> {
    const previous = this.#tails.get(recipient) ?? Promise.resolve();
    const mine = previous.then(async () => {
      // Re-check after sleeping: timers may fire a millisecond early by the wall clock.
      for (;;) {
        const last = this.#last.get(recipient);
        const wait = last === undefined ? 0 : last + this.minIntervalMs - this.#now();
        if (wait <= 0) break;
        await this.#sleep(wait);
      }
      let sent = true;
      try {
        sent = await send();
      } finally {
        if (sent) this.#remember(recipient);
      }
    });
    const tail = mine.catch(() => {});
    this.#tails.set(recipient, tail);
    void tail.then(() => {
      if (this.#tails.get(recipient) === tail) this.#tails.delete(recipient);
    });
    return mine;
  }

  /** Resolves when every queued send has finished. */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
  }

  #remember(recipient: string): void {
    const now = this.#now();
    this.#last.set(recipient, now);
    // Forget recipients whose interval is long over, so the map stays as small as the active conversations.
    if (this.#last.size > 1000) {
      for (const [key, at] of this.#last) if (now - at > this.minIntervalMs) this.#last.delete(key);
    }
  }
}
