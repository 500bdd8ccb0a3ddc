import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { indexCommand } from "../../src/cli/index-command.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { fixtureIndexedRecords } from "./index-fixtures.ts";

const postgres = await needPostgres();
const NOW = new Date("2026-09-22T15:00:00Z");

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await indexCommand(argv, env), out };
  } finally {
    spy.mockRestore();
  }
}

describe.skipIf(!postgres)("smart-pncp index", () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, LOG_LEVEL: "silent" };
    const store = await PgStore.open({ databaseUrl: database.url, max: 2 });
    const index = createBidIndex(store);
    const records = fixtureIndexedRecords(NOW);
    await index.recordPage({ day: "2026-09-17", modalidade: 8 }, 1, 1, records.slice(0, 10), NOW);
    await index.recordPage({ day: "2026-09-18", modalidade: 8 }, 1, 0, [], NOW);
    await index.recordPage({ day: "2026-09-20", modalidade: 8 }, 1, 2, records.slice(10, 20), NOW);
    await index.upsertBids(records.slice(20), NOW);
    await index.setTags([{ id: records[0]!.bid.id, tags: [], scores: [] }], "old");
    await index.recordRound(NOW, { pages: 3 });
    await store.close();
  }, 60_000);
  afterAll(async () => database?.drop());

  it("prints coverage, rows, freshness, disk and stale tags as JSON", async () => {
    const { code, out } = await run(["status", "--json"], env);
    expect(code).toBe(0);
    const status = JSON.parse(out);
    expect(status).toMatchObject({
      rows: fixtureIndexedRecords(NOW).length,
      freshAt: NOW.toISOString(),
      lastRoundAt: NOW.toISOString(),
      staleTagRows: 1,
      coverage: [{ modalidade: 8, ranges: [{ from: "2026-09-17", to: "2026-09-18" }], partialWindows: 1 }],
    });
    expect(status.diskBytes).toBeGreaterThan(100_000);
  });

  it("prints the status in pt-BR, and retag brings the tags up to date", async () => {
    const text = await run(["status"], env);
    expect(text.out).toContain("Licitações guardadas: 579");
    expect(text.out).toContain("• 8 Dispensa: 17/09/2026 a 18/09/2026; 1 dia parcial");
    expect(text.out).toContain("Etiquetas de setor a recalcular: 1");
    const retag = await run(["retag", "--json"], env);
    expect(JSON.parse(retag.out)).toEqual({ retag: { rows: 1, batches: 1, done: true } });
    expect((await run(["status"], env)).out).toContain("Etiquetas de setor: em dia");
  });

  it("refuses an unknown action with its usage", async () => {
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await indexCommand(["compact"], env)).toBe(1);
      expect(String(spy.mock.calls[0]?.[0])).toContain("uso: smart-pncp index status");
    } finally {
      spy.mockRestore();
    }
  });
});
