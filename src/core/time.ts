/**
 * Time helpers. PNCP sends Brasília local time without an offset; Brazil has had no daylight saving
 * since 2019, so America/Sao_Paulo is UTC−03:00 for every date we handle.
 */

export const SAO_PAULO_TZ = "America/Sao_Paulo";
const OFFSET_MS = 3 * 60 * 60 * 1000;

/** `2026-09-21T18:00:00` (Brasília) → `2026-09-21T21:00:00.000Z`; null for empty or unreadable input. */
export function brasiliaLocalToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00"] = m;
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s) + OFFSET_MS;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The São Paulo calendar date (YYYY-MM-DD) of an instant. */
export function saoPauloDate(instant: Date): string {
  return new Date(instant.getTime() - OFFSET_MS).toISOString().slice(0, 10);
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  const t = Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD), inclusive of both: same day → 1. */
export function inclusiveDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** YYYY-MM-DD → yyyyMMdd as PNCP wants it. */
export function toPncpDate(isoDate: string): string {
  return isoDate.replaceAll("-", "");
}

/** True for a real calendar date in YYYY-MM-DD. */
export function isValidIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}
