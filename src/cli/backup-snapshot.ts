/**
 * A consistent, engine-neutral snapshot of the SQL store, for `smart-pncp backup` / `restore`: the
 * embedded Postgres ships no pg_dump (its binaries package has initdb, pg_ctl and postgres only), so the
 * export is SQL-level. Consistency comes from Postgres itself: every table is read inside ONE
 * `repeatable read, read only` transaction, so a backup taken while `serve` writes sees one instant of
 * the whole database (MVCC; nothing is locked, writers are not blocked). Rows leave as `row_to_json` text
 * through a cursor (constant memory, any table size) and come back through `json_populate_recordset`, so
 * every column type round-trips through its own input function and tables added by later migrations are
 * covered without code here. Format: gzip'd NDJSON — a header (format, version, migrations applied), per
 * table a `{table, columns}` line, its rows, an `{end, rows}` line, and a final `{complete}` line; a file
 * without it is refused.
 */
import type { Row, SqlExecutor } from "../stores/sql-executor.ts";

export const BACKUP_FORMAT = "smart-pncp-backup";
export const BACKUP_VERSION = 1;
/** Kept by each database itself (its migrations), never copied. */
const LEDGER = "schema_migrations";
const FETCH_ROWS = 2_000;
const INSERT_ROWS = 2_000;
/** Key of a table's closing line (a row is a table's own columns: none is named this). */
const END = "~end";

/** A table as the snapshot sees it. */
interface TableInfo {
  name: string;
  /** Columns an insert may set (generated columns left out). */
  insertable: string[];
  identity: boolean;
}

/** Header of a backup file. */
export interface SnapshotHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  migrations: string[];
  /** The tables that follow, in file order. */
  tables: string[];
  /** Public sequences (identity, serial and standalone ones) and where they stood. */
  sequences: { name: string; value: string | null }[];
}

/** What a backup or restore moved. */
export interface SnapshotSummary {
  tables: number;
  rows: number;
  perTable: Record<string, number>;
}

/** A backup that cannot be restored here; `message` is pt-BR for the operator. */
export class SnapshotError extends Error {}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Public tables (no partitions, not the migration ledger), parents before the tables referencing them. */
async function listTables(db: SqlExecutor): Promise<TableInfo[]> {
  const tables = await db.query<{ oid: number; name: string }>(
    `select c.oid::int as oid, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> $1
     order by c.relname`,
    [LEDGER],
  );
  const columns = await db.query<{ oid: number; name: string; identity: string; generated: string }>(
    `select a.attrelid::int as oid, a.attname as name, a.attidentity::text as identity,
            a.attgenerated::text as generated
     from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped order by a.attrelid, a.attnum`,
  );
  const deps = await db.query<{ child: number; parent: number }>(
    `select conrelid::int as child, confrelid::int as parent from pg_constraint
     where contype = 'f' and conrelid <> confrelid`,
  );
  const byOid = new Map(tables.map((t) => [t.oid, t]));
  const info = new Map<number, TableInfo>();
  for (const t of tables) info.set(t.oid, { name: t.name, insertable: [], identity: false });
  for (const c of columns) {
    const table = info.get(c.oid);
    if (!table || c.generated !== "") continue;
    table.insertable.push(c.name);
    if (c.identity !== "") table.identity = true;
  }
  const ordered: TableInfo[] = [];
  const state = new Map<number, "visiting" | "done">();
  const visit = (oid: number) => {
    if (state.get(oid) || !byOid.has(oid)) return;
    state.set(oid, "visiting");
    for (const d of deps) if (d.child === oid) visit(d.parent);
    state.set(oid, "done");
    const table = info.get(oid);
    if (table) ordered.push(table);
  };
  for (const t of tables) visit(t.oid);
  return ordered;
}

