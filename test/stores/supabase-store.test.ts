import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { applyMigrations } from "../../src/stores/migrate.ts";
import { poolExecutor } from "../../src/stores/pg-store.ts";
import { createServerClient } from "../../src/stores/supabase-client.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";
import { FakeSupabase, STORE_RPC_FUNCTIONS } from "../fakes/fake-supabase.ts";
import { createTestDatabase, needPostgres, type TestDatabase, testPool } from "../helpers/services.ts";
import { runStoreContract } from "./store-contract.ts";

const postgres = await needPostgres();
const SERVICE_KEY = "sb_secret_test_service_key";
const ANON_KEY = "sb_publishable_test_anon_key";
const FIRST_HOUR_FUNCTIONS = ["rate_limit_hit", "rate_limit_undo", "app_setting_get_or_create"];

describe.skipIf(!postgres)("Supabase store through the PostgREST stand-in", () => {
  let database: TestDatabase;
  let fake: FakeSupabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    const pool = testPool(database.url, 2);
    await applyMigrations(poolExecutor(pool), { logger: silentLogger() });
    await pool.end();
    fake = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: SERVICE_KEY,
      anonKey: ANON_KEY,
      // The store's functions from 0006 (rate limiter, generated settings) are exposed like the others.
      allow: [...new Set([...STORE_RPC_FUNCTIONS, ...FIRST_HOUR_FUNCTIONS])],
    });
  });
  afterAll(async () => {
    await fake?.close();
    await database?.drop();
  });

  runStoreContract(
    "SupabaseStore",
    () => SupabaseStore.open({ url: fake.url, serviceRoleKey: SERVICE_KEY }),
    async (sql, params) => {
      const pool = testPool(database.url, 1);
      try {
        return (await pool.query(sql, params)).rows;
      } finally {
        await pool.end();
      }
    },
  );

  it("sends supabase-js RPC requests with the service key", async () => {
    const store = await SupabaseStore.open({ url: fake.url, serviceRoleKey: SERVICE_KEY });
    const before = fake.requests.length;
    const account = await store.resolveIdentity({
      platform: "cli",
      userId: "headers",
      teamId: null,
      displayName: "Ana",
    });
    await store.consumeSearch(account, 7, new Date("2026-11-25T12:00:00Z"));
    const [resolve, consume] = fake.requests.slice(before);
    expect(resolve).toMatchObject({
      method: "POST",
      path: "/rest/v1/rpc/resolve_identity",
      status: 200,
      body: { p_platform: "cli", p_user_id: "headers", p_team_id: null, p_display_name: "Ana" },
    });
    expect(resolve!.headers.apikey).toBe(SERVICE_KEY);
    expect(resolve!.headers.authorization).toBe(`Bearer ${SERVICE_KEY}`);
    expect(resolve!.headers["content-type"]).toBe("application/json");
    expect(resolve!.headers["content-profile"]).toBe("public");
    expect(consume!.headers.accept).toBe("application/vnd.pgrst.object+json");
    expect(consume!.body).toEqual({
      p_account_id: account,
      p_history_days: 7,
      p_now: "2026-11-25T12:00:00.000Z",
    });
  });

  it("answers void functions with 204", async () => {
    const store = await SupabaseStore.open({ url: fake.url, serviceRoleKey: SERVICE_KEY });
    await store.deleteInstallation("T-none");
    expect(fake.requests.at(-1)).toMatchObject({ fn: "delete_installation", status: 204 });
  });

  it("rejects a wrong key with 401 and the store surfaces an error", async () => {
    const store = await SupabaseStore.open({ url: fake.url, serviceRoleKey: "sb_secret_wrong" });
    await expect(store.claimEvent("x", "1")).rejects.toThrow();
    expect(fake.requests.at(-1)).toMatchObject({ fn: "claim_event", status: 401 });
  });

  it("denies the anon key every function of ours (permission denied, nothing executed)", async () => {
    // Every function the migrations create (extension functions aside), with its argument names: the anon
    // key may call none, whatever later migrations add.
    const pool = testPool(database.url, 1);
    const { rows } = await pool.query<{ fn: string; args: string[] | null }>(
      `select p.proname as fn, p.proargnames[1:p.pronargs] as args
         from pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        order by 1`,
    );
    await pool.end();
    expect(rows.length).toBeGreaterThanOrEqual(STORE_RPC_FUNCTIONS.length);
    const all = await FakeSupabase.start({
      databaseUrl: database.url,
      serviceRoleKey: SERVICE_KEY,
      anonKey: ANON_KEY,
      allow: rows.map((r) => r.fn),
    });
    try {
      const anon = createServerClient(all.url, ANON_KEY);
      const refused: string[] = [];
      for (const { fn, args } of rows) {
        const call = Object.fromEntries((args ?? []).map((name) => [name, null]));
        const { data, error, status } = await anon.rpc(fn, call);
        if (data === null && error?.code === "42501" && status === 401) refused.push(fn);
      }
      expect(refused).toEqual(rows.map((r) => r.fn));
      expect(refused).toEqual(expect.arrayContaining([...STORE_RPC_FUNCTIONS]));
    } finally {
      await all.close();
    }
    const service = await SupabaseStore.open({ url: fake.url, serviceRoleKey: SERVICE_KEY });
    expect(await service.claimEvent("anon", "1")).toBe(true);
  });

  it("refuses functions outside the allow-list and unknown arguments like PostgREST (404)", async () => {
    const client = createServerClient(fake.url, SERVICE_KEY);
    const internal = await client.rpc("_ensure_account", {
      p_kind: "team",
      p_platform: "x",
      p_external_id: "y",
      p_display_name: null,
    });
    expect(internal.status).toBe(404);
    expect(internal.error?.code).toBe("PGRST202");
    const badArgs = await client.rpc("claim_event", { p_source: "x", p_key: "y" });
    expect(badArgs.status).toBe(404);
    const sqlInjection = await client.rpc("claim_event(); drop table accounts; --", {});
    expect(sqlInjection.status).toBe(404);
  });

  it("returns PostgREST's PGRST116 when one object is requested and the set is not one row", async () => {
    const client = createServerClient(fake.url, SERVICE_KEY);
    const { error, status } = await client.rpc("list_plans").single();
    expect(status).toBe(406);
    expect(error?.code).toBe("PGRST116");
  });
});
