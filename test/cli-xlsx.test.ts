import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureMain, foreignText } from "./cli-run.testing.ts";
import { type FakePncp, startFakePncp } from "./fakes/fake-pncp.ts";

let pncp: FakePncp;
let dir: string;

beforeAll(async () => {
  pncp = await startFakePncp({ now: "2026-09-21T15:00:00-03:00" });
  dir = await mkdtemp(join(tmpdir(), "smart-pncp-xlsx-"));
});
afterAll(async () => {
  await pncp.close();
  await rm(dir, { recursive: true, force: true });
});

/** One small real search (SP, Dispensa, 17/09/2026: 10 bids in the fixtures). */
const SEARCH = ["search", "SP", "--from", "2026-09-17", "--to", "2026-09-17", "--modalidades", "8"];

/** How many PNCP control numbers (`cnpj-1-seq/ano`) the "Licitações" sheet lists in column A. */
async function sheetIds(path: string): Promise<number> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  let count = 0;
  workbook.getWorksheet("Licitações")!.eachRow((row) => {
    const value = row.getCell(1).value;
    const text = typeof value === "object" && value && "text" in value ? String(value.text) : String(value);
    if (/^\d{14}-\d-\d+\/\d{4}$/.test(text)) count += 1;
  });
  return count;
}

describe("search --xlsx", () => {
  it("a folder that does not exist fails in pt-BR before searching (no PNCP request), exit 1", async () => {
    const before = pncp.requests.length;
    const missing = join(dir, "nao-existe", "sp.xlsx");
    const result = await captureMain([...SEARCH, "--xlsx", missing, "--pncp-url", pncp.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`a pasta "${join(dir, "nao-existe")}" não existe`);
    expect(pncp.requests.length).toBe(before);
    expect(existsSync(join(dir, "nao-existe"))).toBe(false);
    expect(foreignText(result.stderr)).toEqual([]);
  });

  it("is checked before the plan is charged: --as does not even open the store", async () => {
    const result = await captureMain([...SEARCH, "--as", "cli:ana", "--xlsx", "/nao/existe/", "--json"], {
      PNCP_BASE_URL: pncp.url,
      DATABASE_URL: "postgres://127.0.0.1:9/nunca",
    });
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout);
    expect(body.error.code).toBe("XLSX_UNWRITABLE");
    expect(body.error.message).toContain('a pasta "/nao/existe" não existe');
    expect(result.stderr).not.toContain("DATABASE_URL");
  });

  it("into a folder, each search gets its own file (time + query slug), never overwriting", async () => {
    const folder = join(dir, "planilhas");
    await mkdir(folder);
    const first = await captureMain([...SEARCH, "--xlsx", `${folder}/`, "--pncp-url", pncp.url]);
    const second = await captureMain([...SEARCH, "--xlsx", folder, "--pncp-url", pncp.url]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const files = (await readdir(folder)).sort();
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(file).toMatch(/^licitacoes-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-sp(-2)?\.xlsx$/);
      expect(await sheetIds(join(folder, file))).toBe(10);
    }
    // Same second → "-2" for the second one (which sorts first: "-" < "."); otherwise time order.
    const savedBy = (out: string) =>
      files.filter((f) => out.includes(`📎 Planilha salva em ${join(folder, f)}`));
    expect(savedBy(first.stdout)).toHaveLength(1);
    expect(savedBy(second.stdout)).toHaveLength(1);
    expect(savedBy(first.stdout)).not.toEqual(savedBy(second.stdout));
  });

  it.skipIf(!existsSync("/dev/full"))(
    "a write error keeps the results: printed first, then the pt-BR error, exit 1",
    async () => {
      const json = await captureMain([...SEARCH, "--xlsx", "/dev/full", "--json", "--pncp-url", pncp.url]);
      expect(json.code).toBe(1);
      const body = JSON.parse(json.stdout);
      expect(body.bids).toHaveLength(10);
      expect(body.xlsx).toBeNull();
      expect(body.xlsxError).toContain("Não foi possível salvar a planilha em /dev/full: o disco está cheio");
      expect(json.stderr).toContain("Os resultados acima não foram perdidos.");

      const text = await captureMain([...SEARCH, "--xlsx", "/dev/full", "--pncp-url", pncp.url]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain("10 licitações encontradas");
      expect(text.stderr).toContain("o disco está cheio");
      expect(foreignText(text.stderr)).toEqual([]);
    },
  );
});
