import { type ErrorCode, toAppError } from "../errors.ts";
import { errorMessage } from "../messages.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Counters } from "../ports/metrics.ts";
import type { RateLimiter } from "../ports/rate-limiter.ts";
import type { ConsumeResult, IdentityInput, Plan, RefusalReason, Store } from "../ports/store.ts";
import { suggestUpgrade, type UpgradeNeed } from "./suggest-upgrade.ts";
import type { PendingUsage, UsageBacklog } from "./usage-backlog.ts";

/** Ports the entitlement flow needs. */
export interface EntitlementDeps {
  store: Store;
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  backlog: UsageBacklog;
  counters: Counters;
}

export type RefusalCode = Extract<
  ErrorCode,
  "RATE_LIMITED" | "TRIAL_EXPIRED" | "QUOTA_EXCEEDED" | "HISTORY_EXCEEDED" | "PLAN_INACTIVE"
>;

export type EntitlementResult =
  | {
      ok: true;
      accountId: string | null;
      /** null when the store was unreachable and the search goes ahead anyway (fail open). */
      plan: Plan | null;
      charge: ConsumeResult | null;
      failedOpen: boolean;
      /** Fail open: the usage queued for later, to cancel when the search does not run. */
      pending?: PendingUsage | null;
    }
  | {
      ok: false;
      code: RefusalCode;
      accountId: string;
      plan: Plan;
      /** pt-BR reason, from `errorMessage`. */
      message: string;
      upgrade: Plan | null;
    };

const REASON_TO_CODE: Record<RefusalReason, RefusalCode> = {
  trial_expired: "TRIAL_EXPIRED",
  quota_exhausted: "QUOTA_EXCEEDED",
  history_exceeded: "HISTORY_EXCEEDED",
  plan_inactive: "PLAN_INACTIVE",
};

/**
 * The entitlement flow, in order: per-minute limit → trial/plan expiry → monthly quota → history days.
 * The last three are one atomic SQL call (`consume_search`). A store failure lets the search go ahead
 * (fail open, `quota_check_error`) and its usage is queued in the backlog to be written later.
 */
export async function checkEntitlement(
  identity: IdentityInput,
  requestedDays: number,
  deps: EntitlementDeps,
): Promise<EntitlementResult> {
  const { store, limiter, clock, logger, counters } = deps;
  const now = clock.now();
  let accountId: string;
  let plan: Plan;
  let plans: Plan[];
  let charge: ConsumeResult;
  try {
    accountId = await store.resolveIdentity(identity, now);
    const [status, allPlans] = await Promise.all([
      store.getAccountStatus(accountId, now, identity.teamId),
      store.listPlans(),
    ]);
    plan = status.plan;
    plans = allPlans;

    const rate = await limiter.hit(`search:${status.effectiveAccountId}`, plan.perMinute, now);
    if (rate.failedOpen) counters.increment("rate_limit_fallback");
    if (!rate.allowed) {
      const upgrade = suggestUpgrade(plans, plan, { kind: "rate", perMinute: plan.perMinute }, plan.team);
      logger.info({ accountId, planId: plan.id, retryAfterMs: rate.retryAfterMs }, "rate_limited");
      return {
        ok: false,
        code: "RATE_LIMITED",
        accountId,
        plan,
        upgrade,
        message: errorMessage("RATE_LIMITED", { plan, retryAfterMs: rate.retryAfterMs, upgrade }),
      };
    }
    charge = await store.consumeSearch(accountId, requestedDays, now, identity.teamId);
    if (!charge.allowed) {
      const chargedPlan = plans.find((p) => p.id === charge.planId) ?? plan;
      return refusal(charge, accountId, chargedPlan, plans, requestedDays, status.trialEndsAt, logger);
    }
    plan = plans.find((p) => p.id === charge.planId) ?? plan;
  } catch (error) {
    counters.increment("quota_check_error");
    const appError = toAppError(error);
    // Only an unreachable store fails open; a repeatable error (bad identity, SQL bug) would otherwise make
    // every search free and clog the backlog with usage that can never be written.
    if (!appError.retryable && appError.code !== "STORE_UNAVAILABLE") {
      logger.error({ err: appError }, "quota_check_error");
      throw appError;
    }
    const dropped = deps.backlog.add(identity, now);
    if (dropped) logger.error({ identity: dropped.identity, at: dropped.at }, "usage_backlog_dropped");
    logger.error({ err: appError, backlog: deps.backlog.size }, "quota_check_error");
    return {
      ok: true,
      accountId: null,
      plan: null,
      charge: null,
      failedOpen: true,
      pending: deps.backlog.last,
    };
  }
  logger.info(
    { accountId, planId: plan.id, used: charge.used, quota: charge.quota, remaining: charge.remaining },
    "quota_check_success",
  );
  if (deps.backlog.size > 0) void deps.backlog.flush(store, logger);
  return { ok: true, accountId, plan, charge, failedOpen: false };
}

function refusal(
  charge: ConsumeResult,
  accountId: string,
  plan: Plan,
  plans: Plan[],
  requestedDays: number,
  trialEndsAt: Date | null,
  logger: Logger,
): EntitlementResult {
  const reason = charge.reason ?? "plan_inactive";
  const code = REASON_TO_CODE[reason];
  const need: UpgradeNeed =
    reason === "quota_exhausted"
      ? { kind: "quota", used: charge.used }
      : reason === "history_exceeded"
        ? { kind: "history", days: requestedDays }
        : { kind: "paid" };
  const upgrade =
    reason === "plan_inactive" && plan.id !== "free_trial"
      ? plan
      : suggestUpgrade(plans, plan, need, plan.team);
  logger.info({ accountId, planId: plan.id, reason, used: charge.used, quota: charge.quota }, reason);
  return {
    ok: false,
    code,
    accountId,
    plan,
    upgrade,
    message: errorMessage(code, {
      plan,
      used: charge.used,
      quota: charge.quota,
      resetsAt: charge.resetsAt,
      trialEndsAt,
      requestedDays,
      upgrade,
    }),
  };
}
