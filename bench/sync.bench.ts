/**
 * Sync benchmark.
 *
 * 1. Adaptive concurrency against PNCP's gateway: a sync round (the real `runSyncRound` + `HttpPncpClient`)
 *    against the loopback PNCP answering every page after 1.4 s and a 429 (at once, no Retry-After, like
 *    the real gateway) to any request arriving while 10 are in flight. Time is scaled down 5× (280 ms per
 *    page, backoff base 200 ms); pages/min are reported at real scale. The ideal is 10 ÷ 1.4 s = 428.6
 *    pages/min. The same round with the old fixed width of 8 is shown for comparison.
 * 2. Sync throughput: records/s a round writes into the SQL index (PGlite in memory; the local Postgres
 *    when reachable), PNCP answering at once, 50 records per page.
 *
 * Run alone: `node bin/run-ts.mjs bench/sync.bench.ts`; `bench/run.ts` imports `benchSync`.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HttpPncpClient } from "../src/core/pncp/http-pncp-client.ts";
import type { BidIndex } from "../src/core/ports/bid-index.ts";
import { systemClock } from "../src/core/ports/clock.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import { runSyncRound, type SyncIndex } from "../src/core/sync/run-sync-round.ts";
import { saoPauloDate } from "../src/core/time.ts";
import { PgStore } from "../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../src/stores/pglite-store.ts";
import { createBidIndex } from "../src/stores/sql-bid-index.ts";
import { startFakePncp } from "../test/fakes/fake-pncp.ts";
import { MemoryBidIndex } from "../test/fakes/memory-bid-index.ts";
import { createTestDatabase, postgresAvailable } from "../test/helpers/services.ts";
import { syncDataSet } from "../test/sync/sync-data.ts";

const SCALE = 5;
const REAL_LATENCY_MS = 1_400;
const LATENCY_MS = REAL_LATENCY_MS / SCALE;
const ALLOWANCE = 10;
const MODALIDADES = [6, 4, 8];

export async function gatewayRun(label: string, ceiling: number, initial: number): Promise<void> {
  const today = saoPauloDate(new Date());
  // ~1,060 pages of 10 records over 8 days × 3 modalidades.
  const data = syncDataSet(today, 8, MODALIDADES, 16);
  const pncp = await startFakePncp({
    records: data.records,
    latencyMs: LATENCY_MS,
    rateLimitAbove: ALLOWANCE,
  });
  try {
    const widths: number[] = [];
    const client = new HttpPncpClient({
      baseUrl: pncp.url,
      pageSize: 10,
      concurrency: ceiling,
      initialConcurrency: initial,
      retryBaseMs: 1_000 / SCALE,
      retryMaxDelayMs: 15_000 / SCALE,
      timeoutMs: 20_000 / SCALE,
      breakerFailureThreshold: 1_000,
    });
    const inFlight: number[] = [];
    const sampler = setInterval(() => {
      widths.push(client.concurrency.limit);
      inFlight.push(pncp.inFlight);
    }, 20);
    const started = performance.now();
    const stats = await runSyncRound(
      { pncp: client, index: new MemoryBidIndex(), clock: systemClock, logger: silentLogger() },
      { modalidades: MODALIDADES, backfillDays: 8, parallelPages: ceiling * 2 },
    );
    const ms = performance.now() - started;
    clearInterval(sampler);
    const ok = pncp.requests.filter((r) => r.status === 200 || r.status === 204 || r.status === 400).length;
    const limited = pncp.requests.filter((r) => r.status === 429);
    const half = pncp.requests[Math.floor(pncp.requests.length / 2)]?.at ?? 0;
    const lateLimited = limited.filter((r) => r.at >= half).length;
    const realPagesPerMin = (ok / (ms * SCALE)) * 60_000;
    const ideal = (ALLOWANCE / REAL_LATENCY_MS) * 60_000;
    // Steady state: the second half of the run, after the limiter learned the allowance.
    const okStatuses = new Set([200, 204, 400]);
    const lastAt = pncp.requests.at(-1)?.at ?? 0;
    const secondHalf = pncp.requests.filter((r) => r.at >= lastAt / 2 && okStatuses.has(r.status)).length;
    const steadyPerMin = (secondHalf / ((lastAt / 2) * SCALE)) * 60_000;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const meanWidth = mean(widths);
    // In flight ÷ throughput (Little's law): the page time this busy machine actually delivered.
    const servedLatency = (mean(inFlight) / (ok / ms)) * SCALE;
    console.log(
      [
        `  ${label}: ${ok} pages in ${(ms / 1000).toFixed(1)} s (scaled) → ${realPagesPerMin.toFixed(1)} pages/min at real scale`,
        `    ideal ${ideal.toFixed(1)} pages/min → ${((realPagesPerMin / ideal) * 100).toFixed(1)} % of ideal; second half (steady state) ${steadyPerMin.toFixed(1)} pages/min = ${((steadyPerMin / ideal) * 100).toFixed(1)} %`,
        `    429s seen ${limited.length} (${((limited.length / pncp.requests.length) * 100).toFixed(2)} % of requests; ${lateLimited} in the second half), max in flight ${pncp.maxInFlight}`,
        `    width: ceiling ${ceiling}, mean ${meanWidth.toFixed(1)}, halvings ${client.concurrency.halvings}, failed probes ${client.concurrency.probeBackoffs}; round failed pages ${stats.failedPages}, retries ${stats.retries}`,
        `    allowance used: mean ${mean(inFlight).toFixed(2)} of ${ALLOWANCE} in flight at the gateway (${((mean(inFlight) / ALLOWANCE) * 100).toFixed(1)} %); observed page time ${Math.round(servedLatency)} ms at real scale (nominal ${REAL_LATENCY_MS})`,
      ].join("\n"),
    );
  } finally {
    await pncp.close();
  }
}

async function throughput(label: string, index: SyncIndex | BidIndex): Promise<void> {
  const today = saoPauloDate(new Date());
  const data = syncDataSet(today, 6, MODALIDADES, 10);
  const pncp = await startFakePncp({ records: data.records });
  try {
    const client = new HttpPncpClient({ baseUrl: pncp.url, concurrency: 16, initialConcurrency: 16 });
    const started = performance.now();
    const stats = await runSyncRound(
      { pncp: client, index, clock: systemClock, logger: silentLogger() },
      { modalidades: MODALIDADES, backfillDays: 6, parallelPages: 16 },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `  ${label}: ${stats.records} records, ${stats.pages} pages in ${seconds.toFixed(1)} s → ${Math.round(stats.records / seconds)} records/s (tags and search text computed on write)`,
    );
  } finally {
    await pncp.close();
  }
}

/** Runs the sync benchmark and prints its figures with console.log. */
export async function benchSync(): Promise<void> {
  console.log(
    `sync vs PNCP's gateway (${REAL_LATENCY_MS} ms/page, 429 above ${ALLOWANCE} in flight; time scaled 1/${SCALE})`,
  );
  await gatewayRun("adaptive (PNCP_CONCURRENCY=16)", 16, 4);
  await gatewayRun("fixed width 8 (before)", 8, 8);

  console.log("sync throughput into the SQL index (PNCP answering at once, 50 records/page)");
  const pglite = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  try {
    await throughput("PGlite (memory)", createBidIndex(pglite));
  } finally {
    await pglite.close();
  }
  if (await postgresAvailable()) {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 4 });
    try {
      await throughput("Postgres", createBidIndex(store));
    } finally {
      await store.close();
      await database.drop();
    }
  } else console.log("  Postgres: not reachable, skipped");
}

const entry = process.argv[2];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  await benchSync();
}
