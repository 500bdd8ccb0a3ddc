import type { Logger } from "../core/ports/logger.ts";
import { FunctionStore, type RpcTransport } from "./function-store.ts";
import { applyMigrations } from "./migrate.ts";
import type { Row, SqlExecutor } from "./sql-executor.ts";
import { toStoreError } from "./store-errors.ts";

/** `fn(p_a => $1, p_b => $2)` for named arguments; undefined values are left out (SQL default applies). */
function namedCall(fn: string, args: Record<string, unknown>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    params.push(value);
    parts.push(`${name} => $${params.length}`);
  }
  return { sql: `${fn}(${parts.join(", ")})`, params };
}

/** Calls the SQL functions with plain SQL over an executor (PGlite or a pg Pool). */
export function sqlTransport(db: SqlExecutor): RpcTransport {
  const run = async (fn: string, args: Record<string, unknown>, scalar: boolean): Promise<Row[]> => {
    const call = namedCall(fn, args);
    const sql = scalar ? `select ${call.sql} as value` : `select * from ${call.sql}`;
    try {
      return await db.query(sql, call.params);
    } catch (error) {
      throw toStoreError(error, fn);
    }
  };
  return {
    jsonAsText: true,
    rows: (fn, args) => run(fn, args, false),
    one: async (fn, args) => {
      const rows = await run(fn, args, false);
      if (rows.length !== 1) throw toStoreError(new Error(`expected one row, got ${rows.length}`), fn);
      return rows[0]!;
    },
    scalar: async (fn, args) => (await run(fn, args, true))[0]?.value ?? null,
  };
}

/**
 * The `Store` over SQL: every rule is a SQL function (supabase/migrations), called through plain SQL.
 * `PgliteStore` and `PgStore` are this class with a different `SqlExecutor`.
 */
export class SqlStore extends FunctionStore {
  readonly #db: SqlExecutor;
  readonly #logger: Logger;

  constructor(db: SqlExecutor, logger: Logger, onClose: () => Promise<void>) {
    super(sqlTransport(db), onClose);
    this.#db = db;
    this.#logger = logger;
  }

  /** The executor this store runs on (the bid index shares it: `createBidIndex(store)`). */
  get executor(): SqlExecutor {
    return this.#db;
  }

  /** Applies pending migrations; returns the files applied. */
  async migrate(): Promise<string[]> {
    return applyMigrations(this.#db, { logger: this.#logger });
  }
}
