import type { Logger } from "../ports/logger.ts";
import { MemoryRateLimiter } from "../ports/memory-rate-limiter.ts";
import type { IdentityInput, Plan, Store } from "../ports/store.ts";
import { BoundedLru } from "./bounded-lru.ts";

/** The platform delivery a search came from (`claim_event` source and id). */
export interface Delivery {
  source: string;
  id: string;
  /** Whether `claim_event` already recorded it (true) or could not be asked (false: the store was down). */
  claimed: boolean;
}

export interface PendingUsage {
  identity: IdentityInput;
  at: Date;
  attempts: number;
  delivery?: Delivery;
}

/** What the fail-open path remembers of an identity from its last successful check. */
export interface KnownAccount {
  accountId: string;
  /** The per-minute limiter key in use (`search:<effective account>`), so the window carries over. */
  rateKey: string;
  plan: Plan;
}

/** Result of `UsageBacklog.add`. */
export interface BacklogAdd {
  /** The queued entry (the existing one for a delivery already queued). */
  entry: PendingUsage;
  /** When full, the oldest entry, dropped to make room (the caller logs it). */
  dropped: PendingUsage | null;
  /** The delivery was already queued: nothing new was added. */
  duplicate: boolean;
}

/**
 * What the fail-open path needs while the store is unreachable:
 * - the usage of searches that ran anyway, written when the store answers again (retried, never silently
 *   lost; in-process, so a restart loses it, which is logged with its size at shutdown). Entries are unique
 *   per delivery id, and flushing claims the delivery with `claim_event` first, so a delivery that was
 *   redelivered and charged elsewhere meanwhile is not charged again;
 * - the last known account, plan and limiter key of recent identities, and a memory limiter to fall back
 *   on, so the per-minute limit still holds during the outage.
 */
export class UsageBacklog {
  readonly #items: PendingUsage[] = [];
  readonly #byDelivery = new Map<string, PendingUsage>();
  readonly #known = new BoundedLru<KnownAccount>(10_000, 86_400_000);
  #defaultPlan: Plan | null = null;
  #flushing = false;
  /** Per-minute limiter used when the configured one fails open (its store or Redis is down too). */
  readonly fallbackLimiter = new MemoryRateLimiter();

  constructor(
    private readonly maxItems = 10_000,
    private readonly maxAttempts = 20,
  ) {}

  get size(): number {
    return this.#items.length;
  }

  /**
   * Queues one search's usage, once per delivery: a second `add` for a delivery already queued returns the
   * queued entry with `duplicate: true`. When full, the oldest entry is dropped and returned.
   */
  add(identity: IdentityInput, at: Date, delivery?: Delivery): BacklogAdd {
    const key = delivery ? deliveryKey(delivery) : null;
    const existing = key ? this.#byDelivery.get(key) : undefined;
    if (existing) return { entry: existing, dropped: null, duplicate: true };
    const dropped = this.#items.length >= this.maxItems ? this.#items.shift()! : null;
    if (dropped) this.#forget(dropped);
    const entry: PendingUsage = {
      identity,
      at,
      attempts: 0,
      ...(delivery ? { delivery: { ...delivery } } : {}),
    };
    this.#items.push(entry);
    if (key) this.#byDelivery.set(key, entry);
    return { entry, dropped, duplicate: false };
  }

  /** Whether a delivery's usage is waiting in the backlog. */
  hasDelivery(source: string, id: string): boolean {
    return this.#byDelivery.has(deliveryKey({ source, id }));
  }

  /** The entry added last (kept for callers of the older API; prefer `add(...).entry`). */
  get last(): PendingUsage | null {
    return this.#items.at(-1) ?? null;
  }

  /** Removes a queued entry (its search turned out not to run); false when it was already written or dropped. */
  cancel(entry: PendingUsage): boolean {
    const index = this.#items.indexOf(entry);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    this.#forget(entry);
    return true;
  }

  /** Records what a successful check learnt about `identity` (used only while the store is down). */
  remember(identity: IdentityInput, known: KnownAccount, plans: readonly Plan[], now: Date): void {
    this.#known.set(identityKey(identity), known, now);
    const trial = plans.find((p) => p.trialDays !== null) ?? [...plans].sort((a, b) => a.rank - b.rank)[0];
    if (trial) this.#defaultPlan = trial;
  }

  /** The last known account of `identity`, or null (new, or not seen in the last 24 h by this process). */
  known(identity: IdentityInput, now: Date): KnownAccount | null {
    return this.#known.get(identityKey(identity), now) ?? null;
  }

  /** The plan a first contact gets (the trial), as last read from the catalogue; null if never read. */
  get defaultPlan(): Plan | null {
    return this.#defaultPlan;
  }

  /**
   * Writes what it can, oldest first. A failure moves that entry to the back (so one bad entry cannot block
   * the others) and ends this round; after `maxAttempts` failures an entry is dropped and logged
   * (`usage_backlog_dropped`). A delivery not yet claimed is claimed first; when `claim_event` says it was
   * already claimed (a redelivery handled elsewhere), the entry is dropped uncharged
   * (`usage_backlog_duplicate`). Returns how many were written.
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
          if (item.delivery && !item.delivery.claimed) {
            const fresh = await store.claimEvent(item.delivery.source, item.delivery.id);
            item.delivery.claimed = true;
            if (!fresh) {
              this.#forget(item);
              logger.info(
                { delivery: item.delivery.id, source: item.delivery.source },
                "usage_backlog_duplicate",
              );
              continue;
            }
          }
          const accountId = await store.resolveIdentity(item.identity, item.at);
          // history 0: this search already ran, only its usage is being recorded.
          await store.consumeSearch(accountId, 0, item.at, item.identity.teamId);
          this.#forget(item);
          written++;
        } catch (error) {
          item.attempts++;
          if (item.attempts >= this.maxAttempts) {
            this.#forget(item);
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

  #forget(entry: PendingUsage): void {
    if (!entry.delivery) return;
    const key = deliveryKey(entry.delivery);
    if (this.#byDelivery.get(key) === entry) this.#byDelivery.delete(key);
  }
}

function deliveryKey(delivery: { source: string; id: string }): string {
  return `${delivery.source}\u0000${delivery.id}`;
}

function identityKey(identity: IdentityInput): string {
  return `${identity.platform}\u0000${identity.userId}\u0000${identity.teamId ?? ""}`;
}
