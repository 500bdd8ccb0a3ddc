import type { Logger } from "../core/ports/logger.ts";
import type { Store } from "../core/ports/store.ts";
import { PgStore } from "./pg-store.ts";
import { PgliteStore } from "./pglite-store.ts";
import { SupabaseStore } from "./supabase-store.ts";

export interface StoreConfig {
  databaseUrl?: string;
  supabaseUrl?: string;
  supabaseServiceRoleKey?: string;
  /** DATA_DIR for the embedded store. */
  dataDir: string;
  /** Apply pending migrations when opening Postgres (default true); false for a database the Supabase CLI migrates. */
  migrateOnStart?: boolean;
}

/** The configured store: Supabase (URL + service key) > Postgres (DATABASE_URL) > embedded PGlite. */
export async function createStore(config: StoreConfig, logger: Logger): Promise<Store> {
  if (config.supabaseUrl) {
    if (!config.supabaseServiceRoleKey) {
      throw new Error("SUPABASE_URL is set but SUPABASE_SERVICE_ROLE_KEY is missing");
    }
    return SupabaseStore.open({
      url: config.supabaseUrl,
      serviceRoleKey: config.supabaseServiceRoleKey,
      logger,
    });
  }
  if (config.databaseUrl) {
    return PgStore.open({ databaseUrl: config.databaseUrl, logger, migrate: config.migrateOnStart ?? true });
  }
  return PgliteStore.open({ dataDir: config.dataDir, logger });
}
