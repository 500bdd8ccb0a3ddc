import type { Logger } from "../core/ports/logger.ts";
import type { Store } from "../core/ports/store.ts";
import { findPostgresBinaries } from "./embedded-postgres-binaries.ts";
import { EmbeddedStoreError } from "./embedded-store-error.ts";

/** In-memory PGlite (tests): pass as `dataDir` (same value as `PGLITE_MEMORY`). */
const MEMORY = "memory://";

export interface StoreConfig {
  databaseUrl?: string;
  supabaseUrl?: string;
  supabaseServiceRoleKey?: string;
  /** DATA_DIR for the embedded store; `memory://` = in-memory PGlite (tests). */
  dataDir: string;
  /** Apply pending migrations when opening Postgres (default true); false for a database the Supabase CLI migrates. */
  migrateOnStart?: boolean;
}

/**
 * The configured store: Supabase (URL + service key) > Postgres (DATABASE_URL) > the embedded Postgres in
 * DATA_DIR, shared by every process that opens it (`openEmbeddedPgStore`). `DATA_DIR=memory://` is an
 * in-memory PGlite; PGlite in DATA_DIR is the fallback when this platform has no embedded-postgres
 * binaries (logged: that store allows one process only; `platform.findBinaries` stands in for the
 * platform lookup in tests). Each driver (pg, PGlite, supabase-js) is
 * imported only when chosen.
 */
export async function createStore(
  config: StoreConfig,
  logger: Logger,
  platform: { findBinaries?: typeof findPostgresBinaries } = {},
): Promise<Store> {
  if (config.supabaseUrl) {
    if (!config.supabaseServiceRoleKey) {
      throw new Error("SUPABASE_URL is set but SUPABASE_SERVICE_ROLE_KEY is missing");
    }
    const { SupabaseStore } = await import("./supabase-store.ts");
    return SupabaseStore.open({
      url: config.supabaseUrl,
      serviceRoleKey: config.supabaseServiceRoleKey,
      logger,
    });
  }
  if (config.databaseUrl) {
    const { PgStore } = await import("./pg-store.ts");
    return PgStore.open({ databaseUrl: config.databaseUrl, logger, migrate: config.migrateOnStart ?? true });
  }
  const openPglite = async (dataDir: string) =>
    (await import("./pglite-store.ts")).PgliteStore.open({ dataDir, logger });
  if (config.dataDir === MEMORY) return openPglite(MEMORY);
  const found = await (platform.findBinaries ?? findPostgresBinaries)();
  if (found.ok) {
    try {
      const { openEmbeddedPgStore } = await import("./embedded-pg-store.ts");
      return await openEmbeddedPgStore({ dataDir: config.dataDir, binaries: found.binaries, logger });
    } catch (error) {
      // As root the server runs as the `postgres` system user: without one, or when it cannot reach
      // DATA_DIR, PGlite keeps the app working (one process); everything else is a real error.
      const reason = error instanceof EmbeddedStoreError ? error.details.reason : null;
      if (reason !== "no_postgres_user" && reason !== "data_dir_not_traversable") throw error;
      logger.warn({ reason: (error as Error).message }, "embedded_postgres_unavailable");
    }
  } else {
    logger.warn({ reason: found.reason }, "embedded_postgres_unavailable");
  }
  logger.warn({ dataDir: config.dataDir }, "store_pglite_single_process");
  return openPglite(config.dataDir);
}
