/**
 * Two instances on one real Postgres (two stores = two connection pools, as two processes): both run the
 * sync worker against the loopback PNCP (one holds the lease) with alerts after each round, and both run
 * alert rounds at the same time on their tickers. Every (alert, bid) is matched and sent exactly once,
 * and no alert delivery consumes a search.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertRunner } from "../../src/core/alerts/alert-round.ts";
import type { AlertSender } from "../../src/core/alerts/deliver-alerts.ts";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { syncModalidades } from "../../src/core/sync/sync-plan.ts";
import { startSyncWorker } from "../../src/core/sync/sync-worker.ts";
import { createAlertStore } from "../../src/stores/alerts/sql-alert-store.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { syncDataSet } from "../sync/sync-data.ts";

const TODAY = "2026-12-01";
const NOW = new Date("2026-12-01T22:00:00Z");
const MODALIDADES = syncModalidades([]);
const logger = silentLogger();
const postgres = await needPostgres();

describe.skipIf(!postgres)("two instances racing", { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let stores: PgStore[];
  let pncp: FakePncp;
  const sent: Array<{ key: string; text: string }> = [];
  const sender: AlertSender = {
    async send(_to, replies, options) {
      sent.push({ key: options.key, text: replies.map((r) => ("text" in r ? r.text : "")).join("\n") });
      return { ok: true, messageIds: [String(sent.length)] };
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const records = syncDataSet(TODAY, 1, MODALIDADES).records.filter((r) =>
      r.dataPublicacaoPncp.startsWith(TODAY),
    );
    pncp = await startFakePncp({ records, now: NOW });
    stores = [await PgStore.open({ databaseUrl: database.url, max: 4 })];
    stores.push(await PgStore.open({ databaseUrl: database.url, max: 4, migrate: false }));
    const alerts = createAlertStore(stores[0]!);
    const owner = await stores[0]!.resolveIdentity(
      { platform: "telegram", userId: "race", teamId: null, displayName: null },
      NOW,
    );
    await stores[0]!.setPlan(owner, "maquina", null);
    const texts = [
      "SP",
      "MG",
      "RJ BA",
      "setor:saude",
      "setor:ti",
      "acima de 10 mil",
      "dispensa",
      "pregão SC PR",
      "",
      "abertas",
    ];
    for (const [i, text] of texts.entries()) {
      const created = await alerts.createAlert(
        {
          accountId: owner,
          address: { platform: "telegram", chatId: `chat-${i}`, teamId: null },
          scope: "personal",
          queryText: text || "tudo",
          query: parseQuery(text, { now: NOW }).query,
          mode: "instant",
          digestHour: 8,
          reminder: false,
        },
        100,
        new Date(NOW.getTime() - 3_600_000),
      );
      expect(created.ok).toBe(true);
    }
  }, 60_000);

  afterAll(async () => {
    for (const store of stores ?? []) await store.close();
    await pncp?.close();
    await database?.drop();
  });

  it("match and send every (alert, bid) once", async () => {
    const clock = new FixedClock(NOW);
    let resolveRound: () => void = () => {};
    const firstRound = new Promise<void>((resolve) => {
      resolveRound = resolve;
    });
    const instances = stores.map((store, i) => {
      const index = createBidIndex(store);
      const runner = createAlertRunner({
        alerts: createAlertStore(store),
        index,
        store,
        sender,
        clock,
        logger,
      });
      const worker = startSyncWorker(
        {
          pncp: new HttpPncpClient({
            baseUrl: pncp.url,
            pageSize: 50,
            timeoutMs: 2_000,
            retryBaseMs: 5,
            clock,
          }),
          index,
          clock,
          logger,
          onRoundComplete: async () => {
            await runner.run();
            resolveRound();
          },
        },
        {
          modalidades: MODALIDADES,
          backfillDays: 1,
          intervalMs: 60_000,
          leaseTtlMs: 5_000,
          holder: `instance-${i}`,
        },
      );
      return { runner, worker };
    });
    await firstRound;
    // Both instances' tickers fire at once, several times.
    for (let i = 0; i < 3; i++) await Promise.all(instances.map((x) => x.runner.run()));
    for (const x of instances) await x.worker.stop(5_000);
    for (const x of instances) await x.runner.stop();

    const db = stores[0]!.executor;
    const items = await db.query<{ alert_id: string; bid_id: string; status: string }>(
      "select alert_id::text, bid_id, status from alert_match_items",
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.status === "sent")).toBe(true);
    // One message per alert with matches (every bid arrived in the one round), each key once.
    expect(new Set(sent.map((s) => s.key)).size).toBe(sent.length);
    expect(sent.length).toBe(new Set(items.map((i) => i.alert_id)).size);
    const [usage] = await db.query<{ n: string }>("select count(*)::text as n from usage_monthly");
    expect(usage!.n).toBe("0");
  });
});
