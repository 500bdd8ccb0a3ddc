import { FunctionBidIndex } from "../sql-bid-index.ts";
import { createServerClient } from "../supabase-client.ts";
import { type PageOrder, supabaseTransport } from "../supabase-store.ts";

/**
 * The columns that order each read function's rows uniquely, so an answer above the project's Max rows
 * is read in `.range()` pages (see `supabaseTransport`). `index_full`'s rows come in no particular order,
 * its one answer row (`answer` true, no id) sorts last. `index_upsert_bids` writes: never paged, an
 * answer above Max rows fails (its batch is UPSERT_BATCH = 1,000 rows, Supabase's default Max rows).
 */
export const BID_INDEX_PAGE_ORDER: PageOrder = {
  index_search: ["id"],
  index_matches: ["id"],
  index_full: ["answer", "id"],
  index_bids_by_ids: ["id"],
  index_stale_rows: ["id"],
  index_windows_in: ["modalidade", "day"],
  index_coverage: ["modalidade", "from_day"],
};

/**
 * The bid index on Supabase: the same SQL functions as `SqlBidIndex`, called as PostgREST RPC (each call
 * one transaction, so `index_record_page` stays atomic). Needs the functions exposed to service_role.
 * The fallback when DATABASE_URL is not set (`openBidIndex`): answers above Max rows take one request,
 * and one run of the SQL function, per page.
 */
export class SupabaseBidIndex extends FunctionBidIndex {
  constructor(options: { url: string; serviceRoleKey: string }) {
    super(supabaseTransport(createServerClient(options.url, options.serviceRoleKey), BID_INDEX_PAGE_ORDER));
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