/**
 * Writes the snapshot through `write` (one or more lines per call, joined by "\n", no final newline), all
 * inside one repeatable-read read-only transaction. Rows go out a fetched batch at a time (200k small rows:
 * 22 s with one call per row, 2.6 s per batch, on the shared 2-core machine under load).
 */
export async function writeSnapshot(
  db: SqlExecutor,
  write: (line: string) => Promise<void>,
  now: Date,
): Promise<SnapshotSummary> {
  return db.transaction(async (tx) => {
    await tx.query("set transaction isolation level repeatable read, read only");
    const migrations = (await tx.query<{ name: string }>(`select name from ${LEDGER} order by name`)).map(
      (r) => r.name,
    );
    const tables = await listTables(tx);
    const header: SnapshotHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: now.toISOString(),
      migrations,
      tables: tables.map((t) => t.name),
      // Sequences are not transactional: read in the same transaction, they are at or past the snapshot.
      sequences: await tx.query<{ name: string; value: string | null }>(
        "select sequencename as name, last_value::text as value from pg_sequences where schemaname = 'public' order by 1",
      ),
    };
    await write(JSON.stringify(header));
    const summary: SnapshotSummary = { tables: 0, rows: 0, perTable: {} };
    for (const table of tables) {
      await write(JSON.stringify({ table: table.name, columns: table.insertable }));
      await tx.query(
        `declare smart_pncp_backup no scroll cursor for select row_to_json(t)::text as j from ${ident(table.name)} t`,
      );
      let count = 0;
      for (;;) {
        const rows = await tx.query<{ j: string }>(`fetch ${FETCH_ROWS} from smart_pncp_backup`);
        if (rows.length > 0) await write(rows.map((row) => row.j).join("\n"));
        count += rows.length;
        if (rows.length < FETCH_ROWS) break;
      }
      await tx.query("close smart_pncp_backup");
      await write(JSON.stringify({ [END]: table.name, rows: count }));
      summary.tables++;
      summary.rows += count;
      summary.perTable[table.name] = count;
    }
    await write(JSON.stringify({ complete: true, tables: summary.tables, rows: summary.rows }));
    return summary;
  });
}

function parseLine(line: string, no: number): Row {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Row;
  } catch {
    // Reported below.
  }
  throw new SnapshotError(`arquivo de backup corrompido (linha ${no})`);
}

/**
 * Replaces the contents of every table in the backup with the backup's rows, in one transaction (a
 * failure leaves the database as it was). Refuses a backup made by a newer version (migrations this
 * database does not have), a truncated file, and — unless `replace` — a database that already has accounts.
 */
