/**
 * The alert store on Supabase: the same SQL functions as `SqlAlertStore`, called as PostgREST RPC (each
 * call one transaction, so `alert_commit_matches` stays atomic). Needs the functions exposed to service_role.
 */
import { createServerClient } from "../supabase-client.ts";
import { supabaseTransport } from "../supabase-store.ts";
import { FunctionAlertStore } from "./function-alert-store.ts";

export class SupabaseAlertStore extends FunctionAlertStore {
  constructor(options: { url: string; serviceRoleKey: string }) {
    super(supabaseTransport(createServerClient(options.url, options.serviceRoleKey)));
  }
}

/** The RPC functions the alert store calls (for a PostgREST allow-list, e.g. the test stand-in). */
export const ALERT_RPC_FUNCTIONS = [
  "alert_create",
  "alert_list_chat",
  "alert_list_active",
  "alert_update",
  "alert_pause_chat",
  "alert_mark_digest",
  "alert_queue_take",
  "alert_seen_for",
  "alert_commit_matches",
  "alert_queue_reminders",
  "alert_items_ready",
  "alert_items_claim",
  "alert_items_finish",
] as const;
