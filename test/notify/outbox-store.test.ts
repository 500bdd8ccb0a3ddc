import { MemoryOutboxStore } from "../../src/core/outbox/memory-outbox-store.ts";
import { createSqlOutboxStore } from "../../src/stores/outbox/sql-outbox-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { runOutboxStoreContract } from "./outbox-store-contract.ts";

/** The outbox store contract in memory and on PGlite (Postgres and Supabase RPC: outbox-store-pg.test.ts). */

runOutboxStoreContract("memory", async () => ({ store: new MemoryOutboxStore(), close: async () => {} }));

runOutboxStoreContract("PGlite (memory)", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return { store: createSqlOutboxStore(store), close: () => store.close() };
});