export async function readSnapshot(
  db: SqlExecutor,
  lines: AsyncIterable<string>,
  options: { replace: boolean },
): Promise<SnapshotSummary> {
  const iterator = lines[Symbol.asyncIterator]();
  let no = 0;
  const next = async (): Promise<Row | null> => {
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return null;
      no++;
      if (value.trim() !== "") return parseLine(value, no);
    }
  };
  const header = (await next()) as Partial<SnapshotHeader> | null;
  if (header?.format !== BACKUP_FORMAT) throw new SnapshotError("o arquivo não é um backup do Smart PNCP");
  if (header.version !== BACKUP_VERSION) {
    throw new SnapshotError(`formato de backup ${String(header.version)} não suportado por esta versão`);
  }
  return db.transaction(async (tx) => {
    const applied = new Set(
      (await tx.query<{ name: string }>(`select name from ${LEDGER}`)).map((r) => String(r.name)),
    );
    const missing = (header.migrations ?? []).filter((m) => !applied.has(m));
    if (missing.length > 0) {
      throw new SnapshotError(
        `o backup foi feito por uma versão mais nova (migrações ${missing.join(", ")}); atualize o Smart PNCP antes de restaurar`,
      );
    }
    if (!options.replace) {
      const [row] = await tx.query<{ n: number }>("select count(*)::int as n from accounts");
      if ((row?.n ?? 0) > 0) {
        throw new SnapshotError(
          `o banco de destino já tem ${row?.n} contas; use --substituir para apagar tudo e restaurar o backup`,
        );
      }
    }
    // Without triggers and FK checks while loading (superuser: the embedded store, PGlite); else the
    // parents-first order of the file keeps foreign keys satisfied.
    await tx.query("savepoint smart_pncp_replica");
    try {
      await tx.query("set local session_replication_role = replica");
      await tx.query("release savepoint smart_pncp_replica");
    } catch {
      await tx.query("rollback to savepoint smart_pncp_replica");
    }
    const tables = new Map((await listTables(tx)).map((t) => [t.name, t]));
    const listed = header.tables ?? [];
    const unknown = listed.filter((name) => !tables.has(name));
    if (unknown.length > 0) {
      throw new SnapshotError(`tabelas do backup que não existem neste banco: ${unknown.join(", ")}`);
    }
    // One statement for all of them: no foreign key between them blocks it; tables only this version has
    // keep their rows unless they reference a restored table (cascade).
    if (listed.length > 0) {
      await tx.query(`truncate ${listed.map(ident).join(", ")} restart identity cascade`);
    }
    const truncated = new Set(listed);
    const sections: { table: TableInfo; columns: string[]; rows: string[] }[] = [];
    const summary: SnapshotSummary = { tables: 0, rows: 0, perTable: {} };
    let complete = false;
    for (let line = await next(); line; line = await next()) {
      if (line.complete === true) {
        complete = true;
        break;
      }
      if (typeof line.table !== "string" || !Array.isArray(line.columns)) {
        throw new SnapshotError(`arquivo de backup corrompido (linha ${no})`);
      }
      const table = tables.get(line.table);
      if (!table || !truncated.has(table.name)) {
        throw new SnapshotError(`arquivo de backup corrompido (linha ${no}: tabela ${line.table})`);
      }
      const backupColumns = new Set(line.columns.map(String));
      const section = {
        table,
        columns: table.insertable.filter((c) => backupColumns.has(c)),
        rows: [] as string[],
      };
      sections.push(section);
      let count = 0;
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) throw new SnapshotError(`backup incompleto: a tabela ${table.name} termina no meio`);
        no++;
        if (value.startsWith(`{"${END}":`)) {
          const end = parseLine(value, no);
          if (end[END] !== table.name || end.rows !== count + section.rows.length) {
            throw new SnapshotError(`arquivo de backup corrompido (linha ${no})`);
          }
          break;
        }
        section.rows.push(value);
        if (section.rows.length >= INSERT_ROWS) count += await insertRows(tx, section);
      }
      count += await insertRows(tx, section);
      summary.tables++;
      summary.rows += count;
      summary.perTable[table.name] = count;
    }
    if (!complete) throw new SnapshotError("backup incompleto: o arquivo terminou antes do fim");
    const sequences = new Set(
      (
        await tx.query<{ name: string }>(
          "select sequencename as name from pg_sequences where schemaname = 'public'",
        )
      ).map((r) => r.name),
    );
    for (const { name, value } of header.sequences ?? []) {
      // Never used in the backup (null): the target's fresh sequence (reset by the truncate) is right.
      if (value !== null && sequences.has(name))
        await tx.query("select setval($1::regclass, $2::bigint, true)", [ident(name), value]);
    }
    return summary;
  });
}

async function insertRows(
  tx: SqlExecutor,
  section: { table: TableInfo; columns: string[]; rows: string[] },
): Promise<number> {
  const { table, columns, rows } = section;
  if (rows.length === 0) return 0;
  const list = columns.map(ident).join(", ");
  const overriding = table.identity ? " overriding system value" : "";
  await tx.query(
    `insert into ${ident(table.name)} (${list})${overriding}
     select ${list} from json_populate_recordset(null::${ident(table.name)}, $1::json)`,
    [`[${rows.join(",")}]`],
  );
  const n = rows.length;
  section.rows = [];
  return n;
}
