/**
 * The invariant counters exist at 0 from the start, one series per plan: Prometheus' `increase()` cannot
 * see a series' first increment when the series is born at 1, so a counter created lazily by its first
 * violation would never fire a rate-based alert. Plans come from the store (never hard-coded).
 */
import { planTier } from "../core/metric-labels.ts";
import type { Metrics } from "../core/ports/metrics.ts";
import type { Plan } from "../core/ports/store.ts";

/** Reasons a search with results may end without its Excel (see `excel_blocked` in search-command.ts). */
const BLOCK_REASONS = ["plan", "build_failed", "send_failed", "full_set_failed"] as const;

/** Creates every plan's invariant series at 0 (`inc` by 0). */
export function zeroInvariantSeries(metrics: Metrics, plans: readonly Plan[]): void {
  for (const plan of plans) {
    const tier = planTier(plan);
    metrics.inc("excel_generated", { plan: plan.id, tier }, 0);
    metrics.inc("trial_not_enforced", { plan: plan.id }, 0);
    for (const reason of BLOCK_REASONS) {
      metrics.inc("excel_blocked", { plan: plan.id, tier, plan_excel: plan.excel, reason }, 0);
    }
  }
}
