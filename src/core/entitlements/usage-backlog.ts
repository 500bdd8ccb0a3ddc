import type { Logger } from "../ports/logger.ts";
import type { IdentityInput, Store } from "../ports/store.ts";

export interface PendingUsage {
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

  constructor(
    private readonly maxItems = 10_000,
    private readonly maxAttempts = 20,
  ) {}

  get size(): number {
    return this.#items.length;
  }

  /** Queues one search's usage. When full, the oldest entry is dropped and returned (caller logs it). */
  add(identity: IdentityInput, at: Date): PendingUsage | null {
    const dropped = this.#items.length >= this.maxItems ? this.#items.shift()! : null;
    this.#items.push({ identity, at, attempts: 0 });
    return dropped;
  }

  /** The entry just added by `add` (to cancel it if the search does not run). */
  get last(): PendingUsage | null {
    return this.#items.at(-1) ?? null;
  }

  /** Removes a queued entry (its search turned out not to run); false when it was already written or dropped. */
  cancel(entry: PendingUsage): boolean {
    const index = this.#items.indexOf(entry);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }

  /**
   * Writes what it can, oldest first. A failure moves that entry to the back (so one bad entry cannot block
   * the others) and ends this round; after `maxAttempts` failures an entry is dropped and logged
   * (`usage_backlog_dropped`). Returns how many were written.
   */
  async flush(store: Store, logger: Logger): Promise<number> {
    if (this.#flushing || this.#items.length === 0) return 0;
    this.#flushing = true;
    let written = 0;
    try {
      let budget = this.#items.length;
      while (budget-- > 0 && this.#items.length > 0) {
        const item = this.#items.shift()!;
        try {
          const accountId = await store.resolveIdentity(item.identity, item.at);
          // history 0: this search already ran, only its usage is being recorded.
          await store.consumeSearch(accountId, 0, item.at, item.identity.teamId);
          written++;
        } catch (error) {
          item.attempts++;
          if (item.attempts >= this.maxAttempts) {
            logger.error({ err: error, identity: item.identity, at: item.at }, "usage_backlog_dropped");
          } else {
            this.#items.push(item);
            logger.warn({ err: error, pending: this.#items.length }, "usage_backlog_flush_failed");
          }
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
