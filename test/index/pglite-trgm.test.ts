/** PGlite loads the pg_trgm contrib module, so 0007 builds the trigram index term searches use there too. */
import { describe, expect, it } from "vitest";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";

describe("PgliteStore with pg_trgm", () => {
  it("has the extension and the trigram index on the bids' search text", async () => {
    const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
    try {
      const extensions = await store.executor.query<{ extname: string }>("select extname from pg_extension");
      expect(extensions.map((r) => r.extname)).toContain("pg_trgm");
      const indexes = await store.executor.query<{ indexdef: string }>(
        "select indexdef from pg_indexes where indexname = 'bids_search_trgm_idx'",
      );
      expect(indexes).toHaveLength(1);
      expect(indexes[0]!.indexdef).toContain("gin_trgm_ops");
      const similar = await store.executor.query<{ s: number }>(
        "select similarity('uniformes', 'uniforme') as s",
      );
      expect(Number(similar[0]!.s)).toBeGreaterThan(0.5);
    } finally {
      await store.close();
    }
  });
});
