import { describe } from "vitest";
import { MemoryOutboxStore } from "../../src/core/outbox/memory-outbox-store.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { applyMigrations } from "../../src/stores/migrate.ts";
import { createSqlOutboxStore } from "../../src/stores/outbox/sql-outbox-store.ts";
import { OUTBOX_RPC_FUNCTIONS, SupabaseOutboxStore } from "../../src/stores/outbox/supabase-outbox-store.ts";
import { PgStore, poolExecutor } from "../../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { FakeSupabase } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, testPool } from "../helpers/services.ts";
import { runOutboxStoreContract } from "./outbox-store-contract.ts";

runOutboxStoreContract("memory", async () => ({ store: new MemoryOutboxStore(), close: async () => {} }));

runOutboxStoreContract("PGlite (memory)", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return { store: createSqlOutboxStore(store), close: () => store.close() };
});

const postgres = await needPostgres();

describe.skipIf(!postgres)("on Postgres", () => {
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
});
