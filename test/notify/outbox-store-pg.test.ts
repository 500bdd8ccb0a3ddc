import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/chat/reply.ts";
import { createOutbox } from "../../src/core/outbox/outbox.ts";
import { createOutboxSender } from "../../src/core/outbox/outbox-sender.ts";
import { Pacing } from "../../src/core/outbox/pacing.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { applyMigrations } from "../../src/stores/migrate.ts";
import { createSqlOutboxStore } from "../../src/stores/outbox/sql-outbox-store.ts";
import { OUTBOX_RPC_FUNCTIONS, SupabaseOutboxStore } from "../../src/stores/outbox/supabase-outbox-store.ts";
import { PgStore, poolExecutor } from "../../src/stores/pg-store.ts";
import { FakeSupabase } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, type TestDatabase, testPool } from "../helpers/services.ts";
import { runOutboxStoreContract } from "./outbox-store-contract.ts";
import { label, RecordingNotifier } from "./recording-notifier.ts";

/** The outbox on the local Postgres: the store contract (plain SQL and Supabase RPC) and two real senders racing. */

const postgres = await needPostgres();

describe.skipIf(!postgres)("outbox on Postgres", () => {
  runOutboxStoreContract("Postgres", async () => {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 3 });
    return {
      store: createSqlOutboxStore(store),
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  runOutboxStoreContract("Supabase RPC", async () => {
    const database = await createTestDatabase();
    const pool = testPool(database.url, 2);
    await applyMigrations(poolExecutor(pool), { logger: silentLogger() });
    await pool.end();
    const key = "sb_secret_outbox_test_key";
    const fake = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: key,
      allow: OUTBOX_RPC_FUNCTIONS,
    });
    return {
      store: new SupabaseOutboxStore({ url: fake.url, serviceRoleKey: key }),
      close: async () => {
        await fake.close();
        await database.drop();
      },
    };
  });

  describe("two instances", () => {
    let database: TestDatabase;
    let a: PgStore;
    let b: PgStore;
    beforeAll(async () => {
      database = await createTestDatabase();
      a = await PgStore.open({ databaseUrl: database.url, max: 4 });
      b = await PgStore.open({ databaseUrl: database.url, max: 4, migrate: false });
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await database?.drop();
    });

    const unpaced = () =>
      new Pacing({
        slack: { perChat: { intervalMs: 0, burst: 1 } },
        telegram: {
          perPrivateChat: { intervalMs: 0, burst: 1 },
          perGroup: { intervalMs: 0, burst: 1 },
          global: { intervalMs: 0, burst: 1 },
        },
        whatsapp: { perChat: { intervalMs: 0, burst: 1 }, global: { intervalMs: 0, burst: 1 } },
      });

    it("racing senders (separate pools, skip locked) send each of 300 messages exactly once; a crashed claim is re-sent after its lease", async () => {
      const clock = new FixedClock("2026-12-01T09:00:00Z");
      const notifier = new RecordingNotifier(clock);
      const storeA = createSqlOutboxStore(a);
      const storeB = createSqlOutboxStore(b);
      const outbox = createOutbox({ store: storeA, clock, logger: silentLogger() });
      const text = (t: string): Reply[] => [{ kind: "text", text: t }];
      for (let i = 0; i < 300; i++)
        await outbox.enqueue({
          key: `race-${i}`,
          to: { platform: "telegram", chatId: String(10_000 + i) },
          replies: text(`race-${i}`),
          purpose: "digest",
        });
      // An instance that claimed two messages and died before sending them.
      const crashed = await storeB.claim("crashed", clock.now(), 60_000, 2, "telegram");
      const common = { notifier, clock, logger: silentLogger() };
      const senderA = createOutboxSender(
        { ...common, store: storeA, pacing: unpaced() },
        { owner: "A", batchSize: 25 },
      );
      const senderB = createOutboxSender(
        { ...common, store: storeB, pacing: unpaced() },
        { owner: "B", batchSize: 25 },
      );
      for (let round = 0; round < 30; round++) {
        const [na, nb] = await Promise.all([senderA.runOnce(), senderB.runOnce()]);
        if (na + nb === 0) break;
      }
      expect(notifier.sends).toHaveLength(298);
      clock.advance(60_000);
      await Promise.all([senderA.runOnce(), senderB.runOnce()]);
      const labels = notifier.sends.map(label);
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels.sort()).toEqual(Array.from({ length: 300 }, (_, i) => `race-${i}`).sort());
      for (const message of crashed)
        expect(await outbox.message(message.dedupeKey)).toMatchObject({ status: "sent", attempts: 2 });
      expect(await storeA.counts()).toEqual({ sent: 300 });
    });
  });
});
