/**
 * The outbox on the SQL store's own executor (PGlite, embedded or server Postgres), whose migrations
 * (0010_outbox.sql included) ran when the store opened.
 */
import type { SqlExecutor } from "../sql-executor.ts";
import { sqlTransport } from "../sql-store.ts";
import { FunctionOutboxStore } from "./function-outbox-store.ts";

export class SqlOutboxStore extends FunctionOutboxStore {
  constructor(db: SqlExecutor) {
    super(sqlTransport(db));
  }
}

/** The outbox sharing `store`'s executor (`createBidIndex` does the same). */
export function createSqlOutboxStore(store: { executor: SqlExecutor }): SqlOutboxStore {
  return new SqlOutboxStore(store.executor);
}
