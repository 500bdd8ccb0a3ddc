import { describe } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { BID_INDEX_RPC_FUNCTIONS, SupabaseBidIndex } from "../../src/stores/bid-index/supabase-bid-index.ts";
import { applyMigrations } from "../../src/stores/migrate.ts";
import { PgStore, poolExecutor } from "../../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { FakeSupabase } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, testPool } from "../helpers/services.ts";
import { runBidIndexContract } from "./bid-index-contract.ts";

runBidIndexContract("PGlite (memory)", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return { index: createBidIndex(store), close: () => store.close() };
});

const postgres = await needPostgres();

describe.skipIf(!postgres)("on Postgres", () => {
  runBidIndexContract("Postgres", async () => {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 3 });
    return {
      index: createBidIndex(store),
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  runBidIndexContract("Supabase RPC", async () => {
    const database = await createTestDatabase();
    const pool = testPool(database.url, 2);
    await applyMigrations(poolExecutor(pool), { logger: silentLogger() });
    await pool.end();
    const key = "sb_secret_index_test_key";
    const fake = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: key,
      allow: BID_INDEX_RPC_FUNCTIONS,
    });
    return {
      index: new SupabaseBidIndex({ url: fake.url, serviceRoleKey: key }),
      close: async () => {
        await fake.close();
        await database.drop();
      },
    };
  });
});
