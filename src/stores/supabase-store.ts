import type { SupabaseClient } from "@supabase/supabase-js";
import { AppError } from "../core/errors.ts";
import { type Logger, silentLogger } from "../core/ports/logger.ts";
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
import { logSearchArgs, toAccountStatus, toConsumeResult, toPlan } from "./rows.ts";
import type { Row } from "./sql-executor.ts";
import { toStoreError } from "./store-errors.ts";
import { createServerClient } from "./supabase-client.ts";

export interface SupabaseStoreOptions {
  /** `https://<project>.supabase.co` (or a loopback stand-in in tests). */
  url: string;
  /** Service-role / secret key: server only, bypasses RLS. */
  serviceRoleKey: string;
  logger?: Logger;
}

/**
 * Store on Supabase through supabase-js `.rpc()`: every operation is one SQL function call, i.e. one
 * PostgREST request and one transaction (https://docs.postgrest.org/en/v12/references/transactions.html).
 * Migrations are applied with the Supabase CLI (`supabase db push`), not by this class.
 */
export class SupabaseStore implements Store {
  readonly #client: SupabaseClient;

  constructor(options: SupabaseStoreOptions) {
    this.#client = createServerClient(options.url, options.serviceRoleKey);
  }

  /** Same shape as the other stores' `open()`; nothing to connect up front. */
  static async open(options: SupabaseStoreOptions): Promise<SupabaseStore> {
    const store = new SupabaseStore(options);
    (options.logger ?? silentLogger()).info({ store: "supabase" }, "store_opened");
    return store;
  }

  async #rpc(fn: string, args: Record<string, unknown>, single = false): Promise<unknown> {
    const call = this.#client.rpc(fn, args);
    const { data, error, status } = single ? await call.single() : await call;
    if (error) {
      throw toStoreError(
        status === 0 ? new AppError("STORE_UNAVAILABLE", error.message, { retryable: true }) : error,
        fn,
      );
    }
    return data;
  }

  async resolveIdentity(input: IdentityInput, now?: Date): Promise<string> {
    const data = await this.#rpc("resolve_identity", {
      p_platform: input.platform,
      p_user_id: input.userId,
      p_team_id: input.teamId,
      p_display_name: input.displayName,
      ...(now ? { p_now: now.toISOString() } : {}),
    });
    return String(data);
  }

  async resolveTeam(platform: Platform, teamId: string): Promise<string> {
    return String(await this.#rpc("resolve_team", { p_platform: platform, p_team_id: teamId }));
  }

  async consumeSearch(
    accountId: string,
    historyDays: number,
    now?: Date,
    context?: TeamContext,
  ): Promise<ConsumeResult> {
    const args: Record<string, unknown> = { p_account_id: accountId, p_history_days: historyDays };
    if (now) args.p_now = now.toISOString();
    if (context !== undefined) args.p_team_id = teamContextArg(context);
    return toConsumeResult((await this.#rpc("consume_search", args, true)) as Row);
  }

  async refundSearch(chargedAccountId: string, monthKey: string): Promise<void> {
    await this.#rpc("refund_search", { p_account_id: chargedAccountId, p_month_key: monthKey });
  }

  async setPlan(accountId: string, planId: PlanId, until: Date | null): Promise<void> {
    await this.#rpc("set_plan", {
      p_account_id: accountId,
      p_plan_id: planId,
      p_until: until?.toISOString() ?? null,
    });
  }

  async claimEvent(source: string, id: string): Promise<boolean> {
    return (await this.#rpc("claim_event", { p_source: source, p_id: id })) === true;
  }

  async getAccountStatus(accountId: string, now?: Date, context?: TeamContext): Promise<AccountStatus> {
    const args: Record<string, unknown> = { p_account_id: accountId };
    if (now) args.p_now = now.toISOString();
    if (context !== undefined) args.p_team_id = teamContextArg(context);
    return toAccountStatus((await this.#rpc("account_status", args, true)) as Row);
  }

  async listPlans(): Promise<Plan[]> {
    const data = await this.#rpc("list_plans", {});
    return (Array.isArray(data) ? (data as Row[]) : []).map((row) => toPlan(row));
  }

  async logSearch(entry: SearchLogEntry): Promise<void> {
    await this.#rpc("log_search", logSearchArgs(entry));
  }

  async saveInstallation(key: string, installation: unknown): Promise<void> {
    await this.#rpc("save_installation", { p_key: key, p_installation: installation });
  }

  async getInstallation(key: string): Promise<unknown | null> {
    return (await this.#rpc("get_installation", { p_key: key })) ?? null;
  }

  async deleteInstallation(key: string): Promise<void> {
    await this.#rpc("delete_installation", { p_key: key });
  }

  async close(): Promise<void> {
    // supabase-js holds no connection for RPC; nothing to release.
  }
}
