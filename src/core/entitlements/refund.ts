import type { AppError } from "../errors.ts";
import type { Logger } from "../ports/logger.ts";
import type { ConsumeResult, Store } from "../ports/store.ts";

/**
 * Gives the search back when nothing could be searched because PNCP was unavailable. Returns whether a
 * refund was written (false when nothing was charged, the error is another kind, or the store failed).
 */
export async function refundIfUnavailable(
  error: AppError,
  charge: ConsumeResult | null,
  deps: { store: Store; logger: Logger },
): Promise<boolean> {
  if (error.code !== "PNCP_UNAVAILABLE" || !charge) return false;
  return refundCharge(charge, deps);
}

/** Gives one charged search back (never below zero, in SQL); false when the store failed (logged). */
export async function refundCharge(
  charge: ConsumeResult,
  deps: { store: Store; logger: Logger },
): Promise<boolean> {
  try {
    await deps.store.refundSearch(charge.chargedAccountId, charge.monthKey);
    deps.logger.info({ accountId: charge.chargedAccountId, monthKey: charge.monthKey }, "search_refunded");
    return true;
  } catch (refundError) {
    deps.logger.error({ err: refundError, accountId: charge.chargedAccountId }, "search_refund_failed");
    return false;
  }
}
