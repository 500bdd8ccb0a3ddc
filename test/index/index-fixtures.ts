/**
 * The real PNCP fixture records as the index stores them (`IndexedRecord`), for the index suites.
 */

import { toIndexedRecords } from "../../src/core/pncp/indexed-records.ts";
import type { IndexedRecord } from "../../src/core/ports/bid-index.ts";
import { loadFixtureRecords } from "../fakes/fake-pncp-records.ts";

/** Every real fixture record, normalized at `now` (records sharing an id keep the first). */
export function fixtureIndexedRecords(now: Date): IndexedRecord[] {
  const seen = new Set<string>();
  const out: IndexedRecord[] = [];
  for (const raw of loadFixtureRecords()) {
    const { records } = toIndexedRecords([raw], { uf: null, modalidade: raw.modalidadeId, now });
    const record = records[0];
    if (!record || seen.has(record.bid.id)) continue;
    seen.add(record.bid.id);
    out.push(record);
  }
  return out;
}

/** A copy of a record with another update instant (and optionally another object text). */
export function withUpdate(
  record: IndexedRecord,
  pncpUpdatedAt: string | null,
  object?: string,
): IndexedRecord {
  return { ...record, pncpUpdatedAt, bid: { ...record.bid, object: object ?? record.bid.object } };
}
