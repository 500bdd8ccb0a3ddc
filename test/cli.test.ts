import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakePncp, loadFixtureRecords, startFakePncp } from "./fakes/fake-pncp.ts";

/** The `smart-pncp` binary as a user runs it, against the fake PNCP serving the real fixtures. */
const BIN = fileURLToPath(new URL("../bin/smart-pncp.mjs", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

let pncp: FakePncp;
let dir: string;

beforeAll(async () => {
  pncp = await startFakePncp({ now: "2026-09-21T15:00:00-03:00" });
  dir = await mkdtemp(join(tmpdir(), "smart-pncp-cli-"));
  // mkdtemp makes the folder 0700; the embedded Postgres, started as another user when we run as root,
  // cannot read inside it (reported to the embedded-store owner). A user's DATA_DIR is usually readable.
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await pncp.close();
  await rm(dir, { recursive: true, force: true });
});

/** What PNCP holds for SP, modalidades 4/6/8, published 2026-09-15..21 (unique ids). */
function expectedSpWeek(): Set<string> {
  const ids = new Set<string>();
  for (const r of loadFixtureRecords()) {
    const day = r.dataPublicacaoPncp.slice(0, 10);
    if (
      r.unidadeOrgao.ufSigla === "SP" &&
      [4, 6, 8].includes(r.modalidadeId) &&
      day >= "2026-09-15" &&
      day <= "2026-09-21"
    ) {
      ids.add(r.numeroControlePNCP);
    }
  }
  return ids;
}

describe("smart-pncp search", () => {
  it("--json prints exactly one object with the contract fields, matching PNCP's data", async () => {
    const xlsx = join(dir, "sp.xlsx");
    const result = await run([
      "search",
      "SP",
      "--from",
      "2026-09-15",
      "--to",
      "2026-09-21",
      "--json",
      "--xlsx",
      xlsx,
      "--pncp-url",
      pncp.url,
    ]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(["query", "bids", "stats", "summary"]));
    expect(out.query).toMatchObject({ ufs: ["SP"], from: "2026-09-15", to: "2026-09-21" });
    const expected = expectedSpWeek();
    expect(expected.size).toBeGreaterThan(10);
    expect(new Set(out.bids.map((b: { id: string }) => b.id))).toEqual(expected);
    expect(out.stats).toMatchObject({ matched: expected.size, partial: false, failed: 0, truncated: false });
    for (const key of ["requests", "pages", "fetched", "retries", "durationMs"]) {
      expect(typeof out.stats[key]).toBe("number");
    }
    const bid = out.bids[0];
    for (const key of [
      "id",
      "object",
      "agency",
      "uf",
      "municipality",
      "modalityId",
      "estimatedValue",
      "publishedAt",
      "proposalsCloseAt",
      "status",
      "link",
    ]) {
      expect(bid).toHaveProperty(key);
    }
    expect(out.summary).toMatchObject({ source: "fallback" });
    expect(out.summary.text).toContain(`Encontramos ${expected.size} licitações`);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    const sheet = workbook.getWorksheet("Licitações")!;
    const ids: string[] = [];
    sheet.eachRow((row, n) => {
      const cell = row.getCell(1).value; // the Código PNCP cell is a hyperlink to the PNCP page
      const v = cell && typeof cell === "object" && "text" in cell ? cell.text : cell;
      if (n > 1 && typeof v === "string" && expected.has(v)) ids.push(v);
    });
    expect(new Set(ids)).toEqual(expected);
  });

  it("flags override the text and the text output is pt-BR", async () => {
    const result = await run(
      ["search", "MG 30d", "--uf", "SP", "--from", "2026-09-17", "--to", "2026-09-17", "--modalidades", "8"],
      { PNCP_BASE_URL: pncp.url },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("10 licitações encontradas");
    expect(result.stdout).toContain("SP · 17/09/2026");
    expect(result.stdout).toContain("Dispensa");
    expect(result.stdout).not.toContain("MG");
  });

  it("exits 1 with a pt-BR message when PNCP cannot be reached", async () => {
    const result = await run(["search", "SP 7d", "--json"], {
      PNCP_BASE_URL: "http://127.0.0.1:9/api/consulta",
      PNCP_MAX_RETRIES: "0",
    });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: "PNCP_UNAVAILABLE", message: expect.stringContaining("não está respondendo") },
    });
  });

  it("exits 1 on an invalid flag value, naming it", async () => {
    const result = await run(["search", "SP", "--from", "2026-02-30", "--pncp-url", pncp.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--from precisa ser uma data AAAA-MM-DD válida");
  });
});

describe("plans and limits from the terminal", () => {
  it("--as refuses beyond the plan with exit 2 and an upgrade; plan set/show change it", async () => {
    const env = { DATA_DIR: join(dir, "data"), PNCP_BASE_URL: pncp.url, UPGRADE_TOKEN_SECRET: "t" };
    const refused = await run(
      ["search", "SP", "--from", "2026-09-15", "--to", "2026-09-21", "--as", "cli:ana", "--json"],
      env,
    );
    expect(refused.code).toBe(2);
    const body = JSON.parse(refused.stdout);
    expect(body.refused).toMatchObject({ reason: "history_exceeded", upgrade: { planId: "maquina" } });
    expect(body.refused.message).toContain("O plano Teste grátis busca até 7 dias para trás");
    expect(body.refused.upgrade.url).toMatch(/^http:\/\/localhost:3000\/upgrade\?token=/);

    const set = await run(["plan", "set", "cli:ana", "maquina", "--days", "30"], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("Plano: Máquina [maquina] — ativo");
    expect(set.stdout).toMatch(/Válido até: \d{2}\/\d{2}\/\d{4}\n/);
    expect(set.stdout).not.toMatch(/active|trialing/);

    const allowed = await run(
      ["search", "SP", "--from", "2026-09-15", "--to", "2026-09-21", "--as", "cli:ana", "--json"],
      env,
    );
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).bids.length).toBe(expectedSpWeek().size);

    const show = await run(["plan", "show", "cli:ana", "--json"], env);
    expect(JSON.parse(show.stdout)).toMatchObject({ plan: { id: "maquina" }, used: 1, remaining: 299 });
  }, 180_000);

  it("chat reads commands from piped stdin and writes the Excel file to --out, creating the folder", async () => {
    const env = { DATA_DIR: join(dir, "chat-data"), PNCP_BASE_URL: pncp.url };
    expect((await run(["plan", "set", "cli:bia", "maquina"], env)).code).toBe(0);
    const input = ["/ajuda", "/buscar SP de 15/09/2026 a 21/09/2026", "/plano", "/comprar"].join("\n");
    const out = join(dir, "planilhas", "setembro");
    const result = await run(["chat", "--as", "cli:bia", "--out", out], env, `${input}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("/buscar <consulta>");
    expect(result.stdout).toContain("🔎 Buscando…");
    expect(result.stdout).toContain(`${expectedSpWeek().size} licitações encontradas`);
    const saved = /📎 Planilha com .*: (\S+\.xlsx)/.exec(result.stdout);
    expect(saved).not.toBeNull();
    expect(saved![1]!.startsWith(out)).toBe(true);
    expect(saved![1]!).toMatch(
      /licitacoes-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-sp-de-15-09-2026-a-21-09-2026\.xlsx$/,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(saved![1]!);
    expect(workbook.getWorksheet("Resumo")).toBeDefined();
    expect(result.stdout).toContain("📦 Seu plano: Máquina");
    expect(result.stdout).toContain("Buscas este mês: 1 de 300");
    expect(result.stdout).toContain("Não conheço esse comando (/comprar)");
  }, 120_000);
});
