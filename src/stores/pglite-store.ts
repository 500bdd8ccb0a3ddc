import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type Logger, silentLogger } from "../core/ports/logger.ts";
import type { Row, SqlExecutor } from "./sql-executor.ts";
import { SqlStore } from "./sql-store.ts";

/** In-memory PGlite (tests): pass as `dataDir`. */
export const PGLITE_MEMORY = "memory://";

export interface PgliteStoreOptions {
  /** The app's DATA_DIR (default "./data"); the database lives in `<dataDir>/pglite`. "memory://" = in memory. */
  dataDir?: string;
  logger?: Logger;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** A `SqlExecutor` over a PGlite instance (or one of its transactions). */
export function pgliteExecutor(db: PGlite | Transaction): SqlExecutor {
  return {
    async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await db.query<T>(sql, params)).rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (!("transaction" in db)) return fn(pgliteExecutor(db));
      return db.transaction((tx) => fn(pgliteExecutor(tx)));
    },
  };
}

/**
 * The embedded default store: Postgres compiled to WASM (PGlite) in-process, nothing to install. One
 * connection, so calls are serialised; use `PgStore` for several instances.
 * Never open the same data directory from two processes.
 */
export class PgliteStore extends SqlStore {
  /** Opens (creating if needed) the database and applies pending migrations. */
  static async open(options: PgliteStoreOptions = {}): Promise<PgliteStore> {
    const dataDir = options.dataDir ?? "./data";
    const logger = options.logger ?? silentLogger();
    let location = PGLITE_MEMORY;
    if (dataDir !== PGLITE_MEMORY) {
      location = join(dataDir, "pglite");
      await mkdir(location, { recursive: true });
    }
    // pg_trgm: the index migration (0007) builds its trigram index for term searches when it exists.
    const db = await PGlite.create(location, { extensions: { pg_trgm } });
    const store = new PgliteStore(pgliteExecutor(db), logger, () => db.close());
    try {
      if (options.migrate ?? true) await store.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
    logger.info({ store: "pglite", inMemory: location === PGLITE_MEMORY }, "store_opened");
    return store;
  }
}
