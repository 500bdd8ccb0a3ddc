/**
 * What changed in a bid since a subscriber was told about it: suspended, revoked, annulled, rectified
 * (object or estimated value changed) or a new closing date. Pure. The snapshot is stored on the match
 * item (`seen`), so each change is announced once per alert, and the change key (the NEW state) makes the
 * notice's item unique: the same change seen by two matchers is one row.
 */
import { createHash } from "node:crypto";
import type { Bid } from "../bid.ts";
import type { BidSnapshot } from "../ports/alert-store.ts";

/** PNCP `situacaoCompraId` values worth a notice. */
const SITUATIONS: ReadonlyMap<number, BidChangeKind> = new Map([
  [2, "revoked"],
  [3, "annulled"],
  [4, "suspended"],
]);

export type BidChangeKind =
  | "suspended"
  | "revoked"
  | "annulled"
  | "resumed"
  | "rectified"
  | "new_closing_date";

export interface BidChange {
  kind: BidChangeKind;
  /** Unique per new state. */
  key: string;
  /** Epoch ms of the new closing date (new_closing_date). */
  closeAt?: number | null;
}

/** The state of `bid` a subscriber is told about. */
export function snapshotOf(bid: Bid): BidSnapshot {
  const close = bid.proposalsCloseAt ? Date.parse(bid.proposalsCloseAt) : Number.NaN;
  return {
    situationId: bid.situationId,
    closeAt: Number.isNaN(close) ? null : close,
    contentHash: createHash("sha1")
      .update(`${bid.object}\u0000${bid.estimatedValue ?? ""}`)
      .digest("hex")
      .slice(0, 12),
  };
}

/** Changes from `before` to `after` worth telling, most important first (at most one situation change). */
export function bidChanges(before: BidSnapshot, after: BidSnapshot): BidChange[] {
  const changes: BidChange[] = [];
  if (after.situationId !== before.situationId) {
    const kind = after.situationId === null ? undefined : SITUATIONS.get(after.situationId);
    if (kind) changes.push({ kind, key: `situacao:${after.situationId}` });
    else if (before.situationId === 4 && after.situationId === 1)
      changes.push({ kind: "resumed", key: `situacao:${after.situationId}:${after.closeAt ?? ""}` });
  }
  if (after.closeAt !== null && after.closeAt !== before.closeAt) {
    changes.push({ kind: "new_closing_date", key: `close:${after.closeAt}`, closeAt: after.closeAt });
  }
  if (after.contentHash !== before.contentHash) {
    changes.push({ kind: "rectified", key: `rectified:${after.contentHash}` });
  }
  return changes;
}
