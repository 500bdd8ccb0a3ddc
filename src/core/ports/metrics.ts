/** Named counters (`quota_check_error`, `rate_limit_fallback`, `search_completed`…), exposed on /health. */
export class Counters {
  readonly #values = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.#values.set(name, (this.#values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.#values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#values);
  }
}
