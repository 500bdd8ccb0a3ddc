/**
 * A bare `smart-pncp search` (no `--as`) reads the local index when a store holding one is configured:
 * after `sync --once`, PNCP can be gone and the covered search still answers, from the index only;
 * `--live` skips the index (and then fails, PNCP being down).
 */
import { afterAll, describe, expect, it } from "vitest";
import { saoPauloDate } from "../../src/core/time.ts";
import { captureMain } from "../cli-run.testing.ts";
import { startFakePncp } from "../fakes/fake-pncp.ts";
import { createTestDatabase, needPostgres } from "../helpers/services.ts";
import { syncDataSet } from "./sync-data.ts";

const MODALIDADES = [6, 4, 8];
const cleanups: Array<() => Promise<void>> = [];
const postgres = await needPostgres();

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!postgres)("smart-pncp search without --as", { timeout: 180_000 }, () => {
  it("answers covered windows from the index even with PNCP gone; --live does not", async () => {
    const today = saoPauloDate(new Date());
    const data = syncDataSet(today, 2, MODALIDADES);
    const pncp = await startFakePncp({ records: data.records });
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const env = {
      DATABASE_URL: db.url,
      PNCP_BASE_URL: pncp.url,
      SYNC_BACKFILL_DAYS: "2",
      LOG_LEVEL: "silent",
      PNCP_RETRY_BASE_MS: "5",
      PNCP_MAX_RETRIES: "0",
    };
    const synced = await captureMain(["sync", "--once", "--json"], env);
    expect(synced.code).toBe(0);
    await pncp.close();

    const published = new Set(data.days);
    const expected = data.records.filter(
      (r) =>
        published.has(r.dataPublicacaoPncp.slice(0, 10)) && MODALIDADES.includes(r.modalidadeId as number),
    ).length;
    expect(expected).toBeGreaterThan(0);

    const fromIndex = await captureMain(
      ["search", "brasil", "--from", data.days.at(-1)!, "--to", data.days[0]!, "--json"],
      env,
    );
    expect(fromIndex.code).toBe(0);
    const body = JSON.parse(fromIndex.stdout) as {
      bids: unknown[];
      stats: { source: { index: number; live: number } };
    };
    expect(body.stats.source.live).toBe(0);
    expect(body.stats.source.index).toBe(expected);
    expect(body.bids).toHaveLength(expected);

    const live = await captureMain(
      ["search", "brasil", "--from", data.days.at(-1)!, "--to", data.days[0]!, "--json", "--live"],
      env,
    );
    expect(live.code).toBe(1);
    expect(JSON.parse(live.stdout)).toMatchObject({ error: { code: "PNCP_UNAVAILABLE" } });
  });
});
