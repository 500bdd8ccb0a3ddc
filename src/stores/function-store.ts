import {
  type AccountStatus,
  type ConsumeResult,
  type IdentityInput,
  type Plan,
  type PlanId,
  type Platform,
  type SearchLogEntry,
  type Store,
  type StoreRateLimitHit,
  type TeamContext,
  teamContextArg,
} from "../core/ports/store.ts";
import { logSearchArgs, toAccountStatus, toConsumeResult, toPlan } from "./rows.ts";
import type { Row } from "./sql-executor.ts";

/**
 * How a store reaches the SQL functions: plain SQL (PGlite, Postgres) or PostgREST RPC (Supabase).
 * Arguments are named; `undefined` ones are left out so the SQL default applies.
 */
export interface RpcTransport {
  /** Calls a table/set-returning function and returns its rows. */
  rows(fn: string, args: Record<string, unknown>): Promise<Row[]>;
  /** Calls a function that returns exactly one row (an error otherwise). */
  one(fn: string, args: Record<string, unknown>): Promise<Row>;
  /** Calls a scalar function and returns its value (null for void). */
  scalar(fn: string, args: Record<string, unknown>): Promise<unknown>;
  /** jsonb arguments as JSON text (node-postgres would send a JS array as a Postgres array) or as values. */
  readonly jsonAsText: boolean;
}

/**
 * The `Store` as calls to the SQL functions in supabase/migrations: every rule lives in SQL, this class
 * only maps the port onto function names and arguments, once for every transport.
 */
export class FunctionStore implements Store {
  readonly #rpc: RpcTransport;
  readonly #onClose: () => Promise<void>;

  constructor(rpc: RpcTransport, onClose: () => Promise<void>) {
    this.#rpc = rpc;
    this.#onClose = onClose;
  }

  #json(value: unknown): unknown {
    return this.#rpc.jsonAsText && value !== null && value !== undefined ? JSON.stringify(value) : value;
  }

  async resolveIdentity(input: IdentityInput, now?: Date): Promise<string> {
    return String(
      await this.#rpc.scalar("resolve_identity", {
        p_platform: input.platform,
        p_user_id: input.userId,
        p_team_id: input.teamId,
        p_display_name: input.displayName,
        p_now: now?.toISOString(),
      }),
    );
  }

  async resolveTeam(platform: Platform, teamId: string): Promise<string> {
    return String(await this.#rpc.scalar("resolve_team", { p_platform: platform, p_team_id: teamId }));
  }

  async consumeSearch(
    accountId: string,
    historyDays: number,
    now?: Date,
    context?: TeamContext,
  ): Promise<ConsumeResult> {
    return toConsumeResult(
      await this.#rpc.one("consume_search", {
        p_account_id: accountId,
        p_history_days: historyDays,
        p_now: now?.toISOString(),
        p_team_id: teamContextArg(context),
      }),
    );
  }

  async refundSearch(chargedAccountId: string, monthKey: string): Promise<void> {
    await this.#rpc.scalar("refund_search", { p_account_id: chargedAccountId, p_month_key: monthKey });
  }

  async setPlan(accountId: string, planId: PlanId, until: Date | null): Promise<void> {
    await this.#rpc.scalar("set_plan", {
      p_account_id: accountId,
      p_plan_id: planId,
      p_until: until?.toISOString() ?? null,
    });
  }

  async claimEvent(source: string, id: string): Promise<boolean> {
    return (await this.#rpc.scalar("claim_event", { p_source: source, p_id: id })) === true;
  }

  async getAccountStatus(accountId: string, now?: Date, context?: TeamContext): Promise<AccountStatus> {
    return toAccountStatus(
      await this.#rpc.one("account_status", {
        p_account_id: accountId,
        p_now: now?.toISOString(),
        p_team_id: teamContextArg(context),
      }),
    );
  }

  async listPlans(): Promise<Plan[]> {
    return (await this.#rpc.rows("list_plans", {})).map((row) => toPlan(row));
  }

  async logSearch(entry: SearchLogEntry): Promise<void> {
    const args = logSearchArgs(entry);
    await this.#rpc.scalar("log_search", { ...args, p_query: this.#json(args.p_query) });
  }

  async saveInstallation(key: string, installation: unknown): Promise<void> {
    await this.#rpc.scalar("save_installation", { p_key: key, p_installation: this.#json(installation) });
  }

  async getInstallation(key: string): Promise<unknown | null> {
    return (await this.#rpc.scalar("get_installation", { p_key: key })) ?? null;
  }

  async deleteInstallation(key: string): Promise<void> {
    await this.#rpc.scalar("delete_installation", { p_key: key });
  }

  async rateLimitHit(key: string, limit: number, windowMs: number, now: Date): Promise<StoreRateLimitHit> {
    const row = await this.#rpc.one("rate_limit_hit", {
      p_key: key,
      p_limit: limit,
      p_window_ms: windowMs,
      p_now: now.toISOString(),
    });
    return {
      allowed: row.allowed === true,
      remaining: Number(row.remaining),
      retryAfterMs: Number(row.retry_after_ms),
      hitId: row.hit_id === null || row.hit_id === undefined ? null : String(row.hit_id),
    };
  }

  async rateLimitUndo(key: string, hitId: string): Promise<void> {
    await this.#rpc.scalar("rate_limit_undo", { p_key: key, p_hit_id: hitId });
  }

  async getOrCreateSetting(key: string, value: string): Promise<string> {
    return String(await this.#rpc.scalar("app_setting_get_or_create", { p_key: key, p_value: value }));
  }

  async close(): Promise<void> {
    await this.#onClose();
  }
}
