import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { PassThrough, type Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { Bid } from "../bid.ts";
import { writeBidsSheet } from "./bids-sheet.ts";
import { type SummarySheetInput, writeSummarySheet } from "./summary-sheet.ts";

/** Everything a results workbook shows. */
export interface BidsWorkbookInput extends SummarySheetInput {
  bids: Bid[];
}

/** Where {@link writeBidsWorkbook} writes: a file path, or any writable stream (ended when done). */
export type WorkbookTarget = { filename: string } | { stream: Writable };

async function write(input: BidsWorkbookInput, stream: Writable): Promise<void> {
  // A stream error (disk full, closed socket) must reject, not leave commit() waiting for "finish".
  const failed = once(stream, "error").then(([error]) => Promise.reject(error));
  failed.catch(() => {});
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream,
    // Shared strings: standard `t="s"` string cells, and repeated órgãos/UFs stored once.
    useSharedStrings: true,
    useStyles: true,
  });
  workbook.creator = "Smart PNCP";
  workbook.created = input.generatedAt;
  const build = async () => {
    writeBidsSheet(workbook, input.bids);
    writeSummarySheet(workbook, input);
    await workbook.commit();
  };
  const done = build();
  done.catch(() => {}); // a failure after the stream already failed is reported through `failed`
  await Promise.race([done, failed]);
}

/**
 * Writes the .xlsx ("Licitações" + "Resumo") with exceljs's streaming writer, so rows are flushed as
 * they are written and 10,000 bids do not sit in memory as a cell model. Rejects on a write error.
 */
export async function writeBidsWorkbook(input: BidsWorkbookInput, target: WorkbookTarget): Promise<void> {
  const stream = "filename" in target ? createWriteStream(target.filename) : target.stream;
  await write(input, stream);
}

/** The same workbook as a Buffer, for chat uploads. */
export async function buildBidsWorkbookBuffer(input: BidsWorkbookInput): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  await write(input, sink);
  return Buffer.concat(chunks);
}
