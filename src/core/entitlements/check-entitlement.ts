import { AppError, type ErrorCode, toAppError } from "../errors.ts";
import { errorMessage } from "../messages.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Counters } from "../ports/metrics.ts";
import type { RateLimiter, RateLimitResult } from "../ports/rate-limiter.ts";
import type { ConsumeResult, IdentityInput, Plan, RefusalReason, Store } from "../ports/store.ts";
import { suggestUpgrade, type UpgradeNeed } from "./suggest-upgrade.ts";
import type { Delivery, PendingUsage, UsageBacklog } from "./usage-backlog.ts";

/** Ports the entitlement flow needs. */
export interface EntitlementDeps {
  store: Store;
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  backlog: UsageBacklog;
  counters: Counters;
}

/** Where the search came from: lets a failed-open search be queued once per delivery. */
export interface EntitlementOptions {
  delivery?: Delivery;
}

export type RefusalCode = Extract<
  ErrorCode,
  | "RATE_LIMITED"
  | "TRIAL_EXPIRED"
  | "QUOTA_EXCEEDED"
  | "HISTORY_EXCEEDED"
  | "PLAN_INACTIVE"
  | "PAYMENT_OVERDUE"
>;

/** The per-minute slot an allowed search holds, to give back with `releaseRateSlot`. */
export interface RateSlot {
  limiter: RateLimiter;
  key: string;
  token: string;
}

export type EntitlementResult =
  | {
      ok: true;
      accountId: string | null;
      /**
       * Fail open (store unreachable, the search goes ahead anyway): the plan last seen for the identity,
       * or null when this process never saw it.
       */
      plan: Plan | null;
      charge: ConsumeResult | null;
      failedOpen: boolean;
      /** Fail open: the usage queued for later, to cancel when the search does not run. */
      pending?: PendingUsage | null;
      /** The per-minute slot taken, to release when the search never reaches the user. */
      rateSlot?: RateSlot | null;
    }
  | {
      ok: false;
      code: RefusalCode;
      /** "" when the store is down and the identity's account is not known to this process. */
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
  payment_overdue: "PAYMENT_OVERDUE",
};

/** Per-minute limit assumed while the store is down for an identity this process has never seen. */
const UNKNOWN_PER_MINUTE = 2;

/**
 * The entitlement flow, in order: per-minute limit → trial/plan expiry → monthly quota → history days.
 * The last three are one atomic SQL call (`consume_search`). Only allowed searches count toward the
 * per-minute limit: the slot is reserved first (atomic, so concurrent requests cannot overshoot) and given
 * back when `consume_search` refuses. A store failure lets the search go ahead (fail open,
 * `quota_check_error`) under the identity's last known per-minute limit, and its usage is queued in the
 * backlog (once per delivery) to be written later.
 */
export async function checkEntitlement(
  identity: IdentityInput,
  requestedDays: number,
  deps: EntitlementDeps,
  options: EntitlementOptions = {},
): Promise<EntitlementResult> {
  const { store, clock, logger } = deps;
  const now = clock.now();
  const started = performance.now();
  const record = (planId: string, outcome: "allowed" | "refused" | "error", reason: string) =>
    recordCheck(deps, started, planId, outcome, reason);
  let accountId: string;
  let plan: Plan;
  let plans: Plan[];
  let charge: ConsumeResult;
  let slot: RateSlot | null = null;
  let limited = false;
  let trialEnded = false;
  try {
    accountId = await store.resolveIdentity(identity, now);
    const [status, allPlans] = await Promise.all([
      store.getAccountStatus(accountId, now, identity.teamId),
      store.listPlans(),
    ]);
    plan = status.plan;
    plans = allPlans;
    const rateKey = `search:${status.effectiveAccountId}`;
    deps.backlog.remember(identity, { accountId, rateKey, plan }, plans, now);

    const rate = await takeRateSlot(rateKey, plan.perMinute, now, deps);
    limited = true;
    if (!rate.result.allowed) {
      const upgrade = suggestUpgrade(plans, plan, { kind: "rate", perMinute: plan.perMinute }, plan.team);
      logger.info({ accountId, planId: plan.id, retryAfterMs: rate.result.retryAfterMs }, "rate_limited");
      record(plan.id, "refused", "rate_limited");
      return rateRefusal(accountId, plan, upgrade, rate.result);
    }
    slot = rate.slot;
    charge = await store.consumeSearch(accountId, requestedDays, now, identity.teamId);
    if (!charge.allowed) {
      await releaseRateSlot(slot);
      const chargedPlan = plans.find((p) => p.id === charge.planId) ?? plan;
      record(chargedPlan.id, "refused", charge.reason ?? "plan_inactive");
      return refusal(charge, accountId, chargedPlan, plans, requestedDays, status.trialEndsAt, logger, now);
    }
    plan = plans.find((p) => p.id === charge.planId) ?? plan;
    // P0 invariant: a trial past its end must not keep consuming searches (consume_search refuses it).
    trialEnded =
      plan.trialDays !== null &&
      status.trialEndsAt !== null &&
      status.trialEndsAt.getTime() <= now.getTime() &&
      status.effectiveAccountId === accountId &&
      charge.chargedAccountId === accountId;
  } catch (error) {
    deps.counters.increment("quota_check_error");
    const appError = toAppError(error);
    // Only an unreachable store fails open; a repeatable error (bad identity, SQL bug) would otherwise make
    // every search free and clog the backlog with usage that can never be written.
    if (!appError.retryable && appError.code !== "STORE_UNAVAILABLE") {
      record("unknown", "error", "internal");
      await releaseRateSlot(slot);
      logger.error({ err: appError }, "quota_check_error");
      throw appError;
    }
    record("unknown", "error", "store_unavailable");
    return failOpen(identity, now, appError, limited, slot, deps, options);
  }
  const durationMs = record(plan.id, "allowed", "ok");
  if (trialEnded) {
    deps.counters.metrics.inc("trial_not_enforced", { plan: plan.id });
    logger.error({ accountId, planId: plan.id, used: charge.used }, "trial_not_enforced");
  }
  logger.info(
    {
      accountId,
      planId: plan.id,
      used: charge.used,
      quota: charge.quota,
      remaining: charge.remaining,
      durationMs,
    },
    "quota_check_success",
  );
  if (deps.backlog.size > 0) void deps.backlog.flush(store, logger);
  return { ok: true, accountId, plan, charge, failedOpen: false, rateSlot: slot };
}

