import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bid } from "../src/core/bid.ts";
import {
  type BidsWorkbookInput,
  buildBidsWorkbookBuffer,
  writeBidsWorkbook,
} from "../src/core/excel/build-workbook.ts";
import { searchQuerySchema } from "../src/core/query/search-query.ts";
import { FallbackSummarizer } from "../src/core/summary/fallback-summarizer.ts";
import { computeTotals } from "../src/core/summary/totals.ts";
import { readZip } from "./fakes/read-zip.ts";
import { makeBid, SAMPLE_NOW, sampleBids } from "./fakes/sample-bids.ts";

const BRL = '"R$" #,##0.00';
const query = searchQuerySchema.parse({
  from: "2026-09-15",
  to: "2026-09-21",
  ufs: ["SP"],
  terms: ["hidráulica"],
});

async function workbookInput(
  bids: Bid[],
  extra: Partial<BidsWorkbookInput> = {},
): Promise<BidsWorkbookInput> {
  const totals = computeTotals(bids, SAMPLE_NOW);
  const summary = await new FallbackSummarizer().summarize({ query, bids, totals, now: SAMPLE_NOW });
  return {
    query,
    queryDescription: '"hidráulica" em SP, publicadas de 15/09/2026 a 21/09/2026',
    bids,
    totals,
    summary,
    generatedAt: SAMPLE_NOW,
    termsUsed: ["hidráulica"],
    notes: ["Busca parcial: 1 página de SP não respondeu."],
    ...extra,
  };
}

async function load(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  return workbook;
}

/** Label → values of the "Resumo" sheet (continuation rows with an empty label join the previous). */
function resumo(sheet: ExcelJS.Worksheet): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  let last = "";
  sheet.eachRow((row) => {
    const label = row.getCell(1).value;
    if (typeof label === "string" && label) last = label;
    out.set(last, [...(out.get(last) ?? []), row.getCell(2).value]);
  });
  return out;
}

