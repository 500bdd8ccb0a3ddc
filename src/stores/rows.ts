import type {
  AccountStatus,
  ConsumeResult,
  Plan,
  PlanId,
  RefusalReason,
  SearchLogEntry,
} from "../core/ports/store.ts";
import type { Row } from "./sql-executor.ts";

// node-postgres and PGlite give Dates and numbers; PostgREST gives ISO strings and JSON numbers.
// These mappers accept both so every store returns identical values.

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp from store: ${String(value)}`);
  return date;
}

function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** A timestamp from any store, or null when absent or unreadable (optional columns). */
export function instantOrNull(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A text column, or null when absent. */
export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A `plans` row (or the plan columns of `account_status`, prefixed by `prefix`) as a `Plan`. */
export function toPlan(row: Row, prefix: "" | "plan_" = ""): Plan {
  return {
    id: row[prefix === "" ? "id" : "plan_id"] as PlanId,
    name: String(row[prefix === "" ? "name" : "plan_name"]),
    priceCents: toNumberOrNull(row.price_cents),
    searchesPerMonth: Number(row.searches_per_month),
    historyDays: Number(row.history_days),
    excel: Boolean(row.excel),
    perMinute: Number(row.per_minute),
    team: Boolean(row.team),
    trialDays: toNumberOrNull(row.trial_days),
    rank: Number(row.rank),
    ...(row.alerts_limit === undefined ? {} : { alertsLimit: Number(row.alerts_limit) }),
    ...(row.instant_alerts === undefined ? {} : { instantAlerts: Boolean(row.instant_alerts) }),
  };
}

/** A `consume_search` row as a `ConsumeResult`. */
export function toConsumeResult(row: Row): ConsumeResult {
  return {
    allowed: Boolean(row.allowed),
    reason: (row.reason ?? null) as RefusalReason | null,
    planId: row.plan_id as PlanId,
    used: Number(row.used),
    quota: Number(row.quota),
    remaining: Number(row.remaining),
    resetsAt: toDate(row.resets_at),
    chargedAccountId: String(row.charged_account_id),
    monthKey: String(row.month_key),
  };
}

/** An `account_status` row as an `AccountStatus`. */
export function toAccountStatus(row: Row): AccountStatus {
  return {
    accountId: String(row.account_id),
    plan: toPlan(row, "plan_"),
    effectiveAccountId: String(row.effective_account_id),
    subscriptionStatus: row.subscription_status as AccountStatus["subscriptionStatus"],
    periodEnd: toDateOrNull(row.period_end),
    trialEndsAt: toDateOrNull(row.trial_ends_at),
    used: Number(row.used),
    remaining: Number(row.remaining),
    resetsAt: toDate(row.resets_at),
  };
}

/** Named arguments of `log_search`, in declaration order. */
export function logSearchArgs(entry: SearchLogEntry): Record<string, unknown> {
  return {
    p_account_id: entry.accountId,
    p_platform: entry.platform,
    p_query_text: entry.queryText,
    p_query: entry.query ?? null,
    p_fetched: entry.fetched,
    p_matched: entry.matched,
    p_duration_ms: Math.round(entry.durationMs),
    p_outcome: entry.outcome,
    p_reason: entry.reason,
  };
}
