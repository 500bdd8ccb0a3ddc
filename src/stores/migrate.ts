import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Logger } from "../core/ports/logger.ts";
import type { SqlExecutor } from "./sql-executor.ts";

/** supabase/migrations at the repository root: the same files Supabase applies. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../supabase/migrations/", import.meta.url));

const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;
/** Arbitrary constant for pg_advisory_xact_lock: two instances starting at once migrate one after the other. */
const LOCK_KEY = 7_240_001;

const CREATE_TRACKING_TABLE = `
create table if not exists schema_migrations (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
alter table schema_migrations enable row level security;`;

// After the migrations, which create the API roles on plain Postgres/PGlite.
const LOCK_DOWN_TRACKING_TABLE = `
do $$
begin
  if exists (select from pg_roles where rolname = 'anon') then
    revoke all on table schema_migrations from anon, authenticated;
  end if;
end
$$;`;

export interface MigrateOptions {
  logger: Logger;
  /** Directory of `NNNN_name.sql` files; defaults to supabase/migrations. */
  dir?: string;
}

/**
 * Applies the pending migration files in name order, in one transaction under an advisory lock, recording
 * each in `schema_migrations`. Idempotent: a second run applies nothing. Returns the files applied.
 */
export async function applyMigrations(executor: SqlExecutor, options: MigrateOptions): Promise<string[]> {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const files = (await readdir(dir)).filter((name) => FILE_PATTERN.test(name)).sort();
  const scripts = await Promise.all(
    files.map(async (name) => ({ name, sql: await readFile(`${dir}/${name}`, "utf8") })),
  );
  return executor.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await tx.exec(CREATE_TRACKING_TABLE);
    const rows = await tx.query<{ name: string; checksum: string }>(
      "select name, checksum from schema_migrations",
    );
    const done = new Map(rows.map((row) => [row.name, row.checksum]));
    const applied: string[] = [];
    for (const { name, sql } of scripts) {
      const checksum = createHash("sha256").update(sql).digest("hex");
      const previous = done.get(name);
      if (previous !== undefined) {
        // Applied files are never re-run; an edit needs a new migration file.
        if (previous !== checksum) options.logger.warn({ migration: name }, "migration_changed");
        continue;
      }
      await tx.exec(sql);
      await tx.query("insert into schema_migrations (name, checksum) values ($1, $2)", [name, checksum]);
      options.logger.info({ migration: name }, "migration_applied");
      applied.push(name);
    }
    await tx.exec(LOCK_DOWN_TRACKING_TABLE);
    return applied;
  });
}