describe("the results workbook, parsed back cell by cell", () => {
  let book: ExcelJS.Workbook;
  let input: BidsWorkbookInput;
  beforeAll(async () => {
    input = await workbookInput(sampleBids());
    book = await load(await buildBidsWorkbookBuffer(input));
  });

  it("has the two sheets, the styled header, a frozen first row and an autofilter over the data", () => {
    expect(book.worksheets.map((s) => s.name)).toEqual(["Licitações", "Resumo"]);
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      "Código PNCP",
      "Objeto",
      "Órgão",
      "UF",
      "Município",
      "Valor Estimado",
      "Modalidade",
      "Situação",
      "Publicação",
      "Abertura das propostas",
      "Encerramento das propostas",
      "Link",
    ]);
    const header = sheet.getCell("A1");
    expect(header.font?.bold).toBe(true);
    expect(header.fill).toMatchObject({ type: "pattern", pattern: "solid", fgColor: { argb: "FF1F4E78" } });
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBe("A1:L7");
    expect(sheet.getColumn(2).width).toBe(60);
    expect(sheet.getCell("B2").alignment?.wrapText).toBe(true);
  });

  it("writes a real bid as text, number, São Paulo dates and an 'Abrir' hyperlink", () => {
    const sheet = book.getWorksheet("Licitações")!;
    const row = sheet.getRow(2);
    expect(row.getCell(1).value).toBe("00394429000100-1-002331/2026");
    expect(row.getCell(2).value).toBe("Aquisição de Insumos de Hidráulica para a FAYS");
    expect(row.getCell(3).value).toBe("COMANDO DA AERONAUTICA");
    expect(row.getCell(4).value).toBe("SP");
    expect(row.getCell(5).value).toBe("Pirassununga");
    const value = row.getCell(6);
    expect(value.type).toBe(ExcelJS.ValueType.Number);
    expect(value.value).toBe(331204.42);
    expect(value.numFmt).toBe(BRL);
    expect(row.getCell(7).value).toBe("Pregão - Eletrônico");
    expect(row.getCell(8).value).toBe("Recebendo propostas");
    // PNCP said 2026-09-15T04:00:06 Brasília: the cell shows that wall time (Excel dates have no zone).
    expect(row.getCell(9).type).toBe(ExcelJS.ValueType.Date);
    expect(row.getCell(9).value).toEqual(new Date("2026-09-15T04:00:06.000Z"));
    expect(row.getCell(9).numFmt).toBe("dd/mm/yyyy");
    expect(row.getCell(10).value).toEqual(new Date("2026-09-15T08:00:00.000Z"));
    expect(row.getCell(11).value).toEqual(new Date("2026-09-28T09:00:00.000Z"));
    expect(row.getCell(11).numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(row.getCell(12).value).toEqual({
      text: "Abrir",
      hyperlink:
        "https://cnetmobile.estaleiro.serpro.gov.br/comprasnet-web/public/compras/acompanhamento-compra?compra=12006005000392026",
    });
  });

  it("turns the recorded tab into a space, leaves missing dates empty and labels the status", () => {
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.getCell("B4").value).toMatch(/^2 BAvEx Eventual aquisição/);
    expect(sheet.getCell("G7").value).toBe("Dispensa");
    expect(sheet.getCell("H7").value).toBe("Encerrada");
    expect(sheet.getCell("J7").value).toBeNull();
    expect(sheet.getCell("K7").value).toBeNull();
    expect(sheet.getCell("L7").value).toEqual({
      text: "Abrir",
      hyperlink: "https://pncp.gov.br/app/editais/46675997000180/2026/350",
    });
  });

  it("ends with a blank row and a total row: count and a SUM formula cached with our total", () => {
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.getRow(8).cellCount).toBe(0);
    expect(sheet.getCell("A9").value).toBe("Total");
    expect(sheet.getCell("B9").value).toBe("6 licitações (6 com valor informado)");
    const total = sheet.getCell("F9");
    expect(total.type).toBe(ExcelJS.ValueType.Formula);
    expect(total.formula).toBe("SUM(F2:F7)");
    expect(total.result).toBe(3127325.28);
    expect(total.numFmt).toBe(BRL);
    expect(sheet.getCell("A9").font?.bold).toBe(true);
  });

  it("fills the Resumo sheet with the query, our totals, the time in São Paulo and the summary", () => {
    const sheet = book.getWorksheet("Resumo")!;
    expect(sheet.getCell("A1").value).toBe("Smart PNCP — Resumo da busca");
    const rows = resumo(sheet);
    expect(rows.get("Busca")).toEqual([input.queryDescription]);
    expect(rows.get("Termos usados")).toEqual(["hidráulica"]);
    expect(rows.get("UFs")).toEqual(["SP"]);
    expect(rows.get("Período")).toEqual(["15/09/2026 a 21/09/2026"]);
    expect(rows.get("Modalidades")).toEqual(["Pregão - Eletrônico, Concorrência - Eletrônica e Dispensa"]);
    expect(rows.get("Filtros")).toEqual(["Nenhum"]);
    expect(rows.get("Licitações encontradas")).toEqual([6]);
    expect(rows.get("Com valor informado")).toEqual([6]);
    expect(rows.get("Valor total estimado")).toEqual([3127325.28]);
    expect(rows.get("Encerram em até 7 dias")).toEqual([3]);
    expect(rows.get("Gerado em")).toEqual(["21/09/2026 09:00 (horário de Brasília)"]);
    expect(rows.get("Resumo")).toEqual([input.summary.text]);
    expect(rows.get("Fonte do resumo")).toEqual(["Automático (Smart PNCP)"]);
    expect(rows.get("Destaques")).toEqual(input.summary.highlights);
    expect(rows.get("Alerta")).toEqual([input.summary.alert]);
    expect(rows.get("Observações")).toEqual(["Busca parcial: 1 página de SP não respondeu."]);
    const valueRow = sheet.getColumn(1).values.indexOf("Valor total estimado");
    expect(sheet.getCell(valueRow, 2).numFmt).toBe(BRL);
    expect(sheet.getCell(valueRow, 2).type).toBe(ExcelJS.ValueType.Number);
  });
});

