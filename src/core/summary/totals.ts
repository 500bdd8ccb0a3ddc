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
 * The numbers every summary, chat reply and Excel "Resumo" shows. Only known values count
 * (`knownValue`): PNCP's 0 (confidential budget, "sigiloso") and a missing value (null) are left out of
 * `totalValue` and of `withValue` ("com valor informado").
 */
export function computeTotals(bids: readonly Bid[], now: Date): SearchTotals {
  let totalValue = 0;
  let withValue = 0;
  let closingSoon = 0;
  const start = now.getTime();
  const end = start + CLOSING_SOON_MS;
  for (const bid of bids) {
    const at = closingAt(bid);
    if (at > start && at <= end) closingSoon += 1;
    const value = knownValue(bid.estimatedValue);
    if (value === null) continue;
    totalValue += value;
    withValue += 1;
  }
  return {
    count: bids.length,
    // Cents, so a sum of many 2-decimal values does not print as 1234.5600000001.
    totalValue: Math.round(totalValue * 100) / 100,
    withValue,
    closingSoon,
  };
}
