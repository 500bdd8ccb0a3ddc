import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type Logger, silentLogger } from "../core/ports/logger.ts";
import { readSnapshot, snapshotKey, snapshotPath, writeSnapshot } from "./pglite-snapshot.ts";
import type { Row, SqlExecutor } from "./sql-executor.ts";
import { SqlStore } from "./sql-store.ts";

/** In-memory PGlite (tests): pass as `dataDir`. */
export const PGLITE_MEMORY = "memory://";

// pg_trgm: the index migration (0007) builds its trigram index for term searches when it exists.
const EXTENSIONS = { pg_trgm };

export interface PgliteStoreOptions {
  /** The app's DATA_DIR (default "./data"); the database lives in `<dataDir>/pglite`. "memory://" = in memory. */
  dataDir?: string;
  logger?: Logger;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /**
   * In memory with `migrate`: start from the cached snapshot of a freshly migrated database
   * (`pglite-snapshot.ts`, keyed by the migration files) instead of initdb + every migration; made on
   * the first such open. Default true; false migrates from scratch. Ignored on disk.
   */
  snapshot?: boolean;
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
    const migrate = options.migrate ?? true;
    let location = PGLITE_MEMORY;
    if (dataDir !== PGLITE_MEMORY) {
      location = join(dataDir, "pglite");
      await mkdir(location, { recursive: true });
    }
    const snapshot =
      location === PGLITE_MEMORY && migrate && (options.snapshot ?? true)
        ? await snapshotKey(Object.keys(EXTENSIONS)).then(snapshotPath, () => null)
        : null;
    if (snapshot) {
      const store = await PgliteStore.#fromSnapshot(snapshot, logger);
      if (store) return store;
    }
    const db = await PGlite.create(location, { extensions: EXTENSIONS });
    const store = new PgliteStore(pgliteExecutor(db), logger, () => db.close());
    try {
      if (migrate) await store.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
    if (snapshot) {
      await writeSnapshot(db, snapshot).catch((error: Error) =>
        logger.debug({ reason: error.message }, "pglite_snapshot_not_saved"),
      );
    }
    logger.info({ store: "pglite", inMemory: location === PGLITE_MEMORY }, "store_opened");
    return store;
  }

  /** The in-memory store loaded from the snapshot at `path`, or null (no usable snapshot: migrate instead). */
  static async #fromSnapshot(path: string, logger: Logger): Promise<PgliteStore | null> {
    const tarball = await readSnapshot(path);
    if (!tarball) return null;
    let db: PGlite | undefined;
    try {
      db = await PGlite.create(PGLITE_MEMORY, { extensions: EXTENSIONS, loadDataDir: tarball });
      const loaded = db;
      const store = new PgliteStore(pgliteExecutor(loaded), logger, () => loaded.close());
      // Applies nothing when the snapshot is what its key says; anything missing is applied here.
      await store.migrate();
      logger.info({ store: "pglite", inMemory: true, snapshot: true }, "store_opened");
      return store;
    } catch (error) {
      logger.debug({ reason: (error as Error).message }, "pglite_snapshot_unusable");
      await db?.close().catch(() => undefined);
      return null;
    }
  }
}
