import pg from "pg";
import { type Logger, silentLogger } from "../core/ports/logger.ts";
import type { Row, SqlExecutor } from "./sql-executor.ts";
import { SqlStore } from "./sql-store.ts";

export interface PgStoreOptions {
  /** `postgres://…` (the local Postgres, or Supabase's direct connection string). */
  databaseUrl?: string;
  /** Connection parameters instead of a URL (the embedded server's socket directory, say). */
  connection?: pg.PoolConfig;
  /** Runs after the pool has ended on `close()` (the embedded server's lifecycle). */
  afterClose?: () => Promise<void>;
  logger?: Logger;
  /** Pool size (default 10). */
  max?: number;
  /** Apply pending migrations on open (default true). Set false on a database migrated by the Supabase CLI. */
  migrate?: boolean;
}

function clientExecutor(client: pg.PoolClient): SqlExecutor {
  return {
    async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await client.query<T>(sql, params)).rows;
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return fn(this);
    },
  };
}

/** A `SqlExecutor` over a pg Pool; `transaction` pins one pooled connection. */
export function poolExecutor(pool: pg.Pool): SqlExecutor {
  return {
    async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await pool.query<T>(sql, params)).rows;
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await fn(clientExecutor(client));
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/** Store on a Postgres server through a pg Pool: real concurrency, several app instances. */
export class PgStore extends SqlStore {
  /** Connects a pool and (by default) applies pending migrations. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const logger = options.logger ?? silentLogger();
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      ...options.connection,
      max: options.max ?? 10,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client losing its connection emits on the pool; without a listener Node would crash.
    pool.on("error", (error) => logger.warn({ err: error }, "pg_pool_error"));
    // An error on a checked-out or closing client (server restart, admin termination) must never crash
    // the process; the query in flight still rejects and is handled by its caller.
    pool.on("connect", (client) =>
      client.on("error", (error) => logger.warn({ err: error }, "pg_client_error")),
    );
    const close = async () => {
      await pool.end();
      await options.afterClose?.();
    };
    const store = new PgStore(poolExecutor(pool), logger, close);
    try {
      if (options.migrate ?? true) await store.migrate();
    } catch (error) {
      await close();
      throw error;
    }
    logger.info({ store: options.databaseUrl ? "postgres" : "embedded-postgres" }, "store_opened");
    return store;
  }
}
