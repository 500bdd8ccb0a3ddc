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
