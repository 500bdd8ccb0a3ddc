import { readdir } from "node:fs/promises";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../../src/stores/migrate.ts";
import { PgStore, poolExecutor } from "../../src/stores/pg-store.ts";
import { createTestDatabase, needPostgres, type TestDatabase, testPool } from "../helpers/services.ts";
import { expectApiRolesReadNothing } from "./rls-checks.ts";
import { runStoreContract } from "./store-contract.ts";

const postgres = await needPostgres();

async function migrationFiles(): Promise<string[]> {
  return (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
}

describe.skipIf(!postgres)("Postgres store", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  runStoreContract("Postgres (local)", () => PgStore.open({ databaseUrl: database.url, max: 20 }));

  describe("on real concurrency", () => {
    let store: PgStore;
    let pool: pg.Pool;
    beforeAll(async () => {
      store = await PgStore.open({ databaseUrl: database.url, max: 20 });
      pool = testPool(database.url, 5);
    });
    afterAll(async () => {
      await store?.close();
      await pool?.end();
    });

    it("shares a team's quota across members without over-consuming", async () => {
      const team = await store.resolveTeam("slack", "T-race");
      await store.setPlan(team, "sala_guerra", null);
      const seed = await store.consumeSearch(team, 7);
      await pool.query("update usage_monthly set searches = 990 where account_id = $1 and month_key = $2", [
        team,
        seed.monthKey,
      ]);
      const members = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.resolveIdentity({ platform: "slack", userId: `U${i}`, teamId: "T-race", displayName: null }),
        ),
      );
      const results = await Promise.all(
        members.flatMap((m) => [1, 2, 3].map(() => store.consumeSearch(m, 365))),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      expect(results.every((r) => r.chargedAccountId === team)).toBe(true);
      const { rows } = await pool.query("select searches from usage_monthly where account_id = $1", [team]);
      expect(rows).toEqual([{ searches: 1000 }]);
    });

    it("writes search_log rows", async () => {
      const account = await store.resolveIdentity({
        platform: "cli",
        userId: "logger",
        teamId: null,
        displayName: null,
      });
      await store.logSearch({
        accountId: account,
        platform: "cli",
        queryText: "uniformes",
        query: ["uniformes", { uf: "RJ" }],
        fetched: 10,
        matched: 2,
        durationMs: 1500,
        outcome: "partial",
        reason: "pncp_timeout",
      });
      const { rows } = await pool.query(
        "select query, fetched, matched, duration_ms, outcome, reason from search_log where account_id = $1",
        [account],
      );
      expect(rows).toEqual([
        {
          query: ["uniformes", { uf: "RJ" }],
          fetched: 10,
          matched: 2,
          duration_ms: 1500,
          outcome: "partial",
          reason: "pncp_timeout",
        },
      ]);
    });
  });

  describe("migrations and security", () => {
    let pool: pg.Pool;
    beforeAll(async () => {
      pool = testPool(database.url, 3);
    });
    afterAll(async () => {
      await pool?.end();
    });

    it("is idempotent: applying again changes nothing", async () => {
      const executor = poolExecutor(pool);
      await applyMigrations(executor, { logger: silentLogger() });
      expect(await applyMigrations(executor, { logger: silentLogger() })).toEqual([]);
      const { rows } = await pool.query("select name from schema_migrations order by name");
      expect(rows.map((r) => r.name)).toEqual(await migrationFiles());
      expect(rows.map((r) => r.name)).toContain("0006_first_hour.sql");
    });

    it("serialises two instances migrating a fresh database at once", async () => {
      const fresh = await createTestDatabase();
      const pools = [1, 2].map(() => testPool(fresh.url, 1));
      try {
        const results = await Promise.all(
          pools.map((p) => applyMigrations(poolExecutor(p), { logger: silentLogger() })),
        );
        expect(results.map((r) => r.length).sort()).toEqual([0, (await migrationFiles()).length]);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
        await fresh.drop();
      }
    });

    it("enables RLS on every table and the anon role reads nothing", async () => {
      const { rows } = await pool.query(
        `select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'
           and not relrowsecurity`,
      );
      expect(rows).toEqual([]);
      await expectApiRolesReadNothing(poolExecutor(pool));
    });
  });
});
