/**
 * The cheapest plan that would allow what an alert refusal needed (more alerts, or instant delivery),
 * with the same preferences as `suggestUpgrade`: by rank then price, the account's own kind (team or
 * individual) first. Reads the capabilities from the `plans` rows (0011), never from names.
 */
import type { Plan } from "../ports/store.ts";

export type AlertNeed = { kind: "alerts"; count: number } | { kind: "instant" };

export function suggestAlertUpgrade(
  plans: Plan[],
  current: Plan,
  need: AlertNeed,
  isTeam = false,
): Plan | null {
  const fits = (p: Plan): boolean =>
    p.id !== "free_trial" &&
    p.id !== current.id &&
    (need.kind === "alerts" ? (p.alertsLimit ?? 0) > need.count : p.instantAlerts === true);
  const candidates = plans
    .filter(fits)
    .sort((a, b) => a.rank - b.rank || (a.priceCents ?? 0) - (b.priceCents ?? 0));
  return candidates.find((p) => p.team === isTeam) ?? candidates[0] ?? null;
}
