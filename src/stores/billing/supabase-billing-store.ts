import { createServerClient } from "../supabase-client.ts";
import { supabaseTransport } from "../supabase-store.ts";
import { FunctionBillingStore } from "./function-billing-store.ts";

/**
 * The billing store on Supabase: the same SQL functions as on Postgres, called as PostgREST RPC (each call
 * one transaction, so every lifecycle effect stays atomic). Needs the functions exposed to service_role.
 */
export class SupabaseBillingStore extends FunctionBillingStore {
  constructor(options: { url: string; serviceRoleKey: string }) {
    super(supabaseTransport(createServerClient(options.url, options.serviceRoleKey)));
  }
}

/** The RPC functions the billing store calls (for a PostgREST allow-list, e.g. the test stand-in). */
export const BILLING_RPC_FUNCTIONS = [
  "billing_account",
  "billing_customer_account",
  "billing_save_customer",
  "billing_apply_subscription",
  "billing_release_event",
] as const;
