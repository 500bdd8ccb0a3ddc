/**
 * The sync against the real SQL index (`SqlBidIndex` on PGlite memory:// and on the local Postgres): killed
 * mid-window under faults and restarted, the index equals the loopback's data exactly; rectifications
 * through `/atualizacao` win, stale versions do not overwrite; two syncers race for the lease.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import type { BidIndex } from "../../src/core/ports/bid-index.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { runSyncRound } from "../../src/core/sync/run-sync-round.ts";
import { syncModalidades } from "../../src/core/sync/sync-plan.ts";
import { startSyncWorker } from "../../src/core/sync/sync-worker.ts";
import { addDays } from "../../src/core/time.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import type { SqlStore } from "../../src/stores/sql-store.ts";
import { startFakePncp } from "../fakes/fake-pncp.ts";
import { createTestDatabase, needPostgres } from "../helpers/services.ts";
import { expectIndexEqualsLoopback, type IndexSnapshot, revised, syncDataSet } from "./sync-data.ts";

const NOW = "2026-09-21T20:25:00Z";
const TODAY = "2026-09-21";
const PAGE_SIZE = 10;
const DAYS = 4;
const MODALIDADES = syncModalidades([5]);

interface Opened {
  store: SqlStore;
  index: BidIndex;
  close(): Promise<void>;
}

async function snapshot(opened: Opened): Promise<IndexSnapshot> {
  const rows = await opened.store.executor.query<{ id: string; raw: unknown }>("select id, raw from bids");
  return {
    rows: new Map(rows.map((r) => [r.id, typeof r.raw === "string" ? JSON.parse(r.raw) : r.raw])),
    windows: await opened.index.windows(addDays(TODAY, -30), TODAY, [...MODALIDADES]),
  };
}

/** PGlite is one in-process connection sharing the test's CPU: its rounds take several times longer. */
const TIMEOUT_MS = 120_000;

function syncSuite(name: string, open: () => Promise<Opened>) {
  describe(`sync on ${name}`, { timeout: TIMEOUT_MS }, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function world() {
      const data = syncDataSet(TODAY, DAYS, MODALIDADES);
      const pncp = await startFakePncp({ records: data.records, now: NOW, latencyMs: 3 });
      const opened = await open();
      cleanups.push(
        () => pncp.close(),
        () => opened.close(),
      );
      const clock = new FixedClock(NOW);
      const client = () =>
        new HttpPncpClient({
          baseUrl: pncp.url,
          pageSize: PAGE_SIZE,
          concurrency: 6,
          timeoutMs: 1_000,
          retryBaseMs: 5,
          retryMaxDelayMs: 20,
          retryAfterMaxMs: 50,
          breakerFailureThreshold: 50,
          clock,
        });
      const deps = () => ({ pncp: client(), index: opened.index, clock, logger: silentLogger() });
      const settings = { modalidades: MODALIDADES, backfillDays: DAYS, parallelPages: 8 };
      const expectExact = async () =>
        expectIndexEqualsLoopback(await snapshot(opened), pncp.records, {
          days: data.days,
          modalidades: MODALIDADES,
          pageSize: PAGE_SIZE,
        });
      return { data, pncp, opened, clock, deps, settings, expectExact };
    }

    it("killed mid-window under faults, restarted: the index equals the loopback's data exactly", async () => {
      const { pncp, opened, deps, settings, expectExact } = await world();
      pncp.setFaults([
        { fault: "rate_limit", times: 3, retryAfter: "0" },
        { fault: "jdbc_500", match: { params: { pagina: "2" } }, times: 3 },
        { fault: "truncated", match: { params: { pagina: "3" } }, times: 2 },
        { fault: "hang", match: { params: { pagina: "4" } }, times: 2 },
        { fault: "gateway_timeout", times: 2 },
      ]);
      const kill = new AbortController();
      let partial: string | null = null;
      const killed = runSyncRound(deps(), settings, {
        signal: kill.signal,
        onPage: () => {
          if (kill.signal.aborted) return;
          void opened.index
            .windows(addDays(TODAY, -DAYS), addDays(TODAY, -2), [...MODALIDADES])
            .then((ws) => {
              const w = ws.find((s) => !s.complete && s.pagesDone.length > 0 && (s.pagesTotal ?? 0) > 2);
              if (w && !kill.signal.aborted) {
                partial = `${w.day}|${w.modalidade}`;
                kill.abort(new Error("killed"));
              }
            });
        },
      });
      await expect(killed).rejects.toThrow("killed");
      expect(partial).not.toBeNull();
      const mid = await snapshot(opened);
      expect(mid.windows.some((w) => !w.complete && w.pagesDone.length > 0)).toBe(true);
      await expect.poll(() => pncp.inFlight).toBe(0);

      const stats = await runSyncRound(deps(), settings);
      expect(stats).toMatchObject({ failedPages: 0, windowsRemaining: 0, stopped: 0 });
      await expectExact();
      expect((await opened.index.status()).lastRoundAt).not.toBeNull();
    });

    it("rectifications through /atualizacao win; a stale version arriving later does not overwrite", async () => {
      const { pncp, data, opened, deps, settings } = await world();
      await runSyncRound(deps(), settings);
      const old = data.records.find((r) => r.dataPublicacaoPncp.startsWith(addDays(TODAY, -3)))!;
      const fix = revised(old, `${TODAY}T09:30:00`, "OBJETO RETIFICADO: locação de veículos");
      pncp.replaceRecords(
        data.records.map((r) => (r.numeroControlePNCP === old.numeroControlePNCP ? fix : r)),
      );
      const second = await runSyncRound(deps(), settings);
      expect(second.updatesUpdated).toBe(1);
      const read = async () =>
        (await snapshot(opened)).rows.get(old.numeroControlePNCP) as { objetoCompra: string };
      expect((await read()).objetoCompra).toBe(fix.objetoCompra);
      pncp.replaceRecords(data.records);
      const third = await runSyncRound(deps(), settings);
      expect(third.updatesUpdated).toBe(0);
      expect((await read()).objetoCompra).toBe(fix.objetoCompra);
    });

    it("two syncers race: one holds the lease, the other waits and takes over when it stops", async () => {
      const { deps, settings, opened } = await world();
      const base = { ...settings, intervalMs: 60_000, leaseTtlMs: 2_000, leasePollMs: 50 };
      const a = startSyncWorker(deps(), { ...base, holder: "instance-a" });
      const b = startSyncWorker(deps(), { ...base, holder: "instance-b" });
      const first = await Promise.race([a.nextRound().then(() => a), b.nextRound().then(() => b)]);
      const other = first === a ? b : a;
      expect(first.status().holdsLease).toBe(true);
      expect(other.status()).toMatchObject({ holdsLease: false, rounds: 0 });
      const takeover = other.nextRound();
      await first.stop();
      const stats = await takeover;
      expect(stats.windowsRemaining).toBe(0);
      expect(other.status().holdsLease).toBe(true);
      await other.stop();
      expect(await opened.index.acquireLease("sync", "someone-else", 1_000, new Date(NOW))).toBe(true);
    });
  });
}

syncSuite("PGlite (memory)", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return { store, index: createBidIndex(store), close: () => store.close() };
});

if (await needPostgres()) {
  syncSuite("Postgres", async () => {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 4 });
    return {
      store,
      index: createBidIndex(store),
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });
}
