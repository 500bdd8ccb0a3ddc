/**
 * Filter benchmark: records per second for the `saude` sector (100+ keywords and dozens of
 * exclusions) over 100,000 bids built by cycling the real fixture records with varied ids.
 * Run alone with `node bin/run-ts.mjs bench/filter.bench.ts`, or through `bench/run.ts`.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bid } from "../src/core/bid.ts";
import { filterBids } from "../src/core/filter/filter.ts";
import { loadFixtureBids } from "../src/core/filter/fixture-bids.testing.ts";
import { SECTORS } from "../src/core/filter/sectors.ts";
import { searchQuerySchema } from "../src/core/search-query.ts";

const RECORDS = 100_000;
const RUNS = 5;
const NOW = new Date("2026-11-22T12:00:00-03:00");

/** Builds the records, warms up once, then prints the median of RUNS timed runs. */
export async function benchFilter(): Promise<void> {
  const fixtures = loadFixtureBids();
  const bids: Bid[] = Array.from({ length: RECORDS }, (_, i) => {
    const base = fixtures[i % fixtures.length]!;
    return { ...base, id: `${base.id}#${i}` };
  });
  const query = searchQuerySchema.parse({
    sector: "saude",
    from: "2025-06-15",
    to: "2026-06-15",
    modalidades: [4, 6, 8],
  });
  filterBids(bids, query, NOW); // warm-up: compiles the sector matcher, JIT
  const times: number[] = [];
  let matched = 0;
  const cpuStart = process.cpuUsage();
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    matched = filterBids(bids, query, NOW).bids.length;
    times.push(performance.now() - start);
  }
  // CPU time is what the filter costs; wall time also counts other processes sharing the cores.
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPerRun = (cpu.user + cpu.system) / 1000 / RUNS;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)]!;
  const perSecond = Math.round(RECORDS / (median / 1000));
  const sector = SECTORS.saude;
  console.log(
    `filter: ${RECORDS.toLocaleString("en-US")} records, sector saude (${sector.keywords.length} keywords, ` +
      `${sector.exclusions.length} exclusions), ${matched.toLocaleString("en-US")} matched — median of ${RUNS} runs ` +
      `${median.toFixed(0)} ms → ${perSecond.toLocaleString("en-US")} records/s ` +
      `(min ${times[0]!.toFixed(0)} ms, max ${times[RUNS - 1]!.toFixed(0)} ms); CPU ${cpuMsPerRun.toFixed(0)} ms/run → ` +
      `${Math.round(RECORDS / (cpuMsPerRun / 1000)).toLocaleString("en-US")} records per CPU-second`,
  );
}

// `node bin/run-ts.mjs bench/filter.bench.ts` passes this file as argv[2]; `node --import tsx …` as argv[1].
const invokedPaths = process.argv.slice(1, 3).map((arg) => resolve(arg));
if (invokedPaths.includes(fileURLToPath(import.meta.url))) await benchFilter();
