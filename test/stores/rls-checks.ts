import { expect } from "vitest";
import type { SqlExecutor } from "../../src/stores/sql-executor.ts";

/** Every table the migrations create. */
export const TABLES = [
  "plans",
  "accounts",
  "chat_identities",
  "subscriptions",
  "usage_monthly",
  "search_log",
  "processed_events",
  "slack_installations",
  "schema_migrations",
  "rate_limit_hits",
  "app_settings",
] as const;

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back. */
async function inRolledBackTransaction(
  db: SqlExecutor,
  fn: (tx: SqlExecutor) => Promise<void>,
): Promise<void> {
  await db
    .transaction(async (tx) => {
      await fn(tx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
}

async function sqlState(db: SqlExecutor, sql: string): Promise<string | null> {
  try {
    await db.query(sql);
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code ?? "error");
  }
}

/**
 * Asserts the anon and authenticated roles read nothing: no table privilege, no function EXECUTE, and even
 * with a SELECT grant (Supabase grants one by default) RLS without policies returns no rows.
 * Expects at least one account and one plan to exist.
 */
export async function expectApiRolesReadNothing(db: SqlExecutor): Promise<void> {
  for (const role of ["anon", "authenticated"]) {
    for (const table of TABLES) {
      await inRolledBackTransaction(db, async (tx) => {
        await tx.query(`set local role ${role}`);
        expect(await sqlState(tx, `select * from ${table}`), `${role} reading ${table}`).toBe("42501");
      });
    }
    for (const call of [
      "select resolve_identity('cli', 'intruder', null, null)",
      `select * from consume_search('${"0".repeat(8)}-0000-0000-0000-000000000000', 7)`,
      "select claim_event('x', 'y')",
      "select * from list_plans()",
      "select get_installation('T1')",
      `select set_plan('${"0".repeat(8)}-0000-0000-0000-000000000000', 'maquina', null)`,
      "select * from rate_limit_hit('k', 10, 60000)",
      "select rate_limit_undo('k', 1)",
      "select app_setting_get_or_create('upgrade_token_secret', 'attacker')",
    ]) {
      await inRolledBackTransaction(db, async (tx) => {
        await tx.query(`set local role ${role}`);
        expect(await sqlState(tx, call), `${role}: ${call}`).toBe("42501");
      });
    }
    await inRolledBackTransaction(db, async (tx) => {
      for (const table of TABLES) await tx.query(`grant select on ${table} to ${role}`);
      expect(Number((await tx.query("select count(*) as n from accounts"))[0]!.n)).toBeGreaterThan(0);
      await tx.query(`set local role ${role}`);
      for (const table of TABLES) {
        expect(await tx.query(`select * from ${table}`), `${role} with a grant on ${table}`).toEqual([]);
      }
    });
  }
  // No function of ours (extension functions aside) is executable by the API roles.
  const executable = await db.query<{ fn: string; role: string }>(
    `select p.oid::regprocedure::text as fn, r.role
       from pg_proc p cross join (values ('anon'), ('authenticated')) as r(role)
      where p.pronamespace = 'public'::regnamespace
        and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        and has_function_privilege(r.role, p.oid, 'execute')`,
  );
  expect(executable).toEqual([]);
  // The server's role can call the functions.
  await inRolledBackTransaction(db, async (tx) => {
    await tx.query("set local role service_role");
    const rows = await tx.query<{ id: string }>(
      "select resolve_identity('cli', 'rls-check', null, null) as id",
    );
    expect(rows[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await tx.query("select * from list_plans()")).length).toBe(4);
  });
}
