/**
 * Time helpers in America/Sao_Paulo, with the zone rules from `Intl` (the ICU time-zone database), not a
 * fixed −03:00: Brazil has had no daylight saving since 2019, but earlier summers were −02:00 and PNCP
 * holds records from before then.
 *
 * Speed: `Intl` needs ~9 µs per lookup, so offsets are cached per UTC day (two lookups tell whether the
 * day is uniform), and per UTC hour on the few days with a transition. That is exact because every São
 * Paulo transition since 1914 happened on a whole UTC hour (DST began at 00:00 −03:00 = 03:00Z and
 * ended at 00:00 −02:00 = 02:00Z) and two never fall on one day; instants before 1915 (local mean time,
 * −03:06:28) skip the cache.
 */

export const SAO_PAULO_TZ = "America/Sao_Paulo";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const CACHE_FROM_MS = Date.UTC(1915, 0, 1);
const CACHE_LIMIT = 100_000;
const offsetFormatter = new Intl.DateTimeFormat("en-US", {
  timeZone: SAO_PAULO_TZ,
  timeZoneName: "longOffset",
});
/** UTC day number → offset for the whole day, or NaN for a day with a transition (see `offsetByHour`). */
const offsetByDay = new Map<number, number>();
const offsetByHour = new Map<number, number>();

function lookupOffsetMs(ms: number): number {
  const name = offsetFormatter.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (!m?.[1]) return 0;
  const abs = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === "-" ? -abs : abs;
}

function remember(map: Map<number, number>, key: number, offset: number): number {
  if (map.size >= CACHE_LIMIT) map.clear();
  map.set(key, offset);
  return offset;
}

/**
 * São Paulo's offset from UTC at the instant `ms` (epoch milliseconds), in ms: −10,800,000 for −03:00,
 * −7,200,000 in a pre-2019 summer. Wall time = `ms + saoPauloOffsetMs(ms)`.
 */
export function saoPauloOffsetMs(ms: number): number {
  if (!(ms >= CACHE_FROM_MS)) return Number.isFinite(ms) ? lookupOffsetMs(ms) : 0;
  const day = Math.floor(ms / DAY_MS);
  let offset = offsetByDay.get(day);
  if (offset === undefined) {
    const first = lookupOffsetMs(day * DAY_MS);
    const last = lookupOffsetMs(day * DAY_MS + 23 * HOUR_MS);
    offset = remember(offsetByDay, day, first === last ? first : Number.NaN);
  }
  if (!Number.isNaN(offset)) return offset;
  const hour = Math.floor(ms / HOUR_MS);
  return offsetByHour.get(hour) ?? remember(offsetByHour, hour, lookupOffsetMs(hour * HOUR_MS));
}

/**
 * The UTC instant (epoch ms) of a São Paulo wall-clock time given as epoch ms "as if UTC". Follows
 * Temporal's "compatible" choice: a time repeated when DST ended is read as the first (summer) one, a
 * time skipped when DST began is moved forward by the gap (00:30 on 2018-11-04 → 01:30 −02:00).
 */
export function saoPauloWallToUtcMs(wallMs: number): number {
  // The offsets in force shortly before and after this wall time (transitions are months apart).
  const before = saoPauloOffsetMs(wallMs + 3 * HOUR_MS - 12 * HOUR_MS);
  const after = saoPauloOffsetMs(wallMs + 3 * HOUR_MS + 12 * HOUR_MS);
  const early = wallMs - before;
  if (before === after || saoPauloOffsetMs(early) === before) return early;
  const late = wallMs - after;
  if (saoPauloOffsetMs(late) === after) return late;
  return early; // in the gap: the old offset lands just after the jump
}

/**
 * `2026-09-21T18:00:00` (São Paulo wall time, as PNCP sends it) → `2026-09-21T21:00:00.000Z`, with the
 * zone rules of that date (`2018-01-15T12:00:00` → `14:00Z`, summer time); null for empty or unreadable
 * input or an impossible calendar date/time.
 */
export function brasiliaLocalToIso(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00"] = m;
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h > 23 || +mi > 59 || +s > 59) return null;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
  if (new Date(wall).getUTCDate() !== +d!) return null; // 31/02 and friends
  return new Date(saoPauloWallToUtcMs(wall)).toISOString();
}

/** The São Paulo wall-clock time of an instant as a Date whose UTC fields are that wall time. */
export function saoPauloWallDate(instant: Date | number): Date {
  const ms = typeof instant === "number" ? instant : instant.getTime();
  return new Date(ms + saoPauloOffsetMs(ms));
}

/** The São Paulo calendar date (YYYY-MM-DD) of an instant. */
export function saoPauloDate(instant: Date): string {
  return saoPauloWallDate(instant).toISOString().slice(0, 10);
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
