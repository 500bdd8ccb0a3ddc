/**
 * Filter benchmark: records per second for the largest sector (most keywords + exclusions) over 100,000
 * bids built by cycling the real fixture records with varied ids.
 *
 * Prints, in the same run and on the same records:
 * - the sector text rule alone (object + complementary text, as `filterBids` scores them) with the
 *   one-pass matcher and with the reference (previous) matcher, and whether their decisions and scores
 *   are identical (they must be: test/filter/ holds them to it);
 * - `filterBids` end to end (text rule, field filters, relevance sort), and with the `best_fit` sort.
 * CPU time is reported next to wall time: other processes share the cores.
 * Run alone with `node bin/run-ts.mjs bench/filter.bench.ts`, or through `bench/run.ts`.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Bid } from "../src/core/bid.ts";
import { filterBids } from "../src/core/filter/filter.ts";
import { loadFixtureBids } from "../src/core/filter/fixture-bids.testing.ts";
import { compileMatcher, type Matcher } from "../src/core/filter/matcher.ts";
import { compileReferenceMatcher } from "../src/core/filter/reference-matcher.ts";
import { SECTORS } from "../src/core/filter/sectors.ts";
import { type SortKey, searchQuerySchema } from "../src/core/search-query.ts";
import { SECTOR_IDS, type SectorId } from "../src/core/sectors.ts";

const RECORDS = 100_000;
const RUNS = 5;
const NOW = new Date("2026-11-22T12:00:00-03:00");

interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  cpuMsPerRun: number;
}

/**
 * Warms each up once, then times RUNS rounds, alternating the runs within each round so that both see
 * the same load on a shared machine (wall median, min, max; CPU median per run).
 */
function timeAlternating(runs: readonly (() => void)[]): Timing[] {
  for (const run of runs) run();
  const wall: number[][] = runs.map(() => []);
  const cpu: number[][] = runs.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    runs.forEach((run, k) => {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      run();
      wall[k]!.push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu[k]!.push((used.user + used.system) / 1000);
    });
  }
  return runs.map((_, k) => {
    const times = wall[k]!.sort((a, b) => a - b);
    const cpus = cpu[k]!.sort((a, b) => a - b);
    return {
      medianMs: times[Math.floor(RUNS / 2)]!,
      minMs: times[0]!,
      maxMs: times[RUNS - 1]!,
      cpuMsPerRun: cpus[Math.floor(RUNS / 2)]!,
    };
  });
}

const time = (run: () => void): Timing => timeAlternating([run])[0]!;

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function line(label: string, t: Timing): string {
  return (
    `${label.padEnd(34)} median ${t.medianMs.toFixed(0).padStart(5)} ms → ${fmt(RECORDS / (t.medianMs / 1000)).padStart(9)} records/s` +
    ` (min ${t.minMs.toFixed(0)}, max ${t.maxMs.toFixed(0)} ms); CPU median ${t.cpuMsPerRun.toFixed(0)} ms/run → ` +
    `${fmt(RECORDS / (t.cpuMsPerRun / 1000))} records per CPU-second`
  );
}

/** The sector text rule as `filterBids` applies it: decision and score of every bid, in one pass. */
function textRule(matcher: Matcher, bids: readonly Bid[], out: Float64Array): void {
  for (let i = 0; i < bids.length; i++) {
    const bid = bids[i]!;
    const inObject = matcher.match(bid.object);
    const inDetails = bid.details ? matcher.match(bid.details) : null;
    out[i] = inObject.matched || inDetails?.matched ? 2 * inObject.score + (inDetails?.score ?? 0) : -1;
  }
}

function largestSector(): SectorId {
  const size = (id: SectorId) => SECTORS[id].keywords.length + SECTORS[id].exclusions.length;
  return [...SECTOR_IDS].sort((a, b) => size(b) - size(a))[0]!;
}

/** Builds the records and prints the numbers. */
export async function benchFilter(): Promise<void> {
  const fixtures = loadFixtureBids();
  const bids: Bid[] = Array.from({ length: RECORDS }, (_, i) => {
    const base = fixtures[i % fixtures.length]!;
    return { ...base, id: `${base.id}#${i}` };
  });
  const id = largestSector();
  const sector = SECTORS[id];
  const spec = { keywords: sector.keywords, exclusions: sector.exclusions };
  const fast = compileMatcher(spec);
  const reference = compileReferenceMatcher(spec);
  const fastOut = new Float64Array(RECORDS);
  const referenceOut = new Float64Array(RECORDS);
  console.log(
    `filter: ${fmt(RECORDS)} records (${fmt(fixtures.length)} real fixture records cycled), largest sector ` +
      `${id} (${sector.keywords.length} keywords, ${sector.exclusions.length} exclusions)`,
  );
  const [fastTime, referenceTime] = timeAlternating([
    () => textRule(fast, bids, fastOut),
    () => textRule(reference, bids, referenceOut),
  ]) as [Timing, Timing];
  let differ = 0;
  let matched = 0;
  for (let i = 0; i < RECORDS; i++) {
    if (fastOut[i] !== referenceOut[i]) differ++;
    if (fastOut[i]! >= 0) matched++;
  }
  console.log(line("  text rule, one-pass matcher", fastTime));
  console.log(line("  text rule, reference matcher", referenceTime));
  console.log(
    `  ${fmt(matched)} matched; decisions and scores ${differ === 0 ? "IDENTICAL" : `DIFFER on ${fmt(differ)} records`}; ` +
      `speed-up ×${(referenceTime.cpuMsPerRun / fastTime.cpuMsPerRun).toFixed(1)} (CPU)`,
  );
  for (const sort of ["relevance", "best_fit"] as SortKey[]) {
    const query = searchQuerySchema.parse({
      sector: id,
      from: "2025-06-15",
      to: "2026-06-15",
      modalidades: [4, 6, 8],
      sort,
    });
    let kept = 0;
    const t = time(() => {
      kept = filterBids(bids, query, NOW).bids.length;
    });
    console.log(`${line(`  filterBids, sort ${sort}`, t)}; ${fmt(kept)} kept`);
  }
}

// `node bin/run-ts.mjs bench/filter.bench.ts` passes this file as argv[2]; `node --import tsx …` as argv[1].
const invokedPaths = process.argv.slice(1, 3).map((arg) => resolve(arg));
if (invokedPaths.includes(fileURLToPath(import.meta.url))) await benchFilter();
