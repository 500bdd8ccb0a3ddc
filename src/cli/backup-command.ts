/**
 * `smart-pncp backup <arquivo>` and `smart-pncp restore <arquivo> [--substituir]` for the SQL stores
 * (the embedded Postgres in DATA_DIR above all; PGlite and DATABASE_URL work the same way). The backup is
 * a consistent snapshot taken while `serve` runs (`backup-snapshot.ts`), written to `<arquivo>.partial`
 * with mode 0600 (it holds personal data) and renamed when complete, so a file with the final name is
 * always whole. Restore runs in one transaction and refuses while another process has the embedded store
 * open (stop `serve` and workers first). Supabase: `pg_dump`/`pg_restore` on the direct connection
 * (docs/deploy.md#backups).
 */
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip, createGzip } from "node:zlib";
import { loadConfig } from "../config.ts";
import type { Store } from "../core/ports/store.ts";
import { createLogger } from "../main.ts";
import { LEASE_LOCK_KEY } from "../stores/embedded-postgres-lease.ts";
import type { SqlExecutor } from "../stores/sql-executor.ts";
import { readSnapshot, SnapshotError, type SnapshotSummary, writeSnapshot } from "./backup-snapshot.ts";
import { parseCliArgs } from "./cli-args.ts";
import { cliLogLevel } from "./cli-errors.ts";

const SUPABASE_HINT =
  "Com SUPABASE_URL o banco é do Supabase: faça o backup com pg_dump na connection string direta (docs/deploy.md#backups).\n";

async function openSqlStore(env: NodeJS.ProcessEnv): Promise<{ store: Store; db: SqlExecutor } | null> {
  const config = loadConfig(env);
  if (config.store.supabaseUrl) {
    process.stderr.write(SUPABASE_HINT);
    return null;
  }
  const logger = createLogger(cliLogLevel(env));
  const { createStore } = await import("../stores/create-store.ts");
  const { SqlStore } = await import("../stores/sql-store.ts");
  const store = await createStore(config.store, logger);
  if (!(store instanceof SqlStore)) {
    await store.close();
    process.stderr.write(SUPABASE_HINT);
    return null;
  }
  return { store, db: store.executor };
}

function describe(summary: SnapshotSummary, seconds: number): string {
  const biggest = Object.entries(summary.perTable)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, n]) => `${name} ${n.toLocaleString("pt-BR")}`)
    .join(", ");
  return `${summary.tables} tabelas, ${summary.rows.toLocaleString("pt-BR")} linhas${biggest ? ` (${biggest})` : ""}, em ${seconds.toLocaleString("pt-BR", { maximumFractionDigits: 1 })} s`;
}

/** `smart-pncp backup <arquivo>`: a consistent gzip'd snapshot of the store, safe while `serve` runs. */
export async function backupCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { positionals } = parseCliArgs(argv, {});
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    process.stderr.write(
      "uso: smart-pncp backup ARQUIVO (ex.: smart-pncp backup backup-2026-12-01.ndjson.gz)\n",
    );
    return 1;
  }
  const opened = await openSqlStore(env);
  if (!opened) return 1;
  const partial = `${file}.partial`;
  const started = performance.now();
  try {
    const out = createWriteStream(partial, { mode: 0o600 });
    const gzip = createGzip();
    gzip.pipe(out);
    const finished = once(out, "close");
    const summary = await writeSnapshot(
      opened.db,
      async (line) => {
        if (!gzip.write(`${line}\n`)) await once(gzip, "drain");
      },
      new Date(),
    );
    gzip.end();
    await finished;
    await rename(partial, file);
    const bytes = (await stat(file)).size;
    process.stdout.write(
      `Backup salvo em ${file} (${(bytes / 1024 / 1024).toLocaleString("pt-BR", { maximumFractionDigits: 1 })} MB): ${describe(summary, (performance.now() - started) / 1000)}.\n`,
    );
    return 0;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await opened.store.close();
  }
}

/** Lines of a backup file, gunzipped when it starts with gzip's magic bytes. */
async function* backupLines(file: string): AsyncIterable<string> {
  const head = await open(file, "r");
  const magic = Buffer.alloc(2);
  await head.read(magic, 0, 2, 0);
  await head.close();
  const raw = createReadStream(file);
  const input = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/** Other processes with the embedded store open (each holds the lease lock; this process holds one). */
async function otherProcesses(db: SqlExecutor): Promise<number> {
  try {
    const [row] = await db.query<{ n: number }>(
      "select count(distinct pid)::int as n from pg_locks where locktype = 'advisory' and objid = $1 and granted",
      [LEASE_LOCK_KEY],
    );
    return Math.max(0, (row?.n ?? 0) - 1);
  } catch {
    return 0; // PGlite: one process by construction.
  }
}

/** `smart-pncp restore <arquivo> [--substituir]`: the backup's contents replace the store's, atomically. */
export async function restoreCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, { substituir: { type: "boolean" } });
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    process.stderr.write("uso: smart-pncp restore ARQUIVO [--substituir]\n");
    return 1;
  }
  try {
    await stat(file);
  } catch {
    process.stderr.write(`arquivo não encontrado: ${file}\n`);
    return 1;
  }
  const opened = await openSqlStore(env);
  if (!opened) return 1;
  const started = performance.now();
  try {
    const others = await otherProcesses(opened.db);
    if (others > 0) {
      process.stderr.write(
        `${others} outro(s) processo(s) estão com o banco aberto (serve, worker…): pare-os antes de restaurar.\n`,
      );
      return 1;
    }
    const summary = await readSnapshot(opened.db, backupLines(file), { replace: values.substituir === true });
    process.stdout.write(
      `Backup ${file} restaurado: ${describe(summary, (performance.now() - started) / 1000)}.\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof SnapshotError) {
      process.stderr.write(`Não restaurei nada: ${error.message}.\n`);
      return 1;
    }
    throw error;
  } finally {
    await opened.store.close();
  }
}
