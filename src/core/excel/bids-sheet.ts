import type ExcelJS from "exceljs";
import { type Bid, knownValue } from "../bid.ts";
import { formatCnpj, formatInt, formatValueOrMissing } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import { BID_STATUS_LABELS } from "../summary/status-labels.ts";
import { BRL_FORMAT, DATE_FORMAT, DATE_TIME_FORMAT, excelLocalDate, safeHyperlink } from "./excel-values.ts";
import { sanitizeCellText } from "./sanitize-cell.ts";

/**
 * The "Licitações" columns, in order. The Código PNCP cell links to the bid's PNCP page; the value
 * column holds only known values (PNCP's 0 "sigiloso" and a missing value leave it empty, so the SUM
 * skips them) and "Observação do valor" says which of the two it was.
 */
export const BID_COLUMNS = [
  { key: "id", header: "Código PNCP", width: 30 },
  { key: "object", header: "Objeto", width: 60 },
  { key: "agency", header: "Órgão", width: 36 },
  { key: "cnpj", header: "CNPJ do órgão", width: 20 },
  { key: "uf", header: "UF", width: 6 },
  { key: "municipality", header: "Município", width: 20 },
  { key: "value", header: "Valor Estimado", width: 18 },
  { key: "valueNote", header: "Observação do valor", width: 20 },
  { key: "modality", header: "Modalidade", width: 24 },
  { key: "status", header: "Situação", width: 20 },
  { key: "srp", header: "Registro de preços (SRP)", width: 14 },
  { key: "publishedAt", header: "Publicação", width: 12 },
  { key: "opensAt", header: "Abertura das propostas", width: 18 },
  { key: "closesAt", header: "Encerramento das propostas", width: 18 },
  { key: "sourceUrl", header: "Link do sistema de origem", width: 34 },
] as const;

type ColumnKey = (typeof BID_COLUMNS)[number]["key"];

/** Spreadsheet letter of a 1-based column number (1 → A, 15 → O; fewer than 27 columns). */
function letter(column: number): string {
  return String.fromCharCode(64 + column);
}

const COL = Object.fromEntries(BID_COLUMNS.map((c, i) => [c.key, i + 1])) as Record<ColumnKey, number>;
const LAST_COLUMN = letter(BID_COLUMNS.length);
const VALUE_COLUMN = letter(COL.value);
const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FF1F4E78" } };
const TOP = { vertical: "top" } as const;
const LINK_FONT = { color: { argb: "FF0563C1" }, underline: true } as const;
const SRP_LABELS = { true: "Sim", false: "Não" } as const;

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

/** A clickable cell showing `label` when `url` is a real http(s) URL, else the plain `label` (or null). */
function setLink(cell: ExcelJS.Cell, label: string | null, url: string | null): void {
  const safe = url ? safeHyperlink(url) : null;
  if (safe && label !== null) {
    cell.value = { text: sanitizeCellText(label), hyperlink: safe };
    cell.font = LINK_FONT;
  } else {
    cell.value = text(label);
  }
}

/** Host name of a URL for the source-link cell ("cnetmobile.estaleiro.serpro.gov.br"), else the URL. */
function linkLabel(url: string): string {
  try {
    return new URL(url).hostname || url;
  } catch {
    return url;
  }
}

function writeBid(sheet: ExcelJS.Worksheet, bid: Bid): void {
  const value = knownValue(bid.estimatedValue);
  const cells: ExcelJS.CellValue[] = new Array(BID_COLUMNS.length).fill(null);
  const set = (key: ColumnKey, v: ExcelJS.CellValue) => {
    cells[COL[key] - 1] = v;
  };
  set("object", text(bid.object));
  set("agency", text(bid.agency));
  set("cnpj", text(formatCnpj(bid.cnpj)));
  set("uf", text(bid.uf));
  set("municipality", text(bid.municipality));
  set("value", value);
  set("valueNote", value === null ? formatValueOrMissing(bid.estimatedValue) : null);
  set("modality", text(modalidadeName(bid.modalityId)));
  set("status", BID_STATUS_LABELS[bid.status]);
  set("srp", bid.srp === null ? "—" : SRP_LABELS[`${bid.srp}`]);
  set("publishedAt", excelLocalDate(bid.publishedAt));
  set("opensAt", excelLocalDate(bid.proposalsOpenAt));
  set("closesAt", excelLocalDate(bid.proposalsCloseAt));
  const row = sheet.addRow(cells);
  row.alignment = TOP;
  setLink(row.getCell(COL.id), bid.id, bid.pncpUrl);
  const source = bid.sourceUrl ? safeHyperlink(bid.sourceUrl) : null;
  setLink(row.getCell(COL.sourceUrl), source ? linkLabel(source) : null, source);
  row.getCell(COL.object).alignment = { vertical: "top", wrapText: true };
  row.getCell(COL.value).numFmt = BRL_FORMAT;
  row.getCell(COL.publishedAt).numFmt = DATE_FORMAT;
  row.getCell(COL.opensAt).numFmt = DATE_TIME_FORMAT;
  row.getCell(COL.closesAt).numFmt = DATE_TIME_FORMAT;
  row.commit();
}

/**
 * Writes and commits the "Licitações" sheet: styled header, frozen first row, one row per bid, an
 * autofilter over header + data, a blank row, then the total row (count, and a SUM we write ourselves,
 * cached with our own sum so viewers that do not recalculate still show it). Only known values
 * (`knownValue`) are in the value column, so the SUM and the "com valor informado" count agree with
 * `computeTotals`.
 */
export function writeBidsSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, bids: readonly Bid[]): void {
  const sheet = workbook.addWorksheet("Licitações", { views: [{ state: "frozen", ySplit: 1, xSplit: 0 }] });
  sheet.columns = BID_COLUMNS.map((c) => ({ width: c.width }));
  writeHeader(sheet);
  let sum = 0;
  let withValue = 0;
  for (const bid of bids) {
    writeBid(sheet, bid);
    const value = knownValue(bid.estimatedValue);
    if (value !== null) {
      sum += value;
      withValue += 1;
    }
  }
  const lastData = bids.length + 1;
  sheet.autoFilter = `A1:${LAST_COLUMN}${lastData}`;

  const total = sheet.getRow(lastData + 2);
  total.getCell(1).value = "Total";
  total.getCell(2).value =
    `${formatInt(bids.length)} ${bids.length === 1 ? "licitação" : "licitações"} (${formatInt(withValue)} com valor informado)`;
  const valueCell = total.getCell(COL.value);
  valueCell.value =
    bids.length > 0
      ? { formula: `SUM(${VALUE_COLUMN}2:${VALUE_COLUMN}${lastData})`, result: Math.round(sum * 100) / 100 }
      : 0;
  valueCell.numFmt = BRL_FORMAT;
  total.font = { bold: true };
  total.commit();
  sheet.commit();
}
