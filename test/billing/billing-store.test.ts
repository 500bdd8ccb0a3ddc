import { describe } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { createSqlBillingStore } from "../../src/stores/billing/function-billing-store.ts";
import {
  BILLING_RPC_FUNCTIONS,
  SupabaseBillingStore,
} from "../../src/stores/billing/supabase-billing-store.ts";
import { applyMigrations } from "../../src/stores/migrate.ts";
import { PgStore, poolExecutor } from "../../src/stores/pg-store.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";
import { FakeSupabase, STORE_RPC_FUNCTIONS } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, testPool } from "../helpers/services.ts";
import { runBillingStoreContract } from "./billing-store-contract.ts";

/** The billing store contract on the local Postgres (plain SQL) and through Supabase RPC (the fake PostgREST). */

const postgres = await needPostgres();

describe.skipIf(!postgres)("on Postgres", () => {
  runBillingStoreContract("Postgres", async () => {
    const database = await createTestDatabase();
    const store = await PgStore.open({ databaseUrl: database.url, max: 4 });
    return {
      store,
      billing: createSqlBillingStore(store),
      query: (sql) => store.executor.query(sql),
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  runBillingStoreContract("Supabase RPC", async () => {
    const database = await createTestDatabase();
    const pool = testPool(database.url, 2);
    await applyMigrations(poolExecutor(pool), { logger: silentLogger() });
    const key = "sb_secret_billing_test_key";
    const fake = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: key,
      allow: [...STORE_RPC_FUNCTIONS, ...BILLING_RPC_FUNCTIONS],
    });
    return {
      store: new SupabaseStore({ url: fake.url, serviceRoleKey: key }),
      billing: new SupabaseBillingStore({ url: fake.url, serviceRoleKey: key }),
      query: async (sql) => (await pool.query(sql)).rows,
      close: async () => {
        await fake.close();
        await pool.end();
        await database.drop();
      },
    };
  });
});
