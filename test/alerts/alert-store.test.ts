import { describe } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { createAlertStore } from "../../src/stores/alerts/sql-alert-store.ts";
import { ALERT_RPC_FUNCTIONS, SupabaseAlertStore } from "../../src/stores/alerts/supabase-alert-store.ts";
import { BID_INDEX_RPC_FUNCTIONS, SupabaseBidIndex } from "../../src/stores/bid-index/supabase-bid-index.ts";
import { applyMigrations } from "../../src/stores/migrate.ts";
import { PgStore, poolExecutor } from "../../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";
import { FakeSupabase, STORE_RPC_FUNCTIONS } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, testPool } from "../helpers/services.ts";
import { runAlertStoreContract } from "./alert-store-contract.ts";

runAlertStoreContract("PGlite (memory)", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return { store, alerts: createAlertStore(store), index: createBidIndex(store), close: () => store.close() };
});

const postgres = await needPostgres();

describe.skipIf(!postgres)("on Postgres", () => {
  runAlertStoreContract("Postgres", async () => {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 4 });
    return {
      store,
      alerts: createAlertStore(store),
      index: createBidIndex(store),
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  runAlertStoreContract("Supabase RPC", async () => {
    const database = await createTestDatabase();
    const pool = testPool(database.url, 2);
    await applyMigrations(poolExecutor(pool), { logger: silentLogger() });
    await pool.end();
    const key = "sb_secret_alert_test_key";
    const fake = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: key,
      allow: [...STORE_RPC_FUNCTIONS, ...BID_INDEX_RPC_FUNCTIONS, ...ALERT_RPC_FUNCTIONS],
    });
    const options = { url: fake.url, serviceRoleKey: key };
    return {
      store: new SupabaseStore(options),
      alerts: new SupabaseAlertStore(options),
      index: new SupabaseBidIndex(options),
      close: async () => {
        await fake.close();
        await database.drop();
      },
    };
  });
});
