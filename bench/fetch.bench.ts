/**
 * Fetch benchmark: wall time of a 5-UF × 4-modalidade × 90-day search against the loopback fake PNCP
 * answering every page after 300 ms, compared with the ideal ⌈pages ÷ concurrency⌉ × latency (perfect
 * use of the concurrency limit). Synthetic volume (cloned real records) gives every slice several pages.
 * Run alone: `node bin/run-ts.mjs bench/fetch.bench.ts`; `bench/run.ts` imports `benchFetch`.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HttpPncpClient } from "../src/core/pncp/http-pncp-client.ts";
import type { PncpFetchRequest } from "../src/core/pncp/pncp-client.ts";
import { startFakePncp } from "../test/fakes/fake-pncp.ts";

const LATENCY_MS = 300;
const CONCURRENCY = 8;
const PAGE_SIZE = 50;
const RECORDS_PER_SLICE = 275; // 6 pages of 50, the last one partial

/** Runs the fetch benchmark and prints its figures with console.log. */
export async function benchFetch(): Promise<void> {
  const request: PncpFetchRequest = {
    ufs: ["SP", "MG", "RJ", "PR", "BA"],
    modalidades: [6, 4, 8, 5],
    from: "2026-06-24",
    to: "2026-09-21",
    openOnly: false,
  };
  const slices = request.ufs.length * request.modalidades.length;
  const pncp = await startFakePncp({
    latencyMs: LATENCY_MS,
    synthetic: {
      count: slices * RECORDS_PER_SLICE,
      ufs: request.ufs,
      modalidades: request.modalidades,
      from: request.from,
      to: request.to,
    },
  });
  try {
    const client = new HttpPncpClient({ baseUrl: pncp.url, concurrency: CONCURRENCY, pageSize: PAGE_SIZE });
    const started = performance.now();
    const { bids, stats } = await client.fetchBids(request);
    const actualMs = performance.now() - started;
    const idealMs = Math.ceil(stats.pages / CONCURRENCY) * LATENCY_MS;
    console.log("fetch benchmark (5 UF × 4 modalidades × 90 days, fake PNCP at 300 ms/page)");
    console.log(
      [
        `  slices ${slices}, pages ${stats.pages}, requests ${stats.requests}, records ${bids.length}/${pncp.records.length}`,
        `  concurrency ${CONCURRENCY} (max in flight seen ${pncp.maxInFlight}), latency ${LATENCY_MS} ms/page`,
        `  ideal ${idealMs} ms, actual ${Math.round(actualMs)} ms, ratio ${(actualMs / idealMs).toFixed(2)}`,
        `  sequential would take ${stats.pages * LATENCY_MS} ms`,
      ].join("\n"),
    );
  } finally {
    await pncp.close();
  }
}

const entry = process.argv[2];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  await benchFetch();
}
