import { createSqlBillingStore } from "../../src/stores/billing/function-billing-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { runBillingStoreContract } from "./billing-store-contract.ts";

/** The billing store contract on PGlite (its own file: PGlite's start-up runs beside the Postgres suites). */

runBillingStoreContract("PGlite (memory)", async () => {
  const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  return {
    store,
    billing: createSqlBillingStore(store),
    query: (sql) => store.executor.query(sql),
    close: () => store.close(),
  };
});
