import { rename, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../core/ports/logger.ts";
import { applyMigrations } from "./migrate.ts";
import type { SqlExecutor } from "./sql-executor.ts";

/** Arbitrary constant for pg_advisory_xact_lock: two processes opening at once import once. */
const IMPORT_LOCK_KEY = 7_240_003;
/** `app_settings` key recording that the PGlite data was imported. */
export const PGLITE_IMPORTED_SETTING = "pglite_imported_at";

// Seeded by the migrations, rebuilt by the sync (the index can be fetched again), or meaningless after
// a minute: not copied.
const NOT_COPIED = new Set([
  "plans",
  "schema_migrations",
  "rate_limit_hits",
  "bids",
  "index_windows",
  "index_leases",
  "index_sync_rounds",
]);

/**
 * Copies the data of an earlier embedded store (PGlite in `<dataDir>/pglite`, from before the embedded
 * Postgres) into the embedded Postgres once: accounts, identities, plans bought, usage, logs, installs…
 * so upgrading loses nothing. One transaction (a crash imports nothing and the next open retries), under
 * an advisory lock and a marker in `app_settings`; afterwards the folder is renamed
 * `pglite.imported-<timestamp>` and kept as a backup. Returns the rows copied per table, or null when
 * there was nothing to import.
 */
export async function importPgliteData(
  target: SqlExecutor,
  dataDir: string,
  logger: Logger,
): Promise<Record<string, number> | null> {
  const source = join(dataDir, "pglite");
  if (!(await isDir(source))) return null;
  const marker = await target.query("select 1 from app_settings where key = $1", [PGLITE_IMPORTED_SETTING]);
  if (marker.length > 0) return null;
  const { pgliteExecutor } = await import("./pglite-store.ts");
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(source);
  let copied: Record<string, number> | null = null;
  try {
    const from = pgliteExecutor(db);
    // Bring the old database to the current schema first, so both sides have the same columns.
    await applyMigrations(from, { logger });
    copied = await target.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1)", [IMPORT_LOCK_KEY]);
      const done = await tx.query("select 1 from app_settings where key = $1", [PGLITE_IMPORTED_SETTING]);
      if (done.length > 0) return null;
      // Rows reference each other (accounts ↔ accounts): foreign-key triggers are off during the copy, so
      // the order of tables does not matter; the rows come from a database that enforced the same keys.
      await tx.query("set local session_replication_role = replica");
      const counts: Record<string, number> = {};
      for (const table of await publicTables(from)) {
        if (NOT_COPIED.has(table)) continue;
        const [{ rows }] = (await from.query<{ rows: unknown[] }>(
          `select coalesce(json_agg(t), '[]'::json) as rows from ${quote(table)} t`,
        )) as [{ rows: unknown[] }];
        if (rows.length === 0) continue;
        await tx.query(
          `insert into ${quote(table)} overriding system value
           select * from json_populate_recordset(null::${quote(table)}, $1::json) on conflict do nothing`,
          [JSON.stringify(rows)],
        );
        counts[table] = rows.length;
      }
      await tx.query(`set local session_replication_role = origin`);
      await resetIdentitySequences(tx);
      await tx.query("insert into app_settings (key, value) values ($1, now()::text)", [
        PGLITE_IMPORTED_SETTING,
      ]);
      return counts;
    });
  } finally {
    await db.close();
  }
  const backup = `${source}.imported-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await rename(source, backup).catch((error) => logger.warn({ err: error }, "pglite_import_rename_failed"));
  if (copied) logger.info({ tables: copied, backup }, "pglite_data_imported");
  return copied;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

async function publicTables(db: SqlExecutor): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' order by c.relname`,
  );
  return rows.map((r) => r.name);
}

/** Identity columns continue after the copied ids (search_log.id…). */
async function resetIdentitySequences(tx: SqlExecutor): Promise<void> {
  const columns = await tx.query<{ table_name: string; column_name: string }>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and is_identity = 'YES'`,
  );
  for (const { table_name: table, column_name: column } of columns) {
    await tx.query(
      `select setval(pg_get_serial_sequence($1, $2), greatest(coalesce((select max(${quote(column)}) from ${quote(table)}), 0), 1), (select count(*) > 0 from ${quote(table)}))`,
      [table, column],
    );
  }
}
