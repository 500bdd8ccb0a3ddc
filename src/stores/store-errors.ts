import { AppError } from "../core/errors.ts";

// SQLSTATE classes meaning "the database is not reachable or went away": retrying later can help.
const UNAVAILABLE_SQLSTATE = /^(08|57P0|53)/;
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE"]);

/**
 * Wraps a database/RPC failure as an `AppError`: `STORE_UNAVAILABLE` (retryable) when the store cannot be
 * reached, `INTERNAL` otherwise. Keeps the operation and SQLSTATE for logs, never parameters or keys.
 */
export function toStoreError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const err = (error ?? {}) as { code?: unknown; message?: unknown; status?: unknown };
  const code = typeof err.code === "string" ? err.code : "";
  const message = typeof err.message === "string" ? err.message : String(error);
  const unreachable =
    UNAVAILABLE_SQLSTATE.test(code) ||
    UNAVAILABLE_NODE_CODES.has(code) ||
    err.status === 0 ||
    /connect|terminat|timeout|fetch failed/i.test(message);
  return new AppError(unreachable ? "STORE_UNAVAILABLE" : "INTERNAL", `${operation}: ${message}`, {
    cause: error,
    retryable: unreachable,
    details: { operation, sqlState: code || undefined },
  });
}
