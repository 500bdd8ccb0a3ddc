import { FunctionBidIndex } from "../sql-bid-index.ts";
import { createServerClient } from "../supabase-client.ts";
import { supabaseTransport } from "../supabase-store.ts";

/**
 * The bid index on Supabase: the same SQL functions as `SqlBidIndex`, called as PostgREST RPC (each call
 * one transaction, so `index_record_page` stays atomic). Needs the functions exposed to service_role.
 */
export class SupabaseBidIndex extends FunctionBidIndex {
  constructor(options: { url: string; serviceRoleKey: string }) {
    super(supabaseTransport(createServerClient(options.url, options.serviceRoleKey)));
  }
}

/** The RPC functions the bid index calls (for a PostgREST allow-list, e.g. the test stand-in). */
export const BID_INDEX_RPC_FUNCTIONS = [
  "index_upsert_bids",
  "index_record_page",
  "index_restart_window",
  "index_windows_in",
  "index_acquire_lease",
  "index_release_lease",
  "index_record_round",
  "index_stale_rows",
  "index_set_tags",
  "index_search",
  "index_bids_by_ids",
  "index_count",
  "index_answer",
  "index_matches",
  "index_full",
  "index_coverage",
  "index_status",
  "index_freshness",
] as const;
