/**
 * When a daily digest is due. Pure, on the caller's clock (tests freeze it). The schedule is an hour of
 * the São Paulo day; a digest is due once the latest such hour at or before `now` comes after the previous
 * digest (or the alert's creation), so a digest missed while the process was down is sent at the next
 * dispatch, once, and an alert saved at 09:00 with an 08:00 digest gets its first one the next morning.
 */
import { saoPauloDate, saoPauloWallToUtcMs } from "../time.ts";

/** The default digest hour (São Paulo). */
export const DEFAULT_DIGEST_HOUR = 8;

/** The latest `hour`:00 São Paulo instant at or before `now`. */
export function lastDigestSlot(now: Date, hour: number): Date {
  const [y, m, d] = saoPauloDate(now).split("-").map(Number) as [number, number, number];
  let slot = saoPauloWallToUtcMs(Date.UTC(y, m - 1, d, hour));
  if (slot > now.getTime()) slot = saoPauloWallToUtcMs(Date.UTC(y, m - 1, d - 1, hour));
  return new Date(slot);
}

/** Whether the digest of an alert saved at `createdAt`, last sent at `lastDigestAt`, is due at `now`. */
export function digestDue(
  schedule: { digestHour: number; createdAt: Date; lastDigestAt: Date | null },
  now: Date,
): boolean {
  const since = schedule.lastDigestAt ?? schedule.createdAt;
  return lastDigestSlot(now, schedule.digestHour).getTime() > since.getTime();
}
