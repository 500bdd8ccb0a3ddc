/**
 * `runSyncRound` end to end: the real `HttpPncpClient` against the loopback PNCP (national queries, real
 * fixture texts over several days × modalidades, faults injected) writing into the memory index double.
 * The SQL index runs the same scenarios in sync-sql.test.ts.
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { runSyncRound, type SyncIndex } from "../../src/core/sync/run-sync-round.ts";
import { syncModalidades } from "../../src/core/sync/sync-plan.ts";
import { addDays } from "../../src/core/time.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { MemoryBidIndex } from "../fakes/memory-bid-index.ts";
import { expectIndexEqualsLoopback, memorySnapshot, revised, syncDataSet } from "./sync-data.ts";

const NOW = "2026-09-21T20:25:00Z"; // 17:25 in Brasília
const TODAY = "2026-09-21";
const PAGE_SIZE = 10;
const MODALIDADES = syncModalidades([5]); // the defaults 6, 4, 8 plus SYNC_MODALIDADES=5
const DAYS = 6;
const fakes: FakePncp[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function world(options: { latencyMs?: number } = {}) {
  const data = syncDataSet(TODAY, DAYS, MODALIDADES);
  const pncp = await startFakePncp({ records: data.records, now: NOW, latencyMs: options.latencyMs ?? 2 });
  fakes.push(pncp);
  const index = new MemoryBidIndex();
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const clock = new FixedClock(NOW);
  /** A fresh client = a fresh process: its own limiter and breaker. */
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
      logger,
      clock,
    });
  const round = (index_: SyncIndex = index, control = {}) =>
    runSyncRound(
      { pncp: client(), index: index_, clock, logger },
      { modalidades: MODALIDADES, backfillDays: DAYS, parallelPages: 8 },
      control,
    );
  const expectExact = () =>
    expectIndexEqualsLoopback(memorySnapshot(index), pncp.records, {
      days: data.days,
      modalidades: MODALIDADES,
      pageSize: PAGE_SIZE,
    });
  return { data, pncp, index, logs, round, expectExact };
}

