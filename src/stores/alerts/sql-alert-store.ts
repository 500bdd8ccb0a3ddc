/**
 * The alert store over plain SQL (PGlite, Postgres), sharing the account store's executor, as
 * `SqlBidIndex` does: `createAlertStore(store)`.
 */
import type { SqlExecutor } from "../sql-executor.ts";
import { type SqlStore, sqlTransport } from "../sql-store.ts";
import { FunctionAlertStore } from "./function-alert-store.ts";

export class SqlAlertStore extends FunctionAlertStore {
  constructor(db: SqlExecutor) {
    super(sqlTransport(db));
  }
}

/** The alert store on the same database as `store`. */
export function createAlertStore(store: Pick<SqlStore, "executor">): SqlAlertStore {
  return new SqlAlertStore(store.executor);
}
