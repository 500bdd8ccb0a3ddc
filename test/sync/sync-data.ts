/**
 * A national data set for sync tests: real fixture records (texts, órgãos, values) cloned over several days
 * × modalidades with uneven volumes (empty windows, one page, many pages), unique ids, and
 * `dataAtualizacaoGlobal` set; plus the check that an index holds exactly the loopback's data.
 */
import { expect } from "vitest";
import type { WindowState } from "../../src/core/ports/bid-index.ts";
import { addDays } from "../../src/core/time.ts";
import type { FixtureRecord } from "../fakes/fake-pncp.ts";
import { loadFixtureRecords } from "../fakes/fake-pncp.ts";
import type { MemoryBidIndex } from "../fakes/memory-bid-index.ts";

const UFS = ["SP", "MG", "RJ", "BA", "PR", "RS", "SC", "PE", "CE", "GO"];

/** Records per window by (days back from today × modalidade index), cycling: 0 = an empty window (204). */
const VOLUMES = [23, 0, 41, 9, 57, 1, 30, 12, 0, 48, 7, 35];

export interface SyncDataSet {
  records: FixtureRecord[];
  /** Days that have windows, newest first. */
  days: string[];
}

let seq = 0;

/**
 * `days` days back from `today` (today included) × `modalidades`, plus one older day that must not be
 * fetched; `scale` multiplies every window's volume.
 */
export function syncDataSet(
  today: string,
  days: number,
  modalidades: readonly number[],
  scale = 1,
): SyncDataSet {
  const base = loadFixtureRecords();
  const records: FixtureRecord[] = [];
  const dayList: string[] = [];
  for (let back = 0; back <= days; back++) {
    const day = addDays(today, -back);
    if (back < days) dayList.push(day);
    for (const [m, modalidade] of modalidades.entries()) {
      const count = VOLUMES[(back * modalidades.length + m) % VOLUMES.length]! * scale;
      for (let i = 0; i < count; i++) {
        const record = structuredClone(base[(seq * 7) % base.length]!);
        seq++;
        const sequencial = 500_000 + seq;
        const ano = Number(day.slice(0, 4));
        const published = `${day}T${String(7 + (i % 12)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00`;
        record.numeroControlePNCP = `${record.orgaoEntidade.cnpj}-1-${String(sequencial).padStart(6, "0")}/${ano}`;
        record.anoCompra = ano;
        record.sequencialCompra = sequencial;
        record.modalidadeId = modalidade;
        record.unidadeOrgao = { ...record.unidadeOrgao, ufSigla: UFS[seq % UFS.length]! };
        record.dataPublicacaoPncp = published;
        record.dataAtualizacao = published;
        record.dataAtualizacaoGlobal = published;
        records.push(record);
      }
    }
  }
  return { records, days: dayList };
}

/** A changed version of a record: new object text and a later `dataAtualizacaoGlobal`. */
export function revised(record: FixtureRecord, updatedLocal: string, object: string): FixtureRecord {
  return { ...structuredClone(record), objetoCompra: object, dataAtualizacaoGlobal: updatedLocal };
}

/** What an index holds, read back for comparison (memory maps or SQL rows). */
export interface IndexSnapshot {
  /** id → raw record stored. */
  rows: Map<string, unknown>;
  windows: WindowState[];
}

/** Snapshot of the memory double. */
export function memorySnapshot(index: MemoryBidIndex): IndexSnapshot {
  return {
    rows: new Map([...index.rows].map(([id, r]) => [id, r.raw])),
    windows: [...index.windowStates.values()],
  };
}

/**
 * The index holds exactly the loopback's records of `days` × `modalidades` (every id, nothing extra, the
 * served version) and every window is complete with PNCP's page count, pages 1…n each done once.
 */
export function expectIndexEqualsLoopback(
  snapshot: IndexSnapshot,
  served: readonly FixtureRecord[],
  data: { days: string[]; modalidades: readonly number[]; pageSize: number },
): void {
  const inScope = served.filter(
    (r) => data.days.includes(r.dataPublicacaoPncp.slice(0, 10)) && data.modalidades.includes(r.modalidadeId),
  );
  expect([...snapshot.rows.keys()].sort()).toEqual(inScope.map((r) => r.numeroControlePNCP).sort());
  for (const record of inScope) expect(snapshot.rows.get(record.numeroControlePNCP)).toEqual(record);
  for (const day of data.days) {
    for (const modalidade of data.modalidades) {
      const count = inScope.filter(
        (r) => r.dataPublicacaoPncp.startsWith(day) && r.modalidadeId === modalidade,
      ).length;
      const state = snapshot.windows.find((w) => w.day === day && w.modalidade === modalidade);
      expect(state, `${day} mod ${modalidade}`).toBeDefined();
      const pages = Math.ceil(count / data.pageSize);
      expect(state, `${day} mod ${modalidade}`).toMatchObject({
        complete: true,
        pagesTotal: pages,
        records: count,
      });
      expect(state!.pagesDone).toEqual(Array.from({ length: Math.max(1, pages) }, (_, i) => i + 1));
    }
  }
}
