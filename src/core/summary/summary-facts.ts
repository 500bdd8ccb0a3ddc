/**
 * What the deterministic summary reads from ALL matched bids (distributions, the largest value, the soonest
 * deadline), as one value. Built here from the bids, or by the index in SQL for the chat answer (which then
 * ships only a handful of rows: `factsFromCounts`); both give the same facts, so the summary a user reads is
 * the same either way (test/index/index-answer.test.ts).
 */
import type { Bid, BidStatus } from "../bid.ts";
import { parseInstant } from "../index/iso-instant.ts";
import { modalidadeName } from "../modalidades.ts";
import { place, rank, rankCounts } from "./summary-parts.ts";

export interface SummaryFacts {
  /** Bids per UF (unknown UF left out), most frequent first, ties by name. */
  ufs: [string, number][];
  /** Distinct órgãos. */
  agencyCount: number;
  /** The most frequent órgão (ties by name) when it has at least 2 bids; else null. */
  topAgency: [string, number] | null;
  /** The most frequent município ("Leme/SP") when it has at least 2 bids; else null. */
  topCity: [string, number] | null;
  /** Bids per modalidade name, ranked. */
  modalidades: [string, number][];
  /** Bids per status, ranked. */
  statuses: [BidStatus, number][];
  /** The first bid, in result order, with the highest known value; null when no value is known. */
  largest: Bid | null;
  /** The first bid, in result order, of those whose proposals close soonest after `now`; null when none. */
  soonestOpen: Bid | null;
  /** The bid, when exactly one matched. */
  only: Bid | null;
}

/** Counts already grouped (by the index), turned into facts with the same ranking as `summaryFacts`. */
export interface GroupedCounts {
  count: number;
  ufs: Iterable<[string, number]>;
  modalidades: Iterable<[number, number]>;
  statuses: Iterable<[BidStatus, number]>;
  agencyCount: number;
  /** Every órgão with the highest count, when that count is ≥ 2 (empty otherwise). */
  agencyLeaders: Iterable<[string, number]>;
  /** Every município key with the highest count, when that count is ≥ 2 (empty otherwise). */
  cityLeaders: Iterable<[string, number]>;
  largest: Bid | null;
  soonestOpen: Bid | null;
  /** The first bid of the result order (the only one when count is 1). */
  first: Bid | null;
}

function leader(entries: [string, number][]): [string, number] | null {
  const [top] = entries;
  return top && top[1] >= 2 ? top : null;
}

/** Facts from every matched bid (`bids` in result order). */
export function summaryFacts(bids: readonly Bid[], now: Date): SummaryFacts {
  let largest: Bid | null = null;
  let soonestOpen: Bid | null = null;
  let soonestAt = Number.POSITIVE_INFINITY;
  const nowMs = now.getTime();
  for (const bid of bids) {
    if (bid.estimatedValue !== null && bid.estimatedValue > 0) {
      if (largest === null || bid.estimatedValue > largest.estimatedValue!) largest = bid;
    }
    if (bid.proposalsCloseAt) {
      const at = parseInstant(bid.proposalsCloseAt);
      if (at > nowMs && at < soonestAt) {
        soonestAt = at;
        soonestOpen = bid;
      }
    }
  }
  const agencies = rank(bids, (b) => b.agency);
  return {
    ufs: rank(bids, (b) => b.uf),
    agencyCount: agencies.length,
    topAgency: leader(agencies),
    topCity: leader(rank(bids, (b) => (b.municipality ? place(b) : null))),
    modalidades: rank(bids, (b) => modalidadeName(b.modalityId)),
    statuses: rank(bids, (b) => b.status) as [BidStatus, number][],
    largest,
    soonestOpen,
    only: bids.length === 1 ? bids[0]! : null,
  };
}

/** Facts from grouped counts (the index's chat answer); equal to `summaryFacts` over the same bids. */
export function factsFromCounts(counts: GroupedCounts): SummaryFacts {
  const byName = new Map<string, number>();
  for (const [id, n] of counts.modalidades) {
    const name = modalidadeName(id);
    if (name) byName.set(name, (byName.get(name) ?? 0) + n);
  }
  return {
    ufs: rankCounts(counts.ufs),
    agencyCount: counts.agencyCount,
    topAgency: leader(rankCounts(counts.agencyLeaders)),
    topCity: leader(rankCounts(counts.cityLeaders)),
    modalidades: rankCounts(byName),
    statuses: rankCounts(counts.statuses) as [BidStatus, number][],
    largest: counts.largest,
    soonestOpen: counts.soonestOpen,
    only: counts.count === 1 ? counts.first : null,
  };
}
