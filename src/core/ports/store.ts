/**
 * Port for accounts, plans, quotas and idempotency. The rules live in SQL (supabase/migrations) so the
 * PGlite, Postgres and Supabase implementations behave identically; see docs/architecture.md.
 */

export type PlanId = "free_trial" | "consultor_agil" | "maquina" | "sala_guerra";

/** A row of the `plans` catalog. Capabilities are read from the database, never hard-coded. */
export interface Plan {
  id: PlanId;
  name: string;
  /** Monthly price in BRL cents; null for the trial. */
  priceCents: number | null;
  searchesPerMonth: number;
  historyDays: number;
  excel: boolean;
  perMinute: number;
  /** Whether the plan is for a team (Slack workspace / Telegram group). */
  team: boolean;
  /** Trial length in days (free_trial only). */
  trialDays: number | null;
  /** Order for "the cheapest plan that would allow it". */
  rank: number;
  /**
   * Saved alerts allowed (`plans.alerts_limit`, 0011). Optional: `account_status` rows do not carry it;
   * read it from `listPlans()` by id. Absent = no alerts.
   */
  alertsLimit?: number;
  /** Instant alert delivery allowed (`plans.instant_alerts`); otherwise daily digests only. */
  instantAlerts?: boolean;
}

export type Platform = "slack" | "telegram" | "whatsapp" | "cli";

export interface IdentityInput {
  platform: Platform;
  /** Platform user id (Slack user id, Telegram from.id, WhatsApp BSUID or wa_id, CLI name). */
  userId: string;
  /** Slack team id or Telegram group chat id, when the message comes from a team context. */
  teamId: string | null;
  displayName: string | null;
}

export type RefusalReason =
  | "trial_expired"
  | "quota_exhausted"
  | "history_exceeded"
  | "plan_inactive"
  /** Past due beyond BILLING_GRACE_DAYS (0009_billing.sql). */
  | "payment_overdue";

/** Row returned by the SQL function `consume_search`. */
export interface ConsumeResult {
  allowed: boolean;
  reason: RefusalReason | null;
  planId: PlanId;
  used: number;
  quota: number;
  remaining: number;
  resetsAt: Date;
  /** The account actually charged (the team's account when a team plan covers the user). */
  chargedAccountId: string;
  /** Month key charged, `YYYY-MM` in São Paulo time (needed to refund the right month). */
  monthKey: string;
}

/** What `/plano` and `smart-pncp plan show` display. */
export interface AccountStatus {
  accountId: string;
  plan: Plan;
  /** The account whose plan applies (team account for covered members). */
  effectiveAccountId: string;
  subscriptionStatus: "trialing" | "active" | "canceled" | "expired" | "past_due";
  periodEnd: Date | null;
  trialEndsAt: Date | null;
  used: number;
  remaining: number;
  resetsAt: Date;
}

export interface SearchLogEntry {
  accountId: string;
  platform: Platform;
  queryText: string;
  query: unknown;
  fetched: number;
  matched: number;
  durationMs: number;
  outcome: "ok" | "partial" | "failed" | "refused";
  reason: string | null;
}

/**
 * The chat context of a call: the team id (Slack workspace, Telegram group) or null for a private chat.
 * Passed explicitly so a team plan applies to that context only, even with concurrent commands from
 * other contexts; omitted, the person's latest context recorded by `resolve_identity` is used.
 */
export type TeamContext = string | null;

/** SQL argument for a context: '' means "no team" (private chat); undefined leaves the SQL default. */
export function teamContextArg(context: TeamContext | undefined): string | undefined {
  return context === undefined ? undefined : (context ?? "");
}

/** Row of the SQL function `rate_limit_hit`: a sliding window kept in the store, shared by every process. */
export interface StoreRateLimitHit {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until the window frees a slot (0 when allowed). */
  retryAfterMs: number;
  /** Id of the admitted hit (for `rateLimitUndo`); null when refused. */
  hitId: string | null;
}

export interface Store {
  /**
   * `resolve_identity`: the account of a chat identity, created on first contact (race-safe). `now` is the
   * first-contact instant for a new account (trial start); default the database's now().
   */
  resolveIdentity(input: IdentityInput, now?: Date): Promise<string>;
  /** `consume_search`: one atomic check-and-consume. */
  consumeSearch(
    accountId: string,
    historyDays: number,
    now?: Date,
    context?: TeamContext,
  ): Promise<ConsumeResult>;
  /** `refund_search`: give back one search of `monthKey` (search failed because PNCP was down). */
  refundSearch(chargedAccountId: string, monthKey: string): Promise<void>;
  /** `set_plan`: used by billing and admins; `until` null = open-ended. */
  setPlan(accountId: string, planId: PlanId, until: Date | null): Promise<void>;
  /** `claim_event`: true exactly once per (source, id). */
  claimEvent(source: string, id: string): Promise<boolean>;
  getAccountStatus(accountId: string, now?: Date, context?: TeamContext): Promise<AccountStatus>;
  listPlans(): Promise<Plan[]>;
  logSearch(entry: SearchLogEntry): Promise<void>;
  /** Slack OAuth installations, stored as JSON keyed by team/enterprise id. */
  saveInstallation(key: string, installation: unknown): Promise<void>;
  getInstallation(key: string): Promise<unknown | null>;
  deleteInstallation(key: string): Promise<void>;
  /** `resolve_team`: the team account of a Slack workspace / Telegram group (created if missing), e.g. to set a team plan. */
  resolveTeam(platform: Platform, teamId: string): Promise<string>;
  /**
   * `rate_limit_hit`: counts one request against `key` when fewer than `limit` were admitted in the window
   * (now − windowMs, now]; atomic under concurrency. The embedded limiter without Redis (`StoreRateLimiter`).
   */
  rateLimitHit?(key: string, limit: number, windowMs: number, now: Date): Promise<StoreRateLimitHit>;
  /** `rate_limit_undo`: gives back an admitted hit; unknown ids are ignored. */
  rateLimitUndo?(key: string, hitId: string): Promise<void>;
  /**
   * `app_setting_get_or_create`: the installation-wide value of a generated setting, storing `value` when
   * there is none yet (every process gets the same value, even when several create it at once).
   */
  getOrCreateSetting?(key: string, value: string): Promise<string>;
  /** Applies pending SQL migrations (embedded and Postgres stores); returns the files applied. */
  migrate?(): Promise<string[]>;
  close(): Promise<void>;
}
