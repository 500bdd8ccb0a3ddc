/**
 * Excel benchmark: seconds and peak memory for 10,000 bids, streamed to a temp file and built as a
 * Buffer (the chat upload path). Prints numbers, asserts nothing.
 * Alone: `node bin/run-ts.mjs bench/excel.bench.ts`.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Bid } from "../src/core/bid.ts";
import type { BidsWorkbookInput } from "../src/core/excel/build-workbook.ts";
import { buildBidsWorkbookBuffer, writeBidsWorkbook } from "../src/core/excel/build-workbook.ts";
import { searchQuerySchema } from "../src/core/search-query.ts";
import { FallbackSummarizer } from "../src/core/summary/fallback-summarizer.ts";
import { computeTotals } from "../src/core/summary/totals.ts";
import { SAMPLE_NOW, sampleBids } from "../test/fakes/sample-bids.ts";

const BIDS = 10_000;
const MB = 1024 * 1024;

/** 10,000 distinct bids cycling through the real sample records (ids, values and dates varied). */
function manyBids(): Bid[] {
  const templates = sampleBids();
  return Array.from({ length: BIDS }, (_, i) => {
    const t = templates[i % templates.length]!;
    const shift = (i % 30) * 3_600_000;
    const at = (iso: string | null) => (iso ? new Date(Date.parse(iso) + shift).toISOString() : null);
    return {
      ...t,
      id: `${t.cnpj}-1-${String(i).padStart(6, "0")}/2026`,
      // One PNCP page per bid, as in real results (each is its own hyperlink in the sheet).
      link: `https://pncp.gov.br/app/editais/${t.cnpj}/2026/${i}`,
      pncpUrl: `https://pncp.gov.br/app/editais/${t.cnpj}/2026/${i}`,
      object: `${t.object} (lote ${i})`,
      estimatedValue:
        // Every 11th bid is sigiloso (0) and every 13th não informado, as in real PNCP pages.
        i % 11 === 0
          ? 0
          : i % 13 === 0 || t.estimatedValue === null
            ? null
            : Math.round(t.estimatedValue * (1 + (i % 7) / 10) * 100) / 100,
      publishedAt: at(t.publishedAt),
      proposalsOpenAt: at(t.proposalsOpenAt),
      proposalsCloseAt: at(t.proposalsCloseAt),
    };
  });
}

interface Measured {
  seconds: number;
  peakRssMb: number;
  peakHeapMb: number;
}

/** Runs `work`, sampling rss/heapUsed every 20 ms; peaks are deltas over the values just before. */
async function measure(work: () => Promise<unknown>): Promise<Measured> {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  };
  const timer = setInterval(sample, 20);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample();
  }
  return {
    seconds: (performance.now() - started) / 1000,
    peakRssMb: (peakRss - before.rss) / MB,
    peakHeapMb: (peakHeap - before.heapUsed) / MB,
  };
}

function line(label: string, m: Measured, bytes: number): string {
  return `${label}: ${m.seconds.toFixed(2)} s, peak Δrss ${m.peakRssMb.toFixed(1)} MB, peak ΔheapUsed ${m.peakHeapMb.toFixed(1)} MB, file ${(bytes / MB).toFixed(2)} MB`;
}

/** Prints the streaming-to-file and Buffer timings and peak memory for 10,000 bids. */
export async function benchExcel(): Promise<void> {
  const bids = manyBids();
  const query = searchQuerySchema.parse({ from: "2026-09-15", to: "2026-09-21", ufs: ["SP"] });
  const totals = computeTotals(bids, SAMPLE_NOW);
  const summary = await new FallbackSummarizer().summarize({ query, bids, totals, now: SAMPLE_NOW });
  const input: BidsWorkbookInput = {
    query,
    queryDescription: "benchmark: 10.000 licitações em SP",
    bids,
    totals,
    summary,
    generatedAt: SAMPLE_NOW,
  };
  const dir = await mkdtemp(join(tmpdir(), "smart-pncp-bench-"));
  try {
    const file = join(dir, "bench.xlsx");
    const streamed = await measure(() => writeBidsWorkbook(input, { filename: file }));
    console.log(line(`stream → file (${bids.length} bids)`, streamed, (await stat(file)).size));
    let size = 0;
    const buffered = await measure(async () => {
      size = (await buildBidsWorkbookBuffer(input)).length;
    });
    console.log(line(`Buffer (${bids.length} bids)`, buffered, size));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const invokedAs = [process.argv[1], process.argv[2]]
  .filter(Boolean)
  .map((p) => pathToFileURL(resolve(p!)).href);
if (invokedAs.includes(import.meta.url)) await benchExcel();
