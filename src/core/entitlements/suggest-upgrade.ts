import type { Plan } from "../ports/store.ts";

/** What a refusal needed, to pick the cheapest plan that would have allowed it. */
export type UpgradeNeed =
  | { kind: "quota"; used: number }
  | { kind: "history"; days: number }
  | { kind: "rate"; perMinute: number }
  | { kind: "excel" }
  | { kind: "paid" };

/**
 * The cheapest plan (by rank, then price) above the current one that satisfies the need. Team plans are
 * offered to individuals only when no individual plan fits; teams are offered their own plans first.
 */
export function suggestUpgrade(plans: Plan[], current: Plan, need: UpgradeNeed, isTeam = false): Plan | null {
  const fits = (p: Plan): boolean => {
    if (p.id === "free_trial") return false;
    switch (need.kind) {
      case "quota":
        return p.searchesPerMonth > need.used && p.searchesPerMonth > current.searchesPerMonth;
      case "history":
        return p.historyDays >= need.days;
      case "rate":
        return p.perMinute > need.perMinute;
      case "excel":
        return p.excel;
      case "paid":
        return true;
    }
  };
  const candidates = plans
    .filter((p) => p.id !== current.id && fits(p))
    .sort((a, b) => a.rank - b.rank || (a.priceCents ?? 0) - (b.priceCents ?? 0));
  const preferred = candidates.filter((p) => p.team === isTeam);
  return preferred[0] ?? candidates[0] ?? null;
}
