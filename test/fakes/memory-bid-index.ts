/**
 * In-memory `SyncIndex` (the part of `BidIndex` the sync uses) — a TEST double for the sync engine's unit
 * tests; the real implementation is `SqlBidIndex`, whose SQL (0007_index.sql) this mirrors: upsert keeps the
 * newest `pncpUpdatedAt`; a page is recorded with its records at once; a page whose `pagesTotal` differs
 * from the stored one restarts the pass at that page; `restartWindow` clears pages and `pagesTotal` but
 * keeps `complete`; a window becomes complete when pages 1…max(1, pagesTotal) are all done; leases expire
 * at `now + ttl`.
 * `failNextRecordPage(n)` makes the next n `recordPage` calls throw (store trouble).
 */
import type { IndexedRecord, UpsertOutcome, WindowKey, WindowState } from "../../src/core/ports/bid-index.ts";
import type { SyncIndex } from "../../src/core/sync/run-sync-round.ts";

const keyOf = (w: WindowKey) => `${w.day}|${w.modalidade}`;

/** Rows and windows in maps; every call also counts in `calls`. */
export class MemoryBidIndex implements SyncIndex {
  readonly rows = new Map<string, IndexedRecord>();
  readonly windowStates = new Map<string, WindowState>();
  readonly leases = new Map<string, { holder: string; until: number }>();
  readonly rounds: Array<{ at: Date; stats: Record<string, number> }> = [];
  readonly calls = { recordPage: 0, upsertBids: 0, restartWindow: 0 };
  #failRecordPage = 0;

  failNextRecordPage(times: number): void {
    this.#failRecordPage = times;
  }

  async upsertBids(records: IndexedRecord[], _now: Date): Promise<UpsertOutcome> {
    this.calls.upsertBids++;
    return this.#upsert(records);
  }

  #upsert(records: IndexedRecord[]): UpsertOutcome {
    const outcome: UpsertOutcome = { inserted: 0, updated: 0, unchanged: 0, changedIds: [] };
    for (const record of records) {
      const stored = this.rows.get(record.bid.id);
      if (!stored) {
        outcome.inserted++;
      } else if (isNewer(record.pncpUpdatedAt, stored.pncpUpdatedAt)) {
        outcome.updated++;
      } else {
        outcome.unchanged++;
        continue;
      }
      this.rows.set(record.bid.id, structuredClone(record));
      outcome.changedIds.push(record.bid.id);
    }
    return outcome;
  }

  async recordPage(
    window: WindowKey,
    page: number,
    pagesTotal: number,
    records: IndexedRecord[],
    now: Date,
  ): Promise<WindowState> {
    this.calls.recordPage++;
    if (this.#failRecordPage > 0) {
      this.#failRecordPage--;
      throw new Error("memory index: recordPage failed (injected)");
    }
    const state = this.#state(window);
    this.#upsert(records);
    if (state.pagesTotal !== pagesTotal) {
      state.pagesDone = [page];
      state.records = records.length;
      state.pagesTotal = pagesTotal;
    } else if (!state.pagesDone.includes(page)) {
      state.pagesDone = [...state.pagesDone, page].sort((a, b) => a - b);
      state.records += records.length;
    }
    state.refreshedAt = new Date(now);
    const needed = Math.max(1, state.pagesTotal);
    if (Array.from({ length: needed }, (_, i) => i + 1).every((p) => state.pagesDone.includes(p))) {
      state.complete = true;
      state.fetchedAt ??= new Date(now);
    }
    return structuredClone(state);
  }

  async restartWindow(window: WindowKey, _now: Date): Promise<void> {
    this.calls.restartWindow++;
    const state = this.#state(window);
    state.pagesDone = [];
    state.records = 0;
    state.pagesTotal = null;
  }

  async windows(from: string, to: string, modalidades: number[]): Promise<WindowState[]> {
    return [...this.windowStates.values()]
      .filter((w) => w.day >= from && w.day <= to && modalidades.includes(w.modalidade))
      .map((w) => structuredClone(w));
  }

  async acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    const lease = this.leases.get(name);
    if (lease && lease.holder !== holder && lease.until > now.getTime()) return false;
    this.leases.set(name, { holder, until: now.getTime() + ttlMs });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  async recordRound(now: Date, stats: Record<string, number>): Promise<void> {
    this.rounds.push({ at: new Date(now), stats: { ...stats } });
  }

  #state(window: WindowKey): WindowState {
    let state = this.windowStates.get(keyOf(window));
    if (!state) {
      state = {
        day: window.day,
        modalidade: window.modalidade,
        complete: false,
        pagesTotal: null,
        pagesDone: [],
        records: 0,
        fetchedAt: null,
        refreshedAt: null,
      };
      this.windowStates.set(keyOf(window), state);
    }
    return state;
  }
}

/** The incoming version replaces the stored one when strictly newer, or when the stored one has no date. */
function isNewer(incoming: string | null, stored: string | null): boolean {
  if (stored === null) return true;
  if (incoming === null) return false;
  return Date.parse(incoming) > Date.parse(stored);
}
