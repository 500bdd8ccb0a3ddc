import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bid } from "../src/core/bid.ts";
import {
  type BidsWorkbookInput,
  buildBidsWorkbookBuffer,
  writeBidsWorkbook,
} from "../src/core/excel/build-workbook.ts";
import { searchQuerySchema } from "../src/core/search-query.ts";
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
      "CNPJ do órgão",
      "UF",
      "Município",
      "Valor Estimado",
      "Observação do valor",
      "Modalidade",
      "Situação",
      "Registro de preços (SRP)",
      "Publicação",
      "Abertura das propostas",
      "Encerramento das propostas",
      "Link do sistema de origem",
    ]);
    const header = sheet.getCell("A1");
    expect(header.font?.bold).toBe(true);
    expect(header.fill).toMatchObject({ type: "pattern", pattern: "solid", fgColor: { argb: "FF1F4E78" } });
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBe("A1:O7");
    expect(sheet.getColumn(2).width).toBe(60);
    expect(sheet.getCell("B2").alignment?.wrapText).toBe(true);
  });

  it("writes a real bid: the code linked to its PNCP page, CNPJ, number, SRP, São Paulo dates, source link", () => {
    const sheet = book.getWorksheet("Licitações")!;
    const row = sheet.getRow(2);
    expect(row.getCell(1).value).toEqual({
      text: "00394429000100-1-002331/2026",
      hyperlink: "https://pncp.gov.br/app/editais/00394429000100/2026/2331",
    });
    expect(row.getCell(2).value).toBe("Aquisição de Insumos de Hidráulica para a FAYS");
    expect(row.getCell(3).value).toBe("COMANDO DA AERONAUTICA");
    expect(row.getCell(4).value).toBe("00.394.429/0001-00");
    expect(row.getCell(5).value).toBe("SP");
    expect(row.getCell(6).value).toBe("Pirassununga");
    const value = row.getCell(7);
    expect(value.type).toBe(ExcelJS.ValueType.Number);
    expect(value.value).toBe(331204.42);
    expect(value.numFmt).toBe(BRL);
    expect(row.getCell(8).value).toBeNull();
    expect(row.getCell(9).value).toBe("Pregão - Eletrônico");
    expect(row.getCell(10).value).toBe("Recebendo propostas");
    expect(row.getCell(11).value).toBe("Sim");
    // PNCP said 2026-09-15T04:00:06 Brasília: the cell shows that wall time (Excel dates have no zone).
    expect(row.getCell(12).type).toBe(ExcelJS.ValueType.Date);
    expect(row.getCell(12).value).toEqual(new Date("2026-09-15T04:00:06.000Z"));
    expect(row.getCell(12).numFmt).toBe("dd/mm/yyyy");
    expect(row.getCell(13).value).toEqual(new Date("2026-09-15T08:00:00.000Z"));
    expect(row.getCell(14).value).toEqual(new Date("2026-09-28T09:00:00.000Z"));
    expect(row.getCell(14).numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(row.getCell(15).value).toEqual({
      text: "cnetmobile.estaleiro.serpro.gov.br",
      hyperlink:
        "https://cnetmobile.estaleiro.serpro.gov.br/comprasnet-web/public/compras/acompanhamento-compra?compra=12006005000392026",
    });
  });

  it("turns the recorded tab into a space, leaves missing dates and source links empty, labels SRP Não", () => {
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.getCell("B4").value).toMatch(/^2 BAvEx Eventual aquisição/);
    expect(sheet.getCell("I7").value).toBe("Dispensa");
    expect(sheet.getCell("J7").value).toBe("Encerrada");
    expect(sheet.getCell("K7").value).toBe("Não");
    expect(sheet.getCell("M7").value).toBeNull();
    expect(sheet.getCell("N7").value).toBeNull();
    expect(sheet.getCell("A7").value).toEqual({
      text: "46675997000180-1-000350/2026",
      hyperlink: "https://pncp.gov.br/app/editais/46675997000180/2026/350",
    });
    expect(sheet.getCell("O7").value).toBeNull(); // linkSistemaOrigem was ""
  });

  it("ends with a blank row and a total row: count and a SUM formula cached with our total", () => {
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.getRow(8).cellCount).toBe(0);
    expect(sheet.getCell("A9").value).toBe("Total");
    expect(sheet.getCell("B9").value).toBe("6 licitações (6 com valor informado)");
    const total = sheet.getCell("G9");
    expect(total.type).toBe(ExcelJS.ValueType.Formula);
    expect(total.formula).toBe("SUM(G2:G7)");
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

describe("values PNCP did not give (0 = sigiloso, null = não informado) and older dates", () => {
  const bids = [
    makeBid({ id: "known", estimatedValue: 1500.5, srp: null }),
    makeBid({ id: "sigiloso", estimatedValue: 0 }),
    makeBid({ id: "missing", estimatedValue: null }),
    // 15/01/2018 12:00 in São Paulo was summer time (−02:00): 14:00Z.
    makeBid({ id: "summer-2018", estimatedValue: 99.5, proposalsCloseAt: "2018-01-15T14:00:00.000Z" }),
  ];
  let sheet: ExcelJS.Worksheet;
  let resumoRows: Map<string, unknown[]>;
  beforeAll(async () => {
    const book = await load(await buildBidsWorkbookBuffer(await workbookInput(bids)));
    sheet = book.getWorksheet("Licitações")!;
    resumoRows = resumo(book.getWorksheet("Resumo")!);
  });

  it("leaves the value cell empty with a text marker, never a 0", () => {
    expect(sheet.getCell("G2").value).toBe(1500.5);
    expect(sheet.getCell("H2").value).toBeNull();
    expect(sheet.getCell("G3").value).toBeNull();
    expect(sheet.getCell("H3").value).toBe("Valor sigiloso");
    expect(sheet.getCell("G4").value).toBeNull();
    expect(sheet.getCell("H4").value).toBe("Valor não informado");
    expect(sheet.getCell("K2").value).toBe("—");
  });

  it("totals only the known values, in the sheet and in the Resumo", () => {
    expect(sheet.getCell("B7").value).toBe("4 licitações (2 com valor informado)");
    expect(sheet.getCell("G7").formula).toBe("SUM(G2:G5)");
    expect(sheet.getCell("G7").result).toBe(1600);
    expect(resumoRows.get("Com valor informado")).toEqual([2]);
    expect(resumoRows.get("Valor total estimado")).toEqual([1600]);
  });

  it("shows a pre-2019 summer instant at São Paulo's wall time of that date", () => {
    expect(sheet.getCell("N5").value).toEqual(new Date("2018-01-15T12:00:00.000Z"));
  });
});

describe("random 0 / null / positive values in the workbook", () => {
  const value = fc.oneof(
    fc.constant(0),
    fc.constant(null),
    fc.integer({ min: 1, max: 1_000_000_000 }).map((cents) => cents / 100),
  );

  it("the cached SUM is the sum of the positive values, the count is theirs, and no text is R$ 0,00", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 25 }), async (values) => {
        const bids = values.map((estimatedValue, i) =>
          makeBid({ id: `v-${i}`, object: "Obra", estimatedValue }),
        );
        const positive = values.filter((v): v is number => v !== null && v > 0);
        let sum = 0;
        for (const v of positive) sum += v;
        const buffer = await buildBidsWorkbookBuffer(await workbookInput(bids));
        const files = readZip(buffer);
        const sheetXml = files.get("xl/worksheets/sheet1.xml")!.toString("utf8");
        const strings = files.get("xl/sharedStrings.xml")!.toString("utf8");
        const last = bids.length + 1;
        const total = new RegExp(`<f>SUM\\(G2:G${last}\\)</f><v>([^<]+)</v>`).exec(sheetXml);
        expect(Number(total?.[1])).toBe(Math.round(sum * 100) / 100);
        const n = positive.length;
        expect(strings).toContain(`(${n.toLocaleString("pt-BR")} com valor informado)`);
        expect(strings).not.toContain("R$ 0,00");
        // Value cells hold only positive numbers: no G cell of a data row has a 0.
        for (let row = 2; row <= last; row++) {
          expect(sheetXml).not.toMatch(new RegExp(`<c r="G${row}"[^>]*><v>0</v>`));
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe("untrusted text in the workbook", () => {
  const hostile = [
    makeBid({
      id: "@SUM(A1)",
      object: '=HYPERLINK("http://evil","x")',
      agency: "+1+1",
      municipality: "-2+3",
      cnpj: "-1",
      estimatedValue: 10,
      link: "javascript:alert(1)",
      pncpUrl: "javascript:alert(1)",
      sourceUrl: "javascript:alert(2)",
    }),
    makeBid({
      id: "ok-2",
      object: "Objeto\u0000com\u0007controles\u009b e\r\nquebra",
      agency: "＝1+1",
      municipality: "\t=cmd|' /C calc'!A0",
      estimatedValue: 5,
      link: "https://pncp.gov.br/app/editais/1/2026/2",
      pncpUrl: "https://pncp.gov.br/app/editais/1/2026/2",
    }),
    makeBid({
      id: "=1+1",
      object: "código com cara de fórmula, mas com link",
      estimatedValue: 0,
      pncpUrl: "https://pncp.gov.br/app/editais/2/2026/3",
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
      D2: "'-1",
      F2: "'-2+3",
      B3: "Objetocomcontroles e\nquebra",
      C3: "'＝1+1",
      F3: "' =cmd|' /C calc'!A0",
    };
    for (const [address, value] of Object.entries(expected)) {
      const cell = sheet.getCell(address);
      expect(cell.type, address).toBe(ExcelJS.ValueType.String);
      expect(cell.formula, address).toBeUndefined();
      expect(cell.value, address).toBe(value);
    }
    expect(sheet.getCell("O2").value).toBeNull(); // javascript: source link dropped
    // A hyperlink cell's text is sanitized too: "=1+1" stays a quoted string inside the link.
    expect(sheet.getCell("A4").value).toEqual({
      text: "'=1+1",
      hyperlink: "https://pncp.gov.br/app/editais/2/2026/3",
    });
    expect(sheet.getCell("A4").formula).toBeUndefined();
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
    expect(bidsXml.match(/<f>.*?<\/f>/g)).toEqual(["<f>SUM(G2:G4)</f>"]);
    expect(bidsXml).toMatch(/<c r="G6"[^>]*><f>SUM\(G2:G4\)<\/f><v>15<\/v><\/c>/);
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
    expect(sheet.getCell("A7").value).toMatchObject({ text: "46675997000180-1-000350/2026" });
    expect(sheet.getCell("G9").formula).toBe("SUM(G2:G7)");
  });

  it("writes a valid workbook for zero bids, with a plain 0 total", async () => {
    const book = await load(await buildBidsWorkbookBuffer(await workbookInput([])));
    const sheet = book.getWorksheet("Licitações")!;
    expect(sheet.autoFilter).toBe("A1:O1");
    expect(sheet.getCell("B3").value).toBe("0 licitações (0 com valor informado)");
    expect(sheet.getCell("G3").value).toBe(0);
    expect(sheet.getCell("G3").formula).toBeUndefined();
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
