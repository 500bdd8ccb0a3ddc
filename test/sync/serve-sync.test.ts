/** `serve` runs the sync worker beside the server (on the app's own PNCP client), unless SYNC_ENABLED=false. */
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { saoPauloDate } from "../../src/core/time.ts";
import { createApp } from "../../src/main.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { syncDataSet } from "./sync-data.ts";

const fakes: FakePncp[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function serve(env: Record<string, string>) {
  const data = syncDataSet(saoPauloDate(new Date()), 2, [6, 4, 8]);
  const pncp = await startFakePncp({ records: data.records, latencyMs: 5 });
  fakes.push(pncp);
  const config = loadConfig({
    DATA_DIR: "memory://",
    PNCP_BASE_URL: pncp.url,
    SYNC_BACKFILL_DAYS: "2",
    LOG_LEVEL: "silent",
    UPGRADE_TOKEN_SECRET: "serve-sync-test-secret",
    ...env,
  });
  const app = await createApp(config, { sync: true });
  await app.start(0);
  return { app, pncp };
}

describe("serve and the sync worker", { timeout: 120_000 }, () => {
  it("syncs in the background and stops gracefully with the server", async () => {
    const { app, pncp } = await serve({});
    await expect
      .poll(() => pncp.requests.filter((r) => r.path.endsWith("/atualizacao")).length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(pncp.requests.every((r) => r.params.uf === undefined)).toBe(true);
    expect(app.syncStatus()).toMatchObject({ holdsLease: true });
    await app.stop();
    expect(pncp.inFlight).toBe(0);
    const after = pncp.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pncp.requests.length).toBe(after);
  });

  it("SYNC_ENABLED=false: nothing is asked of PNCP", async () => {
    const { app, pncp } = await serve({ SYNC_ENABLED: "false" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(app.syncStatus()).toBeNull();
    await app.stop();
    expect(pncp.requests).toHaveLength(0);
  });
});