/** Counts one check (`quota_checks_total`, its duration); returns the duration in ms for the log. */
function recordCheck(
  deps: EntitlementDeps,
  started: number,
  plan: string,
  outcome: "allowed" | "refused" | "error",
  reason: string,
): number {
  const ms = performance.now() - started;
  deps.counters.metrics.inc("quota_checks", { plan, outcome, reason });
  deps.counters.metrics.observe("quota_check_duration_seconds", ms / 1000, { outcome });
  return Math.round(ms);
}

/** Gives a per-minute slot back (the search was refused later or never reached the user). Never throws. */
export async function releaseRateSlot(slot: RateSlot | null | undefined): Promise<void> {
  if (!slot?.limiter.undo) return;
  try {
    await slot.limiter.undo(slot.key, slot.token);
  } catch {
    // The port must not throw; if it does, the slot only stays taken until the window moves on.
  }
}

async function takeRateSlot(
  key: string,
  perMinute: number,
  now: Date,
  deps: EntitlementDeps,
): Promise<{ result: RateLimitResult; slot: RateSlot | null }> {
  let limiter = deps.limiter;
  let result = await limiter.hit(key, perMinute, now);
  if (result.failedOpen) {
    // The shared limiter is down: the process-local one still enforces the limit for this instance.
    deps.counters.increment("rate_limit_fallback");
    limiter = deps.backlog.fallbackLimiter;
    result = await limiter.hit(key, perMinute, now);
  }
  const slot =
    result.allowed && result.hitToken && limiter.undo ? { limiter, key, token: result.hitToken } : null;
  return { result, slot };
}

async function failOpen(
  identity: IdentityInput,
  now: Date,
  appError: AppError,
  limited: boolean,
  slot: RateSlot | null,
  deps: EntitlementDeps,
  options: EntitlementOptions,
): Promise<EntitlementResult> {
  const { backlog, logger } = deps;
  // What this process last saw of the identity (plan, rate key), if anything.
  const known = backlog.known(identity, now);
  if (!limited) {
    // The store failed before the per-minute check: apply the identity's last known limit.
    const plan = known?.plan ?? backlog.defaultPlan;
    const key =
      known?.rateKey ?? `search:identity:${identity.platform}:${identity.userId}:${identity.teamId ?? ""}`;
    const rate = await takeRateSlot(key, plan?.perMinute ?? UNKNOWN_PER_MINUTE, now, deps);
    if (!rate.result.allowed) {
      logger.warn({ identity, retryAfterMs: rate.result.retryAfterMs }, "rate_limited_store_down");
      if (!plan) throw new AppError("STORE_UNAVAILABLE", "store down and no plan known", { cause: appError });
      return rateRefusal(known?.accountId ?? "", plan, null, rate.result);
    }
    slot = rate.slot;
  }
  const added = backlog.add(identity, now, options.delivery);
  if (added.dropped) {
    logger.error({ identity: added.dropped.identity, at: added.dropped.at }, "usage_backlog_dropped");
  }
  logger.error({ err: appError, backlog: backlog.size, duplicate: added.duplicate }, "quota_check_error");
  return {
    ok: true,
    accountId: null,
    // The plan last seen for this identity decides the Excel file (a paying user keeps it through an
    // outage); unknown → null, and a null plan never gets one (a free user never does).
    plan: known?.plan ?? null,
    charge: null,
    failedOpen: true,
    // A delivery already queued is not queued (nor cancelled) twice.
    pending: added.duplicate ? null : added.entry,
    rateSlot: slot,
  };
}

function rateRefusal(
  accountId: string,
  plan: Plan,
  upgrade: Plan | null,
  rate: RateLimitResult,
): EntitlementResult {
  return {
    ok: false,
    code: "RATE_LIMITED",
    accountId,
    plan,
    upgrade,
    message: errorMessage("RATE_LIMITED", { plan, retryAfterMs: rate.retryAfterMs, upgrade }),
  };
}

function refusal(
  charge: ConsumeResult,
  accountId: string,
  plan: Plan,
  plans: Plan[],
  requestedDays: number,
  trialEndsAt: Date | null,
  logger: Logger,
  now: Date,
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
    (reason === "plan_inactive" || reason === "payment_overdue") && plan.id !== "free_trial"
      ? plan
      : suggestUpgrade(plans, plan, need, plan.team);
  // The business event is the reason itself (`quota_exhausted`, `trial_expired`, `history_exceeded`…).
  logger.info(
    {
      accountId,
      planId: plan.id,
      reason,
      used: charge.used,
      quota: charge.quota,
      resetsAt: charge.resetsAt.toISOString(),
      upgradePlanId: upgrade?.id ?? null,
      ...(reason === "trial_expired" && trialEndsAt
        ? {
            endedAt: trialEndsAt.toISOString(),
            daysSince: Math.max(0, Math.floor((now.getTime() - trialEndsAt.getTime()) / 86_400_000)),
          }
        : {}),
      ...(reason === "history_exceeded" ? { requestedDays, allowedDays: plan.historyDays } : {}),
    },
    reason,
  );
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
