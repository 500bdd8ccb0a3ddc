import type ExcelJS from "exceljs";
import type { Bid } from "../bid.ts";
import { formatInt } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import { BID_STATUS_LABELS } from "../summary/status-labels.ts";
import { BRL_FORMAT, DATE_FORMAT, DATE_TIME_FORMAT, excelLocalDate, safeHyperlink } from "./excel-values.ts";
import { sanitizeCellText } from "./sanitize-cell.ts";

/** The "Licitações" columns, in order. */
export const BID_COLUMNS = [
  { header: "Código PNCP", width: 30 },
  { header: "Objeto", width: 60 },
  { header: "Órgão", width: 36 },
  { header: "UF", width: 6 },
  { header: "Município", width: 20 },
  { header: "Valor Estimado", width: 18 },
  { header: "Modalidade", width: 24 },
  { header: "Situação", width: 20 },
  { header: "Publicação", width: 12 },
  { header: "Abertura das propostas", width: 18 },
  { header: "Encerramento das propostas", width: 18 },
  { header: "Link", width: 10 },
] as const;

const LAST_COLUMN = "L";
const VALUE_COLUMN = "F";
const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FF1F4E78" } };
const TOP = { vertical: "top" } as const;
const LINK_FONT = { color: { argb: "FF0563C1" }, underline: true } as const;

const text = (value: string | null) => (value === null ? null : sanitizeCellText(value));

function writeHeader(sheet: ExcelJS.Worksheet): void {
  const row = sheet.getRow(1);
  row.values = BID_COLUMNS.map((c) => c.header);
  row.font = { bold: true, color: { argb: "FFFFFFFF" } };
  row.fill = HEADER_FILL;
  row.alignment = { vertical: "middle", wrapText: true };
  row.height = 30;
  row.commit();
}

function writeBid(sheet: ExcelJS.Worksheet, bid: Bid): void {
  const row = sheet.addRow([
    text(bid.id),
    text(bid.object),
    text(bid.agency),
    text(bid.uf),
    text(bid.municipality),
    bid.estimatedValue,
    text(modalidadeName(bid.modalityId)),
    BID_STATUS_LABELS[bid.status],
    excelLocalDate(bid.publishedAt),
    excelLocalDate(bid.proposalsOpenAt),
    excelLocalDate(bid.proposalsCloseAt),
  ]);
  row.alignment = TOP;
  row.getCell(2).alignment = { vertical: "top", wrapText: true };
  row.getCell(6).numFmt = BRL_FORMAT;
  row.getCell(9).numFmt = DATE_FORMAT;
  row.getCell(10).numFmt = DATE_TIME_FORMAT;
  row.getCell(11).numFmt = DATE_TIME_FORMAT;
  const link = row.getCell(12);
  const url = safeHyperlink(bid.link);
  if (url) {
    link.value = { text: "Abrir", hyperlink: url };
    link.font = LINK_FONT;
  } else {
    link.value = text(bid.link);
  }
  row.commit();
}

/**
 * Writes and commits the "Licitações" sheet: styled header, frozen first row, one row per bid, an
 * autofilter over header + data, a blank row, then the total row (count, and a SUM we write ourselves,
 * cached with our own sum so viewers that do not recalculate still show it).
 */
export function writeBidsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, bids: readonly Bid[]): void {
  const sheet = workbook.addWorksheet("Licitações", { views: [{ state: "frozen", ySplit: 1, xSplit: 0 }] });
  sheet.columns = BID_COLUMNS.map((c) => ({ width: c.width }));
  writeHeader(sheet);
  let sum = 0;
  let withValue = 0;
  for (const bid of bids) {
    writeBid(sheet, bid);
    if (bid.estimatedValue !== null) {
      sum += bid.estimatedValue;
      withValue += 1;
    }
  }
  const lastData = bids.length + 1;
  sheet.autoFilter = `A1:${LAST_COLUMN}${lastData}`;

  const total = sheet.getRow(lastData + 2);
  total.getCell(1).value = "Total";
  total.getCell(2).value =
    `${formatInt(bids.length)} ${bids.length === 1 ? "licitação" : "licitações"} (${formatInt(withValue)} com valor informado)`;
  const valueCell = total.getCell(6);
  valueCell.value =
    bids.length > 0
      ? { formula: `SUM(${VALUE_COLUMN}2:${VALUE_COLUMN}${lastData})`, result: Math.round(sum * 100) / 100 }
      : 0;
  valueCell.numFmt = BRL_FORMAT;
  total.font = { bold: true };
  total.commit();
  sheet.commit();
}
