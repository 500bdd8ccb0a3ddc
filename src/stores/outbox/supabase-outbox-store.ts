/**
 * The outbox on Supabase: the same SQL functions as `SqlOutboxStore`, called as PostgREST RPC (each call
 * one transaction, so a claim's `for update skip locked` and a settle's lease check stay atomic).
 */
import { createServerClient } from "../supabase-client.ts";
import { supabaseTransport } from "../supabase-store.ts";
import { FunctionOutboxStore } from "./function-outbox-store.ts";

export class SupabaseOutboxStore extends FunctionOutboxStore {
  constructor(options: { url: string; serviceRoleKey: string }) {
    super(supabaseTransport(createServerClient(options.url, options.serviceRoleKey)));
  }
}

/** The RPC functions the outbox calls (for a PostgREST allow-list, e.g. the test stand-in). */
export const OUTBOX_RPC_FUNCTIONS = [
  "outbox_enqueue",
  "outbox_claim",
  "outbox_settle",
  "outbox_contact",
  "outbox_chat_state",
  "outbox_message",
  "outbox_counts",
  "outbox_prune",
] as const;