describe("runSyncRound", () => {
  it("fills every window exactly with national queries, newest days first; the next round only refreshes", async () => {
    const { pncp, index, round, expectExact } = await world();
    const stats = await round();
    expectExact();
    expect(stats).toMatchObject({
      windows: DAYS * MODALIDADES.length,
      windowsComplete: DAYS * MODALIDADES.length,
      windowsRemaining: 0,
      failedPages: 0,
      stopped: 0,
    });
    expect(stats.records).toBeGreaterThan(400);
    for (const request of pncp.requests) {
      expect(request.params.uf).toBeUndefined();
      expect(request.params.tamanhoPagina).toBe(String(PAGE_SIZE));
      expect(request.params.dataInicial).toBeDefined();
    }
    // Publication windows are single days; the order of first pages: today and yesterday, then the
    // backfill from the newest day down.
    // First asks only (a page timed out on a busy machine is asked again later).
    const seen = new Set<string>();
    const firstPages = pncp.requests.filter((r) => {
      const key = `${r.params.dataInicial}|${r.params.codigoModalidadeContratacao}`;
      if (!r.path.endsWith("/publicacao") || r.params.pagina !== "1" || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const firstDays = firstPages.map((r) => r.params.dataInicial!);
    expect(firstPages.every((r) => r.params.dataInicial === r.params.dataFinal)).toBe(true);
    expect(firstDays.slice(0, 2 * MODALIDADES.length).every((d) => d >= "20260920")).toBe(true);
    const backfillOrder = firstDays.slice(2 * MODALIDADES.length);
    expect(backfillOrder).toEqual([...backfillOrder].sort().reverse());
    // /atualizacao over the last 2 days, every modalidade.
    const updates = pncp.requests.filter((r) => r.path.endsWith("/atualizacao") && r.params.pagina === "1");
    expect([...new Set(updates.map((r) => Number(r.params.codigoModalidadeContratacao)))].sort()).toEqual(
      [...MODALIDADES].sort(),
    );
    expect(
      updates.every((r) => r.params.dataInicial === "20260920" && r.params.dataFinal === "20260921"),
    ).toBe(true);
    expect(index.rounds).toHaveLength(1);

    pncp.requests.length = 0;
    const again = await round();
    expectExact();
    const days = new Set(
      pncp.requests.filter((r) => r.path.endsWith("/publicacao")).map((r) => r.params.dataInicial),
    );
    expect([...days].sort()).toEqual(["20260920", "20260921"]);
    expect(again).toMatchObject({ windows: 2 * MODALIDADES.length, windowsRemaining: 0, failedPages: 0 });
  });

  it("killed mid-window under 429s, 5xx, truncated JSON and hangs, resumes at the missing pages and ends exact", async () => {
    const { pncp, index, round, expectExact } = await world({ latencyMs: 5 });
    pncp.setFaults([
      { fault: "rate_limit", times: 4, retryAfter: "0" },
      { fault: "jdbc_500", match: { params: { pagina: "2" } }, times: 4 },
      { fault: "truncated", match: { params: { pagina: "3" } }, times: 3 },
      { fault: "hang", match: { params: { pagina: "4" } }, times: 2 },
      { fault: "gateway_timeout", times: 3 },
      { fault: "text_500", times: 2 },
    ]);
    const kill = new AbortController();
    let partialAtKill: string | null = null;
    const killed = round(index, {
      signal: kill.signal,
      onPage: () => {
        const partial = [...index.windowStates.values()].find(
          (w) =>
            w.day < addDays(TODAY, -1) && !w.complete && w.pagesDone.length > 0 && (w.pagesTotal ?? 0) > 2,
        );
        if (partial && !kill.signal.aborted) {
          partialAtKill = `${partial.day}|${partial.modalidade}`;
          kill.abort(new Error("killed"));
        }
      },
    });
    await expect(killed).rejects.toThrow("killed");
    expect(partialAtKill).not.toBeNull();
    const before = structuredClone(index.windowStates.get(partialAtKill!)!);
    expect(before.complete).toBe(false);
    expect(index.rounds).toHaveLength(0);
    await expect.poll(() => pncp.inFlight).toBe(0);
    const faults = new Set(pncp.requests.map((r) => r.fault).filter(Boolean));
    expect(faults.size).toBeGreaterThanOrEqual(3);

    pncp.requests.length = 0;
    const stats = await round();
    expectExact();
    expect(stats.failedPages).toBe(0);
    // The partial window was resumed: the pages it had were not asked for again.
    const [day, modalidade] = partialAtKill!.split("|");
    const asked = pncp.requests
      .filter(
        (r) =>
          r.path.endsWith("/publicacao") &&
          r.params.dataInicial === day!.replaceAll("-", "") &&
          r.params.codigoModalidadeContratacao === modalidade &&
          r.status === 200,
      )
      .map((r) => Number(r.params.pagina));
    for (const page of before.pagesDone) expect(asked).not.toContain(page);
    expect(asked.length).toBeGreaterThan(0);
  });

  it("a page PNCP keeps failing leaves its window partial and counted; the next round completes it", async () => {
    const { pncp, index, round, expectExact, logs } = await world();
    const day = addDays(TODAY, -3).replaceAll("-", "");
    pncp.setFaults([
      { fault: "jdbc_500", match: { path: "publicacao", params: { dataInicial: day, pagina: "2" } } },
    ]);
    index.failNextRecordPage(1);
    const first = await round();
    expect(first.failedPages).toBeGreaterThanOrEqual(2);
    expect(first.windowsRemaining).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => l.msg === "sync_page_failed")).toBe(true);
    pncp.setFaults([]);
    const second = await round();
    expect(second).toMatchObject({ failedPages: 0, windowsRemaining: 0 });
    expectExact();
  });

  it("/atualizacao brings rectifications: the newer version wins, an older one arriving later does not overwrite", async () => {
    const { pncp, index, round, data } = await world();
    await round();
    // A bid published 4 days ago (its window is complete, not refetched) is rectified today.
    const old = data.records.find((r) => r.dataPublicacaoPncp.startsWith(addDays(TODAY, -4)))!;
    // A bid published today is rectified today at 12:00.
    const fresh = data.records.find((r) => r.dataPublicacaoPncp.startsWith(TODAY))!;
    const oldRevised = revised(old, `${TODAY}T10:00:00`, "OBJETO RETIFICADO: aquisição de uniformes");
    const freshRevised = revised(fresh, `${TODAY}T12:00:00`, "OBJETO RETIFICADO: serviços de limpeza");
    const swap = (records: typeof data.records, replace: typeof data.records) =>
      records.map((r) => replace.find((x) => x.numeroControlePNCP === r.numeroControlePNCP) ?? r);
    pncp.replaceRecords(swap(data.records, [oldRevised, freshRevised]));
    const second = await round();
    expect(index.rows.get(old.numeroControlePNCP)!.bid.object).toBe(oldRevised.objetoCompra);
    expect(index.rows.get(fresh.numeroControlePNCP)!.bid.object).toBe(freshRevised.objetoCompra);
    expect(index.rows.get(old.numeroControlePNCP)!.pncpUpdatedAt).toBe("2026-09-21T13:00:00.000Z");
    expect(second.updatesUpdated).toBeGreaterThanOrEqual(1);

    // PNCP serves the stale versions again (a lagging replica): nothing goes back.
    pncp.replaceRecords(data.records);
    const third = await round();
    expect(index.rows.get(old.numeroControlePNCP)!.bid.object).toBe(oldRevised.objetoCompra);
    expect(index.rows.get(fresh.numeroControlePNCP)!.bid.object).toBe(freshRevised.objetoCompra);
    expect(third.updatesUpdated).toBe(0);
    expect(new Set(index.rows.keys()).size).toBe(index.rows.size);
  });

  it("a graceful stop finishes the pages in flight, stores them, and records no round", async () => {
    const { pncp, index, round, expectExact } = await world({ latencyMs: 20 });
    let stop = false;
    const stats = await round(index, {
      shouldStop: () => stop,
      onPage: (s: { pages: number }) => {
        if (s.pages >= 10) stop = true;
      },
    });
    expect(stats.stopped).toBe(1);
    expect(stats.windowsRemaining).toBeGreaterThan(0);
    expect(index.rounds).toHaveLength(0);
    expect(pncp.inFlight).toBe(0);
    const ok = pncp.requests.filter((r) => r.status === 200 || r.status === 204).length;
    expect(stats.pages).toBe(ok);
    await round();
    expectExact();
  });
});
