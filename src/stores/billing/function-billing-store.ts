/**
 * The `BillingStore` over the SQL functions of supabase/migrations/0009_billing.sql. Each effect is one
 * function call, so it is one transaction on plain SQL (PGlite, Postgres: `createSqlBillingStore`) and on
 * PostgREST RPC (Supabase: `SupabaseBillingStore`) alike; only the transport differs, as for `FunctionStore`.
 */
import type {
  AccountBilling,
  AppliedSubscription,
  BillingEffect,
  BillingStore,
  SubscriptionSnapshot,
} from "../../core/ports/billing.ts";
import type { ChatAddress } from "../../core/ports/notifier.ts";
import type { PlanId } from "../../core/ports/store.ts";
import type { RpcTransport } from "../function-store.ts";
import { instantOrNull as instant, textOrNull as text } from "../rows.ts";
import type { Row } from "../sql-executor.ts";
import { type SqlStore, sqlTransport } from "../sql-store.ts";

const PLATFORMS = new Set(["slack", "telegram", "whatsapp"]);

/** The notify columns of a row as an address (null unless platform and chat are both known). */
function address(row: Row): ChatAddress | null {
  const platform = text(row.notify_platform);
  const chatId = text(row.notify_chat_id);
  if (!platform || !chatId || !PLATFORMS.has(platform)) return null;
  return { platform: platform as ChatAddress["platform"], chatId, teamId: text(row.notify_team_id) };
}

/** Maps the port onto the SQL functions, once for every transport. */
export class FunctionBillingStore implements BillingStore {
  readonly #rpc: RpcTransport;

  constructor(rpc: RpcTransport) {
    this.#rpc = rpc;
  }

  async getAccountBilling(accountId: string): Promise<AccountBilling | null> {
    const rows = await this.#rpc.rows("billing_account", { p_account_id: accountId });
    const row = rows[0];
    if (!row) return null;
    return {
      accountId: String(row.account_id),
      accountKind: row.account_kind === "team" ? "team" : "individual",
      platform: String(row.platform),
      externalId: String(row.external_id),
      teamId: text(row.team_id),
      customerId: text(row.stripe_customer_id),
      subscriptionId: text(row.stripe_subscription_id),
      planId: text(row.plan_id) as PlanId | null,
      stripeStatus: text(row.stripe_status),
      periodEnd: instant(row.current_period_end),
      cancelAtPeriodEnd: row.cancel_at_period_end === true,
      pastDueSince: instant(row.past_due_since),
      graceEndsAt: instant(row.grace_ends_at),
      notify: address(row),
    };
  }

  async customerAccount(customerId: string): Promise<string | null> {
    return text(await this.#rpc.scalar("billing_customer_account", { p_customer_id: customerId }));
  }

  async saveCustomer(accountId: string, customerId: string, notify?: ChatAddress | null): Promise<void> {
    await this.#rpc.scalar("billing_save_customer", {
      p_account_id: accountId,
      p_customer_id: customerId,
      p_notify_platform: notify?.platform ?? null,
      p_notify_chat_id: notify?.chatId ?? null,
      p_notify_team_id: notify?.teamId ?? null,
    });
  }

  async applySubscription(snapshot: SubscriptionSnapshot, graceDays: number): Promise<AppliedSubscription> {
    const row = await this.#rpc.one("billing_apply_subscription", {
      p_subscription_id: snapshot.subscriptionId,
      p_customer_id: snapshot.customerId,
      p_account_id: snapshot.accountId,
      p_plan_id: snapshot.planId,
      p_stripe_status: snapshot.stripeStatus,
      p_price_id: snapshot.priceId,
      p_period_end: snapshot.periodEnd?.toISOString() ?? null,
      p_cancel_at_period_end: snapshot.cancelAtPeriodEnd,
      p_ended_at: snapshot.endedAt?.toISOString() ?? null,
      p_observed_at: snapshot.observedAt.toISOString(),
      p_grace_days: graceDays,
    });
    return {
      effect: String(row.effect) as BillingEffect,
      accountId: String(row.account_id),
      planId: String(row.plan_id) as PlanId,
      previousPlanId: text(row.previous_plan_id) as PlanId | null,
      periodEnd: instant(row.period_end),
      graceEndsAt: instant(row.grace_ends_at),
      notify: address(row),
    };
  }

  async releaseEvent(eventId: string): Promise<void> {
    await this.#rpc.scalar("billing_release_event", { p_id: eventId });
  }
}

/** The billing store on a SQL store's own executor (PGlite, embedded or server Postgres). */
export function createSqlBillingStore(store: SqlStore): FunctionBillingStore {
  return new FunctionBillingStore(sqlTransport(store.executor));
}
