import type ExcelJS from "exceljs";
import { formatDateTime, formatIsoDate } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import type { SearchQuery } from "../search-query.ts";
import { describeFilters } from "../summary/empty-summary.ts";
import type { SearchTotals, Summary } from "../summary/summarizer.ts";
import { joinPt } from "../summary/summary-parts.ts";
import { BRL_FORMAT, INT_FORMAT } from "./excel-values.ts";
import { sanitizeCellText } from "./sanitize-cell.ts";

/** What the "Resumo" sheet shows. */
export interface SummarySheetInput {
  query: SearchQuery;
  queryDescription: string;
  totals: SearchTotals;
  summary: Summary;
  generatedAt: Date;
  termsUsed?: string[];
  notes?: string[];
}

const SOURCE_LABELS: Record<Summary["source"], string> = {
  openai: "Texto por IA (OpenAI); números calculados pelo Smart PNCP",
  fallback: "Automático (Smart PNCP)",
  empty: "Automático (Smart PNCP)",
};

type Line = [label: string, value: string | number | null, numFmt?: string];

function lines(input: SummarySheetInput): Line[] {
  const { query, totals, summary } = input;
  const terms = input.termsUsed ?? query.terms;
  const period = `${formatIsoDate(query.from)} a ${formatIsoDate(query.to)}`;
  const filters = describeFilters(query);
  if (query.openOnly) filters.unshift("somente recebendo propostas");
  const out: Line[] = [
    ["Busca", input.queryDescription],
    ["Termos usados", terms.length > 0 ? terms.join(", ") : "—"],
    ["Setor", query.sector ?? "—"],
    ["UFs", query.ufs.length > 0 ? query.ufs.join(", ") : "Todos os estados"],
    ["Período", period],
    ["Modalidades", joinPt(query.modalidades.map(modalidadeName))],
    ["Filtros", filters.length > 0 ? filters.join("; ") : "Nenhum"],
    ["", null],
    ["Licitações encontradas", totals.count, INT_FORMAT],
    ["Com valor informado", totals.withValue, INT_FORMAT],
    ["Valor total estimado", totals.totalValue, BRL_FORMAT],
    ["Encerram em até 7 dias", totals.closingSoon, INT_FORMAT],
    ["Gerado em", `${formatDateTime(input.generatedAt)} (horário de Brasília)`],
    ["", null],
    ["Resumo", summary.text],
    ["Fonte do resumo", SOURCE_LABELS[summary.source]],
  ];
  summary.highlights.forEach((h, i) => {
    out.push([i === 0 ? "Destaques" : "", h]);
  });
  if (summary.alert) out.push(["Alerta", summary.alert]);
  (input.notes ?? []).forEach((n, i) => {
    out.push([i === 0 ? "Observações" : "", n]);
  });
  return out;
}

/**
 * Writes and commits the "Resumo" sheet: a title, then label/value rows for the query, our totals
 * (real number cells), when it was generated (São Paulo), the summary, highlights, alert and notes.
 * Every text, including the LLM's, goes through `sanitizeCellText`.
 */
export function writeSummarySheet(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  input: SummarySheetInput,
): void {
  const sheet = workbook.addWorksheet("Resumo");
  sheet.columns = [{ width: 26 }, { width: 110 }];
  const title = sheet.getRow(1);
  title.getCell(1).value = "Smart PNCP — Resumo da busca";
  title.font = { bold: true, size: 14 };
  title.commit();
  sheet.getRow(2).commit();
  lines(input).forEach(([label, value, numFmt], i) => {
    const row = sheet.getRow(i + 3);
    row.getCell(1).value = label ? sanitizeCellText(label) : null;
    row.getCell(1).font = { bold: true };
    row.getCell(1).alignment = { vertical: "top" };
    const cell = row.getCell(2);
    cell.value = typeof value === "string" ? sanitizeCellText(value) : value;
    if (numFmt) cell.numFmt = numFmt;
    cell.alignment = { vertical: "top", wrapText: true, horizontal: "left" };
    row.commit();
  });
  sheet.commit();
}
