/**
 * `npm run bench`: prints numbers (never asserts). Each benchmark also runs alone:
 * `node bin/run-ts.mjs bench/<name>.bench.ts`.
 */
import { benchAlerts } from "./alerts.bench.ts";
import { benchConsume } from "./consume.bench.ts";
import { benchExcel } from "./excel.bench.ts";
import { benchFetch } from "./fetch.bench.ts";
import { benchFilter } from "./filter.bench.ts";
import { benchIndex } from "./index.bench.ts";
import { benchOutbox } from "./outbox.bench.ts";
import { benchQueue } from "./queue.bench.ts";
import { benchSlackAck } from "./slack-ack.bench.ts";
import { benchStartup } from "./startup.bench.ts";
import { benchStoreStartup } from "./store-startup.bench.ts";
import { benchSync } from "./sync.bench.ts";

const benches: [string, () => Promise<void>][] = [
  ["fetch (PNCP fan-out vs ideal)", benchFetch],
  ["filter (records/s)", benchFilter],
  ["excel (10,000 bids)", benchExcel],
  ["consume_search latency", benchConsume],
  ["slack ack latency (50 searches in flight)", benchSlackAck],
  ["startup (cold CLI vs bare node)", benchStartup],
  ["embedded store (PGlite vs embedded Postgres; hung Redis)", benchStoreStartup],
  ["index (load, 27 UF × 90 d search, re-tag, vs live; BENCH_INDEX_ROWS)", benchIndex],
  ["sync (adaptive concurrency vs the gateway; records/s into the index)", benchSync],
  ["alerts (10,000 alerts vs one national day; BENCH_ALERTS_DB=0 skips the SQL round)", benchAlerts],
  ["queue (ack p99 and fairness: in-process vs BullMQ + 2 workers)", benchQueue],
  ["outbox (sender msgs/s, paced digest on a virtual clock, loopback HTTP, Postgres)", benchOutbox],
];

const only = process.argv.slice(3);
for (const [name, run] of benches) {
  if (only.length > 0 && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    console.log(`FAILED: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
