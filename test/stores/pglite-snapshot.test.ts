/**
 * The migrated-PGlite snapshot (src/stores/pglite-snapshot.ts) that every `memory://` store opens from:
 * it must be exactly the freshly migrated database (same catalog, same seeded rows, same next sequence
 * values), be written atomically, and never be trusted blindly (a broken file means migrating again).
 * TMPDIR points at a folder of this file's own, so the shared snapshot of the other test workers is
 * neither read nor damaged here.
 */
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports/logger.ts";
import { MIGRATIONS_DIR } from "../../src/stores/migrate.ts";
import { snapshotKey, snapshotPath } from "../../src/stores/pglite-snapshot.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import type { SqlExecutor } from "../../src/stores/sql-executor.ts";

const USER_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
  and n.nspname not like 'pg_temp%'`;

/** Every object the migrations make, one sortable line each, plus the database-level settings. */
const CATALOG = `
select 'schema ' || n.nspname || ' ' || coalesce(n.nspacl::text, '') as line from pg_namespace n where ${USER_SCHEMAS}
union all
select 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity
       || ' force=' || c.relforcerowsecurity || ' acl=' || coalesce(c.relacl::text, '')
  from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMAS}
union all
select 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' notnull=' || a.attnotnull || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
       || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
 where ${USER_SCHEMAS} and a.attnum > 0 and not a.attisdropped
union all
select 'function ' || p.oid::regprocedure::text || ' returns ' || pg_get_function_result(p.oid)
       || ' secdef=' || p.prosecdef || ' volatile=' || p.provolatile::text || ' config=' || coalesce(p.proconfig::text, '')
       || ' acl=' || coalesce(p.proacl::text, '') || ' body=' || md5(coalesce(p.prosrc, ''))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${USER_SCHEMAS}
union all
select 'index ' || schemaname || ' ' || indexdef from pg_indexes where schemaname not in ('pg_catalog', 'information_schema')
union all
select 'constraint ' || n.nspname || ' ' || co.conrelid::regclass::text || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
  from pg_constraint co join pg_namespace n on n.oid = co.connamespace where ${USER_SCHEMAS}
union all
select 'trigger ' || pg_get_triggerdef(t.oid) from pg_trigger t where not t.tgisinternal
union all
select 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || cmd || ' ' || roles::text
       || ' using=' || coalesce(qual, '') || ' check=' || coalesce(with_check, '')
  from pg_policies
union all
select 'view ' || schemaname || '.' || viewname || ' ' || md5(definition) from pg_views
 where schemaname not in ('pg_catalog', 'information_schema')
union all
select 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text || ' '
       || coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '')
  from pg_type t join pg_namespace n on n.oid = t.typnamespace where ${USER_SCHEMAS} and t.typtype in ('e', 'd', 'c')
union all
select 'sequence ' || schemaname || '.' || sequencename || ' last=' || coalesce(last_value::text, 'null')
  from pg_sequences
union all
select 'role ' || rolname || ' super=' || rolsuper || ' login=' || rolcanlogin || ' bypassrls=' || rolbypassrls
       || ' inherit=' || rolinherit from pg_roles
union all
select 'member ' || r.rolname || ' in ' || g.rolname
  from pg_auth_members m join pg_roles r on r.oid = m.member join pg_roles g on g.oid = m.roleid
union all
select 'extension ' || extname || ' ' || extversion from pg_extension
union all
select 'default-acl ' || defaclrole::regrole::text || ' ' || defaclobjtype::text || ' ' || defaclacl::text from pg_default_acl
union all
select 'setting ' || coalesce(d.datname, '*') || ' ' || coalesce(r.rolname, '*') || ' ' || s.setconfig::text
  from pg_db_role_setting s left join pg_database d on d.oid = s.setdatabase left join pg_roles r on r.oid = s.setrole
order by 1`;

async function catalog(db: SqlExecutor): Promise<string[]> {
  return (await db.query<{ line: string }>(CATALOG)).map((row) => row.line);
}

/** Every row of every table the migrations made (seeded plans, the migrations ledger, settings…). */
async function rows(db: SqlExecutor): Promise<Record<string, unknown[]>> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and ${USER_SCHEMAS} order by 1`,
  );
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ rows: string }>(
      `select coalesce(json_agg(j order by j::text), '[]')::text as rows from (select to_jsonb(t) as j from ${name} t) s`,
    );
    out[name] = JSON.parse(row!.rows) as unknown[];
  }
  return out;
}

/** The next value of every sequence (identity columns included): ids handed out after the open. */
async function nextValues(db: SqlExecutor): Promise<Record<string, string>> {
  const sequences = await db.query<{ name: string }>(
    "select format('%I.%I', schemaname, sequencename) as name from pg_sequences order by 1",
  );
  const out: Record<string, string> = {};
  for (const { name } of sequences) {
    const [row] = await db.query<{ v: string }>("select nextval($1::regclass)::text as v", [name]);
    out[name] = row!.v;
  }
  return out;
}

function capture(): { logger: Logger; events: Array<Record<string, unknown>> } {
  const events: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void events.push(JSON.parse(line)) });
  return { logger, events };
}

const opened = (events: Array<Record<string, unknown>>) => events.filter((e) => e.msg === "store_opened");

