import type { Logger } from "../core/ports/logger.ts";
import {
  type AccountStatus,
  type ConsumeResult,
  type IdentityInput,
  type Plan,
  type PlanId,
  type Platform,
  type SearchLogEntry,
  type Store,
  type TeamContext,
  teamContextArg,
} from "../core/ports/store.ts";
import { applyMigrations } from "./migrate.ts";
import { logSearchArgs, toAccountStatus, toConsumeResult, toPlan } from "./rows.ts";
import type { Row, SqlExecutor } from "./sql-executor.ts";
import { toStoreError } from "./store-errors.ts";

/** `fn(p_a => $1, p_b => $2)` for named arguments; undefined values are left out (SQL default applies). */
function namedCall(fn: string, args: Record<string, unknown>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${name} => $${params.length}`);
  }
  return { sql: `${fn}(${parts.join(", ")})`, params };
}

/**
 * The `Store` over SQL: every rule is a SQL function (supabase/migrations), this class only calls them.
 * `PgliteStore` and `PgStore` are this class with a different `SqlExecutor`.
 */
export class SqlStore implements Store {
  readonly #db: SqlExecutor;
  readonly #logger: Logger;
  readonly #onClose: () => Promise<void>;

  constructor(db: SqlExecutor, logger: Logger, onClose: () => Promise<void>) {
    this.#db = db;
    this.#logger = logger;
    this.#onClose = onClose;
  }

  async #rows(fn: string, args: Record<string, unknown>, scalar = false): Promise<Row[]> {
    const call = namedCall(fn, args);
    const sql = scalar ? `select ${call.sql} as value` : `select * from ${call.sql}`;
    try {
      return await this.#db.query(sql, call.params);
    } catch (error) {
      throw toStoreError(error, fn);
    }
  }

  async #one(fn: string, args: Record<string, unknown>): Promise<Row> {
    const rows = await this.#rows(fn, args);
    if (rows.length !== 1) throw toStoreError(new Error(`expected one row, got ${rows.length}`), fn);
    return rows[0]!;
  }

  async #scalar(fn: string, args: Record<string, unknown>): Promise<unknown> {
    const rows = await this.#rows(fn, args, true);
    return rows[0]?.value ?? null;
  }

  async resolveIdentity(input: IdentityInput, now?: Date): Promise<string> {
    return String(
      await this.#scalar("resolve_identity", {
        p_platform: input.platform,
        p_user_id: input.userId,
        p_team_id: input.teamId,
        p_display_name: input.displayName,
        ...(now ? { p_now: now.toISOString() } : {}),
      }),
    );
  }

  async resolveTeam(platform: Platform, teamId: string): Promise<string> {
    return String(await this.#scalar("resolve_team", { p_platform: platform, p_team_id: teamId }));
  }

  async consumeSearch(
    accountId: string,
    historyDays: number,
    now?: Date,
    context?: TeamContext,
  ): Promise<ConsumeResult> {
    return toConsumeResult(
      await this.#one("consume_search", {
        p_account_id: accountId,
        p_history_days: historyDays,
        p_now: now?.toISOString(),
        p_team_id: teamContextArg(context),
      }),
    );
  }

  async refundSearch(chargedAccountId: string, monthKey: string): Promise<void> {
    await this.#scalar("refund_search", { p_account_id: chargedAccountId, p_month_key: monthKey });
  }

  async setPlan(accountId: string, planId: PlanId, until: Date | null): Promise<void> {
    await this.#scalar("set_plan", {
      p_account_id: accountId,
      p_plan_id: planId,
      p_until: until?.toISOString() ?? null,
    });
  }

  async claimEvent(source: string, id: string): Promise<boolean> {
    return (await this.#scalar("claim_event", { p_source: source, p_id: id })) === true;
  }

  async getAccountStatus(accountId: string, now?: Date, context?: TeamContext): Promise<AccountStatus> {
    return toAccountStatus(
      await this.#one("account_status", {
        p_account_id: accountId,
        p_now: now?.toISOString(),
        p_team_id: teamContextArg(context),
      }),
    );
  }

  async listPlans(): Promise<Plan[]> {
    return (await this.#rows("list_plans", {})).map((row) => toPlan(row));
  }

  async logSearch(entry: SearchLogEntry): Promise<void> {
    const args = logSearchArgs(entry);
    // node-postgres would send a JS array as a Postgres array; jsonb wants JSON text.
    args.p_query = args.p_query === null ? null : JSON.stringify(args.p_query);
    await this.#scalar("log_search", args);
  }

  async saveInstallation(key: string, installation: unknown): Promise<void> {
    await this.#scalar("save_installation", { p_key: key, p_installation: JSON.stringify(installation) });
  }

  async getInstallation(key: string): Promise<unknown | null> {
    return this.#scalar("get_installation", { p_key: key });
  }

  async deleteInstallation(key: string): Promise<void> {
    await this.#scalar("delete_installation", { p_key: key });
  }

  async migrate(): Promise<string[]> {
    return applyMigrations(this.#db, { logger: this.#logger });
  }

  async close(): Promise<void> {
    await this.#onClose();
  }
}
