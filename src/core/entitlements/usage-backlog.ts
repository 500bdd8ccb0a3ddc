import type { Logger } from "../ports/logger.ts";
import type { IdentityInput, Store } from "../ports/store.ts";

interface PendingUsage {
  identity: IdentityInput;
  at: Date;
  attempts: number;
}

/**
 * Searches that ran while the store was unreachable (fail open). Their usage is kept here and written
 * when the store answers again, so it is retried, never silently lost. In-process: a restart loses the
 * backlog, which is logged with its size at shutdown.
 */
export class UsageBacklog {
  readonly #items: PendingUsage[] = [];
  #flushing = false;

  constructor(private readonly maxItems = 10_000) {}

  get size(): number {
    return this.#items.length;
  }

  add(identity: IdentityInput, at: Date): void {
    if (this.#items.length >= this.maxItems) this.#items.shift();
    this.#items.push({ identity, at, attempts: 0 });
  }

  /** Writes what it can; items that fail again stay for the next flush. Returns how many were written. */
  async flush(store: Store, logger: Logger): Promise<number> {
    if (this.#flushing || this.#items.length === 0) return 0;
    this.#flushing = true;
    let written = 0;
    try {
      while (this.#items.length > 0) {
        const item = this.#items[0]!;
        try {
          const accountId = await store.resolveIdentity(item.identity, item.at);
          // history 0: this search already ran, only its usage is being recorded.
          await store.consumeSearch(accountId, 0, item.at);
          this.#items.shift();
          written++;
        } catch (error) {
          item.attempts++;
          logger.warn({ err: error, pending: this.#items.length }, "usage_backlog_flush_failed");
          break;
        }
      }
    } finally {
      this.#flushing = false;
    }
    if (written > 0) logger.info({ written, pending: this.#items.length }, "usage_backlog_flushed");
    return written;
  }
}
