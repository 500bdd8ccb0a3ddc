/**
 * The low-cardinality label values the core puts on metrics (`Metrics` port): a search's size bucket,
 * where its answer came from, and a plan's price tier. Pure, so the alert rules in
 * docs/prometheus-alerts.yml can rely on exactly these values.
 */
import type { Plan } from "./ports/store.ts";
import type { SearchQuery } from "./search-query.ts";
import { inclusiveDays } from "./time.ts";

/** Search size buckets by UF-days (UFs × days; no UF = all 27). */
export type SizeBucket = "xs" | "s" | "m" | "l" | "xl";

/**
 * UF-days → bucket. The limits are the monitoring specification's baselines: light 1 UF × 7 days (xs ≤ 7),
 * medium 3 × 30 (s ≤ 90), heavy 5 × 90 (m ≤ 450); l ≤ 27 × 90 (national quarter); xl beyond.
 */
export function searchSize(query: Pick<SearchQuery, "ufs" | "from" | "to">): SizeBucket {
  const ufs = query.ufs.length === 0 ? 27 : query.ufs.length;
  const days = Math.max(1, inclusiveDays(query.from, query.to) || 1);
  const ufDays = ufs * days;
  if (ufDays <= 7) return "xs";
  if (ufDays <= 90) return "s";
  if (ufDays <= 450) return "m";
  if (ufDays <= 27 * 90) return "l";
  return "xl";
}

/** Which source answered: the index alone, PNCP live alone, or both (by windows; none counted = live). */
export function searchSource(
  windows: { index: number; live: number } | undefined,
): "index" | "live" | "mixed" {
  if (!windows || windows.index === 0) return "live";
  return windows.live === 0 ? "index" : "mixed";
}

/** A plan's price tier: the trial has no price, free costs 0, everything else is paid. */
export function planTier(plan: Pick<Plan, "priceCents">): "trial" | "free" | "paid" {
  if (plan.priceCents === null) return "trial";
  return plan.priceCents === 0 ? "free" : "paid";
}
