/**
 * Date windows for `/v1/contratacoes/publicacao`. PNCP answers 422 for a window over 365 days or with
 * reversed dates, so requests are validated first and long windows are split.
 *
 * Chunk size: 365 days (the API's own limit), not 31. Pages after the first are fetched in parallel
 * anyway, so smaller chunks buy no speed; they cost one extra first-page request per chunk (mostly 204s
 * for sparse UF × modalidade slices, each ~1.4 s and counted by PNCP's rate limiter) and they spread the
 * per-slice page cap over the oldest records of every month. Collectors that chunk by 31 days (Amorim33)
 * do so for resumable bulk downloads, which a chat search is not. `maxDays` stays configurable.
 */
import { AppError } from "../errors.ts";
import { addDays, inclusiveDays, isValidIsoDate } from "../time.ts";

/** PNCP's limit for `dataInicial`…`dataFinal`, both inclusive. */
export const MAX_WINDOW_DAYS = 365;

/** An inclusive window of São Paulo calendar dates (YYYY-MM-DD). */
export interface DateWindow {
  from: string;
  to: string;
}

/** Throws `AppError("INVALID_QUERY")` unless `value` is a real YYYY-MM-DD date. */
export function assertIsoDate(value: string, field: string): void {
  if (!isValidIsoDate(value)) {
    throw new AppError("INVALID_QUERY", `${field} must be a YYYY-MM-DD date, got "${value}"`, {
      details: { field, value },
    });
  }
}

/**
 * Splits [from, to] into consecutive windows of at most `maxDays` days, newest first (so a search cut
 * short still has the most recent bids). Throws `AppError("INVALID_QUERY")` for bad or reversed dates.
 */
export function splitWindow(from: string, to: string, maxDays: number = MAX_WINDOW_DAYS): DateWindow[] {
  assertIsoDate(from, "from");
  assertIsoDate(to, "to");
  if (from > to) {
    throw new AppError("INVALID_QUERY", `from (${from}) is after to (${to})`, { details: { from, to } });
  }
  const size = Math.max(1, Math.min(Math.floor(maxDays), MAX_WINDOW_DAYS));
  const windows: DateWindow[] = [];
  let end = to;
  while (inclusiveDays(from, end) > size) {
    const start = addDays(end, -(size - 1));
    windows.push({ from: start, to: end });
    end = addDays(start, -1);
  }
  windows.push({ from, to: end });
  return windows;
}
