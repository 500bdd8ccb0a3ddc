/**
 * `startSyncWorker` on the memory index double: a dead holder's lease expires and the waiting syncer takes
 * over; a stolen lease stops the round; a PNCP that hangs every request is reported as `sync_stalled`;
 * `stop()` is graceful (nothing in flight afterwards, lease released).
 */
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import { systemClock } from "../../src/core/ports/clock.ts";
import { syncModalidades } from "../../src/core/sync/sync-plan.ts";
import { startSyncWorker } from "../../src/core/sync/sync-worker.ts";
import { saoPauloDate } from "../../src/core/time.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { MemoryBidIndex } from "../fakes/memory-bid-index.ts";
import { syncDataSet } from "./sync-data.ts";

const MODALIDADES = syncModalidades();
const fakes: FakePncp[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function world(options: { latencyMs?: number; timeoutMs?: number } = {}) {
  const today = saoPauloDate(new Date());
  const data = syncDataSet(today, 3, MODALIDADES);
  const pncp = await startFakePncp({ records: data.records, latencyMs: options.latencyMs ?? 2 });
  fakes.push(pncp);
  const index = new MemoryBidIndex();
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const client = new HttpPncpClient({
    baseUrl: pncp.url,
    pageSize: 10,
    timeoutMs: options.timeoutMs ?? 500,
    retryBaseMs: 5,
    retryMaxDelayMs: 20,
    breakerFailureThreshold: 1_000,
    logger,
  });
  const deps = { pncp: client, index, clock: systemClock, logger };
  const settings = {
    modalidades: MODALIDADES,
    backfillDays: 3,
    intervalMs: 60_000,
    leaseTtlMs: 300,
    leasePollMs: 25,
    holder: "worker-1",
  };
  return { pncp, index, logs, deps, settings };
}

describe("startSyncWorker", () => {
  it("waits while a dead instance's lease lasts, then takes over and syncs", async () => {
    const { index, logs, deps, settings } = await world();
    const started = Date.now();
    expect(await index.acquireLease("sync", "dead-instance", 400, new Date())).toBe(true);
    const worker = startSyncWorker(deps, settings);
    const stats = await worker.nextRound();
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(stats).toMatchObject({ windowsRemaining: 0, failedPages: 0 });
    expect(logs.some((l) => l.msg === "sync_waiting_for_lease")).toBe(true);
    expect(index.leases.get("sync")?.holder).toBe("worker-1");
    await worker.stop();
    expect(index.leases.has("sync")).toBe(false);
    expect(worker.status()).toMatchObject({ holdsLease: false, running: false, rounds: 1 });
  });

  it("renews its lease while a round runs, and stops the round when another instance took it", async () => {
    // 250 ms a page: the round needs several round trips, far longer than one renewal (ttl/3 = 100 ms),
    // however fast the machine is.
    const { index, logs, deps, settings, pncp } = await world({ latencyMs: 250 });
    const worker = startSyncWorker(deps, settings);
    await expect.poll(() => pncp.requests.length, { timeout: 5_000, interval: 10 }).toBeGreaterThan(0);
    expect(index.rounds).toHaveLength(0);
    // Another instance (clock skew, a long GC pause here) holds it now: our next renewal fails.
    index.leases.set("sync", { holder: "intruder", until: Date.now() + 60_000 });
    await expect.poll(() => logs.some((l) => l.msg === "sync_lease_lost"), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => worker.status().running, { timeout: 5_000 }).toBe(false);
    expect(index.rounds).toHaveLength(0);
    await worker.stop();
    expect(index.leases.get("sync")?.holder).toBe("intruder");
  });

  it("logs sync_stalled when no page is stored for the stall period, and stops cleanly", async () => {
    const { pncp, logs, deps, settings, index } = await world({ timeoutMs: 10_000 });
    pncp.setFaults([{ fault: "hang" }]);
    const worker = startSyncWorker(deps, { ...settings, leaseTtlMs: 30_000, stallAfterMs: 200 });
    await expect.poll(() => logs.some((l) => l.msg === "sync_stalled"), { timeout: 5_000 }).toBe(true);
    const stalled = logs.find((l) => l.msg === "sync_stalled")!;
    expect(stalled.level).toBe(50); // error: loud
    expect(worker.status().stalled).toBe(true);
    pncp.setFaults([]);
    // Graceful stop waits for the pages in flight, for at most the grace period: these hang, so they are
    // cancelled then, and nothing is left on the wire.
    const started = Date.now();
    await worker.stop(150);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect.poll(() => pncp.inFlight).toBe(0);
    expect(logs.some((l) => l.msg === "sync_cancelled")).toBe(true);
    expect(index.leases.has("sync")).toBe(false);
  });
});
