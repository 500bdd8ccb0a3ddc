/**
 * `smart-pncp sync --once` as the user runs it: in-process (`--json` and the pt-BR summary) on the
 * in-memory store, and as a child process on the local Postgres that is SIGKILLed mid-sync, then run again:
 * the index equals the loopback's data exactly.
 */
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it, vi } from "vitest";
import { syncCommand } from "../../src/cli/sync-command.ts";
import { addDays, saoPauloDate } from "../../src/core/time.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { startFakePncp } from "../fakes/fake-pncp.ts";
import { childEnv } from "../helpers/child-processes.ts";
import { createTestDatabase, needPostgres } from "../helpers/services.ts";
import { expectIndexEqualsLoopback, syncDataSet } from "./sync-data.ts";

const MODALIDADES = [6, 4, 8];
const ROOT = new URL("../../", import.meta.url).pathname;
const cleanups: Array<() => Promise<void>> = [];
const postgres = await needPostgres();

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await run(), out };
  } finally {
    spy.mockRestore();
  }
}

describe("smart-pncp sync", { timeout: 180_000 }, () => {
  it("--once --json does one full round and reports it; the text summary is pt-BR", async () => {
    const data = syncDataSet(saoPauloDate(new Date()), 2, MODALIDADES);
    const pncp = await startFakePncp({ records: data.records });
    cleanups.push(() => pncp.close());
    const env = {
      DATA_DIR: "memory://",
      PNCP_BASE_URL: pncp.url,
      SYNC_BACKFILL_DAYS: "2",
      LOG_LEVEL: "silent",
      PNCP_RETRY_BASE_MS: "5",
    };
    const json = await capture(() => syncCommand(["--once", "--json"], env));
    expect(json.code).toBe(0);
    const stats = JSON.parse(json.out) as Record<string, number>;
    expect(stats).toMatchObject({ windows: 6, windowsComplete: 6, windowsRemaining: 0, failedPages: 0 });
    expect(stats.records).toBe(
      data.records.filter((r) => data.days.includes(r.dataPublicacaoPncp.slice(0, 10))).length +
        stats.updatesInserted +
        stats.updatesUpdated +
        stats.updatesUnchanged,
    );
    expect(pncp.requests.every((r) => r.params.tamanhoPagina === "50" && r.params.uf === undefined)).toBe(
      true,
    );

    const text = await capture(() => syncCommand(["--once"], env));
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Sincronização concluída em \d+,\d s\n/);
    expect(text.out).toContain("Janelas (dia × modalidade): 6 de 6 completas, 0 pendentes");
    expect(text.out).toMatch(/Requisições: \d+ · novas tentativas: \d+ · páginas com falha: 0/);
    const help = await capture(() => syncCommand(["--help"], env));
    expect(help.out).toContain("smart-pncp sync --once");
  });

  it.skipIf(!postgres)(
    "a syncer process SIGKILLed mid-sync and run again leaves the index exactly the loopback's",
    async () => {
      const today = saoPauloDate(new Date());
      const days = 4;
      const data = syncDataSet(today, days, MODALIDADES, 2);
      const pncp = await startFakePncp({ records: data.records, latencyMs: 40 });
      const database = await createTestDatabase();
      cleanups.push(
        () => pncp.close(),
        () => database.drop(),
      );
      const env = childEnv({
        DATABASE_URL: database.url,
        PNCP_BASE_URL: pncp.url,
        SYNC_BACKFILL_DAYS: String(days),
        PNCP_RETRY_BASE_MS: "5",
        LOG_LEVEL: "error",
      });
      const run = () => spawn(process.execPath, ["bin/smart-pncp.mjs", "sync", "--once"], { cwd: ROOT, env });

      const first = run();
      const firstExit = new Promise<number | null>((resolve) => first.once("exit", (code) => resolve(code)));
      // Kill it once the backfill is under way (publication pages of older days have been asked for).
      await expect
        .poll(
          () =>
            pncp.requests.filter(
              (r) =>
                r.path.endsWith("/publicacao") &&
                r.params.dataInicial! < addDays(today, -2).replaceAll("-", ""),
            ).length,
          { timeout: 60_000, interval: 20 },
        )
        .toBeGreaterThan(4);
      first.kill("SIGKILL");
      expect(await firstExit).toBeNull();

      const store = await PgStore.open({ databaseUrl: database.url, max: 2 });
      cleanups.push(() => store.close());
      const index = createBidIndex(store);
      const mid = await index.windows(addDays(today, -days), today, MODALIDADES);
      expect(mid.filter((w) => w.complete).length).toBeLessThan(days * MODALIDADES.length);

      const second = run();
      let out = "";
      second.stdout.on("data", (chunk) => {
        out += String(chunk);
      });
      const code = await new Promise<number | null>((resolve) => second.once("exit", (c) => resolve(c)));
      expect(code, out).toBe(0);
      expect(out).toContain("Sincronização concluída");

      const rows = await store.executor.query<{ id: string; raw: unknown }>("select id, raw from bids");
      expectIndexEqualsLoopback(
        {
          rows: new Map(rows.map((r) => [r.id, typeof r.raw === "string" ? JSON.parse(r.raw) : r.raw])),
          windows: await index.windows(addDays(today, -30), today, MODALIDADES),
        },
        pncp.records,
        { days: data.days, modalidades: MODALIDADES, pageSize: 50 },
      );
    },
  );
});
