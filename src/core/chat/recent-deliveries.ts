import { BoundedLru } from "../entitlements/bounded-lru.ts";

/**
 * Delivery ids this process has already accepted, checked before `claim_event`: when the store is
 * unreachable the claim cannot answer, and platform retries or duplicate updates would otherwise each run
 * a search. Bounded (10,000 ids, 24 h by default; platforms redeliver within minutes to hours), so the
 * store's `claim_event` stays the authority across processes and restarts.
 */
export class RecentDeliveries {
  readonly #seen: BoundedLru<true>;

  constructor(options: { maxEntries?: number; ttlMs?: number } = {}) {
    this.#seen = new BoundedLru(options.maxEntries ?? 10_000, options.ttlMs ?? 86_400_000);
  }

  /** true the first time `(source, id)` is seen within the TTL (and records it); false for a repeat. */
  firstSeen(source: string, id: string, now: Date): boolean {
    const key = `${source}\u0000${id}`;
    if (this.#seen.get(key, now)) return false;
    this.#seen.set(key, true, now);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}
