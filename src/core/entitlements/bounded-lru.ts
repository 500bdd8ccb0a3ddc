/**
 * A Map bounded in size and age: the least recently used entry goes first when full, and an entry older
 * than `ttlMs` reads as absent. In-process memory for what must survive a store outage (recent delivery
 * ids, the last known plan of an identity) without growing without bound.
 */
export class BoundedLru<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value under `key` when present and fresher than `ttlMs` at `now` (and marks it recently used). */
  get(key: string, now: Date): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (now.getTime() - entry.at >= this.ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` as of `now`, evicting the least recently used entries beyond `maxEntries`. */
  set(key: string, value: V, now: Date): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: now.getTime() });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
