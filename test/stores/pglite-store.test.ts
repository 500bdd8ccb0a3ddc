import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../../src/stores/migrate.ts";
import { PGLITE_MEMORY, PgliteStore, pgliteExecutor } from "../../src/stores/pglite-store.ts";
import { expectApiRolesReadNothing } from "./rls-checks.ts";
import { runStoreContract } from "./store-contract.ts";

runStoreContract("PGlite (in memory)", () => PgliteStore.open({ dataDir: PGLITE_MEMORY }));

describe("PGlite migrations and security", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create(PGLITE_MEMORY);
  });
  afterAll(async () => {
    await db.close();
  });

  it("applies every migration once; a second run applies nothing", async () => {
    const executor = pgliteExecutor(db);
    const first = await applyMigrations(executor, { logger: silentLogger() });
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
    expect(files.slice(0, 6)).toEqual([
      "0001_roles.sql",
      "0002_schema.sql",
      "0003_plans.sql",
      "0004_functions.sql",
      "0005_security.sql",
      "0006_first_hour.sql",
    ]);
    expect(first).toEqual(files);
    expect(await applyMigrations(executor, { logger: silentLogger() })).toEqual([]);
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from schema_migrations");
    expect(rows[0]!.n).toBe(first.length);
  });

  it("enables RLS on every table and lets the API roles read nothing", async () => {
    await db.query("select resolve_identity('cli', 'ana', null, 'Ana')");
    const { rows } = await db.query<{ relname: string }>(
      `select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'
         and not relrowsecurity`,
    );
    expect(rows).toEqual([]);
    await expectApiRolesReadNothing(pgliteExecutor(db));
  });
});

describe("PGlite on disk", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smart-pncp-pglite-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps accounts and usage across restarts in <dataDir>/pglite", async () => {
    const identity = { platform: "cli" as const, userId: "ana", teamId: null, displayName: null };
    const first = await PgliteStore.open({ dataDir: dir });
    const account = await first.resolveIdentity(identity);
    await first.consumeSearch(account, 7);
    await first.close();
    const second = await PgliteStore.open({ dataDir: dir });
    try {
      expect(await second.resolveIdentity(identity)).toBe(account);
      expect((await second.getAccountStatus(account)).used).toBe(1);
      expect(await second.migrate()).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