describe("untrusted text in the workbook", () => {
  const hostile = [
    makeBid({
      id: "@SUM(A1)",
      object: '=HYPERLINK("http://evil","x")',
      agency: "+1+1",
      municipality: "-2+3",
      estimatedValue: 10,
      link: "javascript:alert(1)",
    }),
    makeBid({
      id: "ok-2",
      object: "Objeto\u0000com\u0007controles\u009b e\r\nquebra",
      agency: "＝1+1",
      municipality: "\t=cmd|' /C calc'!A0",
      estimatedValue: 5,
      link: "https://pncp.gov.br/app/editais/1/2026/2",
    }),
  ];
  let buffer: Buffer;
  let book: ExcelJS.Workbook;
  beforeAll(async () => {
    const input = await workbookInput(hostile, {
      notes: ["=1+1 nota maliciosa", "@import"],
      queryDescription: "-\u0001busca",
    });
    input.summary = { ...input.summary, highlights: ['=WEBSERVICE("http://evil")', "+A1"] };
    buffer = await buildBidsWorkbookBuffer(input);
    book = await load(buffer);
  });

  it("stores formula-looking PNCP and LLM text as quoted strings, never as formulas", () => {
    const sheet = book.getWorksheet("Licitações")!;
    const expected: Record<string, string> = {
      A2: "'@SUM(A1)",
      B2: `'=HYPERLINK("http://evil","x")`,
      C2: "'+1+1",
      E2: "'-2+3",
      L2: "javascript:alert(1)",
      B3: "Objetocomcontroles e\nquebra",
      C3: "'＝1+1",
      E3: "' =cmd|' /C calc'!A0",
    };
    for (const [address, value] of Object.entries(expected)) {
      const cell = sheet.getCell(address);
      expect(cell.type, address).toBe(ExcelJS.ValueType.String);
      expect(cell.formula, address).toBeUndefined();
      expect(cell.value, address).toBe(value);
    }
    const resumoSheet = book.getWorksheet("Resumo")!;
    const rows = resumo(resumoSheet);
    expect(rows.get("Busca")).toEqual(["'-busca"]);
    expect(rows.get("Destaques")).toEqual([`'=WEBSERVICE("http://evil")`, "'+A1"]);
    expect(rows.get("Observações")).toEqual(["'=1+1 nota maliciosa", "'@import"]);
  });

  it("has no <f> in the sheet XML except our own SUM, no control characters and no javascript: link", () => {
    const files = readZip(buffer);
    const bidsXml = files.get("xl/worksheets/sheet1.xml")!.toString("utf8");
    const resumoXml = files.get("xl/worksheets/sheet2.xml")!.toString("utf8");
    expect(bidsXml.match(/<f>.*?<\/f>/g)).toEqual(["<f>SUM(F2:F3)</f>"]);
    expect(bidsXml).toMatch(/<c r="F5"[^>]*><f>SUM\(F2:F3\)<\/f><v>15<\/v><\/c>/);
    expect(resumoXml).not.toContain("<f");
    // Data cells are shared strings (t="s"), never t="str" (a formula's string result).
    expect(bidsXml).not.toContain('t="str"');
    expect(bidsXml).not.toContain('t="inlineStr"');
    const strings = files.get("xl/sharedStrings.xml")!.toString("utf8");
    expect(strings).toContain("&apos;=HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)");
    const xmlNames = [...files.keys()].filter((name) => name.endsWith(".xml"));
    expect(xmlNames).toContain("xl/sharedStrings.xml");
    for (const name of xmlNames) {
      expect(files.get(name)!.toString("utf8"), name).not.toMatch(
        /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/,
      );
    }
    const rels = files.get("xl/worksheets/_rels/sheet1.xml.rels")!.toString("utf8");
    expect(rels).not.toContain("javascript:");
    expect(rels).toContain('Target="https://pncp.gov.br/app/editais/1/2026/2"');
  });
});

describe("writeBidsWorkbook targets", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smart-pncp-xlsx-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("streams to a file that reads back like the Buffer", async () => {
    const file = join(dir, "licitacoes.xlsx");
    await writeBidsWorkbook(await workbookInput(sampleBids()), { filename: file });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.getCell("A7").value).toBe("46675997000180-1-000350/2026");
    expect(sheet.getCell("F9").formula).toBe("SUM(F2:F7)");
  });

  it("writes a valid workbook for zero bids, with a plain 0 total", async () => {
    const book = await load(await buildBidsWorkbookBuffer(await workbookInput([])));
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.autoFilter).toBe("A1:L1");
    expect(sheet.getCell("B3").value).toBe("0 licitações (0 com valor informado)");
    expect(sheet.getCell("F3").value).toBe(0);
    expect(sheet.getCell("F3").formula).toBeUndefined();
  });

  it("rejects when the target stream fails, and when the file cannot be created", async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error("disk full"));
      },
    });
    await expect(writeBidsWorkbook(await workbookInput(sampleBids()), { stream: broken })).rejects.toThrow(
      "disk full",
    );
    await expect(
      writeBidsWorkbook(await workbookInput(sampleBids()), { filename: join(dir, "missing", "x.xlsx") }),
    ).rejects.toThrow(/ENOENT/);
  });
});
