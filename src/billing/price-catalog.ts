import type Stripe from "stripe";
import type { BillingInterval } from "../core/ports/billing.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { PlanId } from "../core/ports/store.ts";

/**
 * Which Stripe price sells which plan. Prices are found by lookup key (`<plan id>_monthly`,
 * `<plan id>_yearly`, as `smart-pncp billing setup` creates them) unless `STRIPE_PRICE_<PLAN>[_YEARLY]`
 * names a price id. The reverse (a subscription's price → our plan) also reads the price's lookup key and
 * `metadata.plan_id`, so a plan changed in the customer portal maps back. Lookups are cached for
 * `ttlMs` (a price list call per checkout would add latency for nothing).
 */

export const PLAN_IDS: readonly PlanId[] = ["consultor_agil", "maquina", "sala_guerra"];
const INTERVALS: readonly BillingInterval[] = ["monthly", "yearly"];

/** `maquina_monthly`. */
export function lookupKey(planId: string, interval: BillingInterval): string {
  return `${planId}_${interval}`;
}

/** The plan and interval a lookup key names, or null. */
export function parseLookupKey(
  key: string | null | undefined,
): { planId: PlanId; interval: BillingInterval } | null {
  if (!key) return null;
  for (const planId of PLAN_IDS) {
    for (const interval of INTERVALS) if (key === lookupKey(planId, interval)) return { planId, interval };
  }
  return null;
}

export interface PriceCatalogOptions {
  /** `<plan>_<interval>` → price id, from STRIPE_PRICE_* variables. */
  overrides?: Readonly<Record<string, string>>;
  ttlMs?: number;
  now?: () => number;
  logger?: Logger;
}

interface Loaded {
  at: number;
  /** `<plan>_<interval>` → price id. */
  byKey: Map<string, string>;
}

export class PriceCatalog {
  readonly #stripe: Stripe;
  readonly #overrides: Readonly<Record<string, string>>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #loaded: Loaded | null = null;
  #loading: Promise<Loaded> | null = null;

  constructor(stripe: Stripe, options: PriceCatalogOptions = {}) {
    this.#stripe = stripe;
    this.#overrides = options.overrides ?? {};
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  async #load(): Promise<Loaded> {
    const now = this.#now();
    if (this.#loaded && now - this.#loaded.at < this.#ttlMs) return this.#loaded;
    this.#loading ??= (async () => {
      try {
        const keys = PLAN_IDS.flatMap((p) => INTERVALS.map((i) => lookupKey(p, i))).filter(
          (key) => this.#overrides[key] === undefined,
        );
        const byKey = new Map<string, string>(Object.entries(this.#overrides));
        if (keys.length > 0) {
          const list = await this.#stripe.prices.list({ lookup_keys: keys, active: true, limit: 100 });
          for (const price of list.data) if (price.lookup_key) byKey.set(price.lookup_key, price.id);
        }
        this.#loaded = { at: this.#now(), byKey };
        return this.#loaded;
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** The price id selling `planId` at `interval`, or null when there is none. */
  async priceFor(planId: PlanId, interval: BillingInterval): Promise<string | null> {
    return (await this.#load()).byKey.get(lookupKey(planId, interval)) ?? null;
  }

  /** Intervals with a price, per plan (monthly first). */
  async offers(): Promise<Map<PlanId, BillingInterval[]>> {
    const { byKey } = await this.#load();
    const offers = new Map<PlanId, BillingInterval[]>();
    for (const planId of PLAN_IDS) {
      const intervals = INTERVALS.filter((i) => byKey.has(lookupKey(planId, i)));
      if (intervals.length > 0) offers.set(planId, intervals);
    }
    return offers;
  }

  /**
   * Our plan for a subscription's price: the configured/looked-up id, else the price's lookup key, else
   * `metadata.plan_id` on the price or its (expanded) product. Null when it sells none of our plans.
   */
  async planOfPrice(price: Stripe.Price | null | undefined): Promise<PlanId | null> {
    if (!price) return null;
    const { byKey } = await this.#load();
    for (const [key, id] of byKey) if (id === price.id) return parseLookupKey(key)?.planId ?? null;
    const fromKey = parseLookupKey(price.lookup_key);
    if (fromKey) return fromKey.planId;
    const product =
      typeof price.product === "object" &&
      price.product &&
      !("deleted" in price.product && price.product.deleted)
        ? (price.product as Stripe.Product)
        : null;
    const meta = price.metadata?.plan_id ?? product?.metadata?.plan_id;
    return PLAN_IDS.includes(meta as PlanId) ? (meta as PlanId) : null;
  }
}
