/**
 * Raw PNCP records → what the index stores: the normalized `Bid`, the raw record, and PNCP's update instant
 * (`dataAtualizacaoGlobal`, else `dataAtualizacao`: the first also moves when an item, result or document
 * changes), converted from Brasília local time like every other PNCP time.
 */
import type { IndexedRecord } from "../ports/bid-index.ts";
import { brasiliaLocalToIso } from "../time.ts";
import { type NormalizeContext, normalizePage } from "./normalize.ts";

/** `dataAtualizacaoGlobal` else `dataAtualizacao` of a raw record, as an ISO UTC instant; null when absent. */
export function pncpUpdatedAt(raw: unknown): string | null {
  if (!raw || typeof raw !== "object") return null;
  const record = raw as { dataAtualizacaoGlobal?: unknown; dataAtualizacao?: unknown };
  for (const value of [record.dataAtualizacaoGlobal, record.dataAtualizacao]) {
    if (typeof value === "string") {
      const iso = brasiliaLocalToIso(value);
      if (iso) return iso;
    }
  }
  return null;
}

/** Validates and normalizes each record on its own (a bad one is counted, never thrown), keeping its raw. */
export function toIndexedRecords(
  raws: readonly unknown[],
  context: NormalizeContext,
): { records: IndexedRecord[]; invalid: number } {
  const records: IndexedRecord[] = [];
  let invalid = 0;
  for (const raw of raws) {
    const [bid] = normalizePage([raw], context).bids;
    if (bid) records.push({ bid, raw, pncpUpdatedAt: pncpUpdatedAt(raw) });
    else invalid++;
  }
  return { records, invalid };
}