describe("PGlite memory snapshot", () => {
  const previousTmp = process.env.TMPDIR;
  let dir: string;
  let path: string;
  let fresh: PgliteStore;
  let fromSnapshot: PgliteStore;
  let freshCatalog: string[];
  const freshLog = capture();
  const snapshotLog = capture();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smart-pncp-snapshot-test-"));
    process.env.TMPDIR = dir;
    path = snapshotPath(await snapshotKey(["pg_trgm"]));
    // No snapshot in this TMPDIR yet: initdb + every migration, then the snapshot is written.
    fresh = await PgliteStore.open({ dataDir: PGLITE_MEMORY, logger: freshLog.logger });
    freshCatalog = await catalog(fresh.executor);
    fromSnapshot = await PgliteStore.open({ dataDir: PGLITE_MEMORY, logger: snapshotLog.logger });
  }, 120_000);

  afterAll(async () => {
    await fresh?.close();
    await fromSnapshot?.close();
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    await rm(dir, { recursive: true, force: true });
  });

  it("the first open migrates and publishes the snapshot (no temp file left); the next loads it", async () => {
    expect(freshLog.events.filter((e) => e.msg === "migration_applied")).toHaveLength(
      (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).length,
    );
    expect(opened(freshLog.events)).toEqual([expect.not.objectContaining({ snapshot: true })]);
    expect(opened(snapshotLog.events)).toEqual([expect.objectContaining({ snapshot: true })]);
    expect(snapshotLog.events.filter((e) => e.msg === "migration_applied")).toEqual([]);
    expect(await readdir(dir)).toEqual([path.slice(dir.length + 1)]);
    expect((await readFile(path)).subarray(257, 262).toString()).toBe("ustar");
  });

  it("has the freshly migrated catalog: tables, columns, functions, indexes, policies, roles, settings", async () => {
    // RLS on every table with no policy at all (the API roles read nothing): "policy" lines stay empty.
    const expected = freshCatalog;
    for (const kind of [
      "relation",
      "column",
      "function",
      "index",
      "trigger",
      "role",
      "extension",
      "setting",
    ]) {
      expect(
        expected.some((line) => line.startsWith(`${kind} `)),
        kind,
      ).toBe(true);
    }
    expect(expected).toContain("extension pg_trgm 1.6");
    expect(await catalog(fromSnapshot.executor)).toEqual(expected);
  });

  it("has the same seeded rows and hands out the same next ids", async () => {
    const expected = await rows(fresh.executor);
    expect(expected["public.plans"]!.length).toBeGreaterThan(0);
    expect(expected["public.schema_migrations"]!.length).toBeGreaterThan(0);
    expect(await rows(fromSnapshot.executor)).toEqual(expected);
    expect(await fromSnapshot.migrate()).toEqual([]);
    const ids = await nextValues(fresh.executor);
    expect(Object.keys(ids).length).toBeGreaterThan(0);
    expect(await nextValues(fromSnapshot.executor)).toEqual(ids);
  });

  it("works as a store, apart from the other stores opened from the same snapshot", async () => {
    const identity = { platform: "cli" as const, userId: "ana", teamId: null, displayName: null };
    const account = await fromSnapshot.resolveIdentity(identity);
    await fromSnapshot.consumeSearch(account, 7);
    expect((await fromSnapshot.getAccountStatus(account)).used).toBe(1);
    const other = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
    try {
      const [row] = await other.executor.query<{ n: number }>("select count(*)::int as n from accounts");
      expect(row!.n).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("a broken snapshot file means migrating from scratch, and is replaced by a good one", async () => {
    await writeFile(path, "not a tarball");
    const broken = capture();
    const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY, logger: broken.logger });
    try {
      expect(broken.events.map((e) => e.msg)).toContain("pglite_snapshot_unusable");
      expect(opened(broken.events)).toEqual([expect.not.objectContaining({ snapshot: true })]);
      expect(await catalog(store.executor)).toEqual(freshCatalog);
    } finally {
      await store.close();
    }
    expect((await readFile(path)).subarray(257, 262).toString()).toBe("ustar");
  });

  it("snapshot: false migrates from scratch and writes no snapshot", async () => {
    await rm(path);
    const plain = capture();
    const store = await PgliteStore.open({ dataDir: PGLITE_MEMORY, snapshot: false, logger: plain.logger });
    try {
      expect(plain.events.filter((e) => e.msg === "migration_applied").length).toBeGreaterThan(0);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe("snapshot key", () => {
  it("changes with any migration's text, and with the extensions", async () => {
    const copy = await mkdtemp(join(tmpdir(), "smart-pncp-snapshot-key-"));
    try {
      await cp(MIGRATIONS_DIR, copy, { recursive: true });
      const same = await snapshotKey(["pg_trgm"], copy);
      expect(same).toBe(await snapshotKey(["pg_trgm"]));
      expect(await snapshotKey([], copy)).not.toBe(same);
      const last = (await readdir(copy))
        .filter((f) => f.endsWith(".sql"))
        .sort()
        .at(-1)!;
      await writeFile(join(copy, last), `${await readFile(join(copy, last), "utf8")}\n-- edited\n`);
      expect(await snapshotKey(["pg_trgm"], copy)).not.toBe(same);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
