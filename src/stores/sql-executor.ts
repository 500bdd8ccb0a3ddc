/** Rows of a query as plain objects. */
export type Row = Record<string, unknown>;

/**
 * The little SQL surface the stores need, so PGlite and node-postgres share one implementation
 * (`SqlStore`) and one migration runner.
 */
export interface SqlExecutor {
  /** One parameterised statement; returns its rows. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A multi-statement script without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `fn` inside one transaction on one connection; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
