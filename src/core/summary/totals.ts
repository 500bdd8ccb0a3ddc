import { type Bid, knownValue } from "../bid.ts";
import { parseInstant } from "../index/iso-instant.ts";
import type { SearchTotals } from "./summarizer.ts";

/** How far ahead a proposal deadline counts as urgent. */
export const CLOSING_SOON_DAYS = 7;
const CLOSING_SOON_MS = CLOSING_SOON_DAYS * 86_400_000;

/**
 * Bids whose proposals close after `now` and at most 7 days later, soonest first.
 * A deadline already past is not "closing soon": it is closed.
 */
export function closingSoonBids(bids: readonly Bid[], now: Date): Bid[] {
  const start = now.getTime();
  const end = start + CLOSING_SOON_MS;
  const soon: { bid: Bid; at: number }[] = [];
  for (const bid of bids) {
    const at = closingAt(bid);
    if (at > start && at <= end) soon.push({ bid, at });
  }
  return soon.sort((a, b) => a.at - b.at).map(({ bid }) => bid);
}

/** The closing instant in ms; NaN when unknown (never inside a window). */
function closingAt(bid: Bid): number {
  return bid.proposalsCloseAt ? parseInstant(bid.proposalsCloseAt) : Number.NaN;
}

/**
 * A known value in whole cents (half a cent up). Summed as integers, the total is exact and does not depend
 * on the order of the bids, so the index computes the same total in SQL (`floor(v * 100 + 0.5)`, the same
 * IEEE operations) as this does over the rows; a float sum of many 2-decimal values would drift by cents.
 */
export function valueCents(value: number): number {
  return Math.floor(value * 100 + 0.5);
}

/**
 * The numbers every summary, chat reply and Excel "Resumo" shows. Only known values count
 * (`knownValue`): PNCP's 0 (confidential budget, "sigiloso") and a missing value (null) are left out of
 * `totalValue` and of `withValue` ("com valor informado").
 */
export function computeTotals(bids: readonly Bid[], now: Date): SearchTotals {
  let totalCents = 0;
  let withValue = 0;
  let closingSoon = 0;
  const start = now.getTime();
  const end = start + CLOSING_SOON_MS;
  for (const bid of bids) {
    const at = closingAt(bid);
    if (at > start && at <= end) closingSoon += 1;
    const value = knownValue(bid.estimatedValue);
    if (value === null) continue;
    totalCents += valueCents(value);
    withValue += 1;
  }
  return {
    count: bids.length,
    totalValue: totalCents / 100,
    withValue,
    closingSoon,
  };
}
