import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { backupCommand, restoreCommand } from "../../src/cli/backup-command.ts";
import { readSnapshot, SnapshotError, writeSnapshot } from "../../src/cli/backup-snapshot.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Store } from "../../src/core/ports/store.ts";
import { createStore } from "../../src/stores/create-store.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import type { SqlExecutor } from "../../src/stores/sql-executor.ts";
import { SqlStore } from "../../src/stores/sql-store.ts";
import { createTestDatabase, needPostgres, type TestDatabase, testPool } from "../helpers/services.ts";

/**
 * `smart-pncp backup` / `restore`: a backup restored into a fresh store holds exactly what the source held
 * — every public table compared generically (accounts, plans, usage, search log, alerts and sent items,
 * and whatever tables later migrations add), sequences included; a snapshot taken while others write is
 * one instant; a truncated or foreign file, a non-empty target and a store open elsewhere are refused.
 */
const NOW = new Date("2026-12-01T12:00:00Z");
let n = 0;

async function populate(store: SqlStore): Promise<void> {
  const db = store.executor;
  for (const user of ["ana", "bia", "caio"]) {
    const id = await store.resolveIdentity(
      { platform: "telegram", userId: `${user}-${++n}`, teamId: null, displayName: user },
      NOW,
    );
    if (user !== "caio") await store.setPlan(id, "maquina", new Date(NOW.getTime() + 30 * 86_400_000));
    await store.consumeSearch(id, 7, NOW, null);
    await store.logSearch({
      accountId: id,
      platform: "telegram",
      queryText: "uniformes SC 'aspas' \"duplas\" \\ ☃",
      query: { ufs: ["SC"], nested: { a: [1, 2.5, null] } },
      fetched: 10,
      matched: 3,
      durationMs: 1234,
      outcome: "ok",
      reason: null,
    });
    const [alert] = await db.query<{ id: string }>(
      `insert into alerts (account_id, platform, chat_id, scope, query_text, query, mode, created_at)
       values ($1, 'telegram', $2, 'personal', 'saude SP', '{"sector":"saude"}', 'instant', $3) returning id::text`,
      [id, `chat-${user}`, NOW],
    );
    await db.query(
      `insert into alert_items (alert_id, bid_id, kind, status, created_at, sent_at, detail)
       values ($1, $2, 'match', 'sent', $3, $3, '{"valor": 1234.56}'), ($1, $4, 'match', 'pending', $3, null, '{}')`,
      [alert?.id, `bid-${user}-1`, NOW, `bid-${user}-2`],
    );
    // Sent items as the alert round stores them: one match row per alert and commit, bid ids in an array.
    await db.query(
      `insert into alert_matches (alert_id, bid_ids, status, created_at, sent_at)
       values ($1, $2, 'sent', $3, $3), ($1, $4, 'pending', $3, null)`,
      [alert?.id, [`bid-${user}-1`, `bid-${user}-3`], NOW, [`bid-${user}-2`]],
    );
    await db.query("insert into alert_bid_queue (bid_id, seq) values ($1, nextval('alert_bid_queue_seq'))", [
      `bid-${user}-q`,
    ]);
  }
  await store.claimEvent("telegram", "update-1");
  await store.saveInstallation("T1", { team: { id: "T1" }, bot: { token: "xoxb-secret" } });
  await store.getOrCreateSetting?.("upgrade_token_secret", "s3cr3t");
}

/** Every public table's rows (as JSON text, sorted) and every sequence's position. */
async function contents(db: SqlExecutor): Promise<Record<string, string[]>> {
  const tables = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'
     order by 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await db.query<{ j: string }>(`select row_to_json(t)::text as j from "${name}" t`);
    out[name] = rows.map((r) => r.j).sort();
  }
  const sequences = await db.query<{ name: string; value: string | null }>(
    "select sequencename as name, last_value::text as value from pg_sequences where schemaname = 'public' order by 1",
  );
  out["~sequences"] = sequences.map((s) => `${s.name}=${s.value}`);
  return out;
}

async function snapshot(db: SqlExecutor): Promise<string[]> {
  const lines: string[] = [];
  await writeSnapshot(db, async (chunk) => void lines.push(...chunk.split("\n")), NOW);
  return lines;
}

async function* each(lines: string[]): AsyncIterable<string> {
  yield* lines;
}

const pgOk = await needPostgres();

describe.skipIf(!pgOk)(
  "backup and restore on Postgres: round trip, refusals, writes meanwhile, the CLI",
  () => {
    let a: TestDatabase;
    let b: TestDatabase;
    let dir: string;
    beforeAll(async () => {
      [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
      dir = await mkdtemp(join(tmpdir(), "smart-pncp-backup-"));
    });
    afterAll(async () => {
      await Promise.all([a?.drop(), b?.drop()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });

    describe("round trip", () => {
      let source: PgStore;
      let target: PgStore;
      beforeAll(async () => {
        [source, target] = await Promise.all([
          PgStore.open({ databaseUrl: a.url, logger: silentLogger() }),
          PgStore.open({ databaseUrl: b.url, logger: silentLogger() }),
        ]);
        await populate(source);
      });
      afterAll(async () => {
        await source?.close();
        await target?.close();
      });

      it("restores into a fresh store exactly what the source held, sequences included", async () => {
        const before = await contents(source.executor);
        expect(before.accounts?.length).toBe(3);
        expect(before.alert_items?.length).toBe(6);
        expect(before.usage_monthly?.length).toBe(3);
        const lines = await snapshot(source.executor);
        const summary = await readSnapshot(target.executor, each(lines), { replace: false });
        expect(summary.perTable.alert_items).toBe(6);
        expect(await contents(target.executor)).toEqual(before);
        // Identity and standalone sequences go on after the restored rows.
        const [next] = await target.executor.query<{ seq: string }>(
          "select nextval('alert_bid_queue_seq')::text as seq",
        );
        expect(Number(next?.seq)).toBe(4);
        // The restored store works through the Store API.
        const ana = await target.resolveIdentity(
          { platform: "telegram", userId: "ana-1", teamId: null, displayName: null },
          NOW,
        );
        expect((await target.getAccountStatus(ana, NOW)).plan.id).toBe("maquina");
      });

      it("refuses a non-empty target without --substituir, a truncated file and a foreign file, changing nothing", async () => {
        const lines = await snapshot(source.executor);
        const before = await contents(target.executor);
        await expect(readSnapshot(target.executor, each(lines), { replace: false })).rejects.toThrow(
          /já tem 3 contas/,
        );
        const truncated = lines.slice(0, -1);
        await expect(readSnapshot(target.executor, each(truncated), { replace: true })).rejects.toThrow(
          SnapshotError,
        );
        const cut = lines.slice(0, Math.floor(lines.length / 2));
        await expect(readSnapshot(target.executor, each(cut), { replace: true })).rejects.toThrow(
          /incompleto|corrompido/,
        );
        await expect(readSnapshot(target.executor, each(['{"hello":1}']), { replace: true })).rejects.toThrow(
          /não é um backup/,
        );
        const newer = [
          JSON.stringify({ ...JSON.parse(lines[0] ?? "{}"), migrations: ["9999_future.sql"] }),
          ...lines.slice(1),
        ];
        await expect(readSnapshot(target.executor, each(newer), { replace: true })).rejects.toThrow(
          /versão mais nova/,
        );
        expect(await contents(target.executor)).toEqual(before);
      });
    });

    it("is one instant of the database: commits made between its table reads are not in it, and are not blocked", async () => {
      const store = await PgStore.open({ databaseUrl: a.url, logger: silentLogger() });
      const writer = testPool(a.url, 1);
      try {
        let commits = 0;
        const lines: string[] = [];
        await writeSnapshot(
          store.executor,
          async (line) => {
            lines.push(line);
            if (!line.startsWith('{"table"')) return;
            // Another connection commits rows into two tables while the backup is between tables.
            commits++;
            await writer.query("begin");
            await writer.query("insert into processed_events (source, id) values ('backup-test', $1)", [
              String(commits),
            ]);
            await writer.query("insert into app_settings (key, value) values ($1, 'x')", [
              `backup-test-${commits}`,
            ]);
            await writer.query("commit");
          },
          NOW,
        );
        expect(commits).toBeGreaterThan(5);
        const text = lines.join("\n");
        expect(text).not.toContain("backup-test");
        const [live] = await writer
          .query<{ n: number }>(
            "select count(*)::int as n from processed_events where source = 'backup-test'",
          )
          .then((r) => r.rows);
        expect(live?.n).toBe(commits);
      } finally {
        await writer.end();
        await store.close();
      }
    });

    it("smart-pncp backup writes a gzip'd, owner-only file; restore puts it into another database", async () => {
      const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const file = join(dir, "b.ndjson.gz");
      const envA = { DATABASE_URL: a.url, DATA_DIR: dir };
      const envB = { DATABASE_URL: b.url, DATA_DIR: dir };
      expect(await backupCommand([file], envA)).toBe(0);
      expect(String(out.mock.calls.at(-1)?.[0])).toMatch(
        /^Backup salvo em .*b\.ndjson\.gz .* tabelas, .* linhas/,
      );
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const header = JSON.parse(
        gunzipSync(await readFile(file))
          .toString("utf8")
          .split("\n")[0] ?? "{}",
      );
      expect(header).toMatchObject({ format: "smart-pncp-backup", version: 1 });
      // B already holds the round trip's restore: refused without --substituir, replaced with it.
      expect(await restoreCommand([file], envB)).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toContain("--substituir");
      expect(await restoreCommand([file, "--substituir"], envB)).toBe(0);
      expect(String(out.mock.calls.at(-1)?.[0])).toMatch(/^Backup .* restaurado: /);
      const [sa, sb] = await Promise.all([
        PgStore.open({ databaseUrl: a.url, logger: silentLogger(), migrate: false }),
        PgStore.open({ databaseUrl: b.url, logger: silentLogger(), migrate: false }),
      ]);
      try {
        const [ca, cb] = await Promise.all([contents(sa.executor), contents(sb.executor)]);
        // Including the rows the concurrent writer of the previous test committed after its snapshot.
        expect(cb).toEqual(ca);
        expect(ca.processed_events?.filter((r) => r.includes("backup-test")).length).toBeGreaterThan(5);
        expect(ca.alert_items?.length).toBe(6);
      } finally {
        await Promise.all([sa.close(), sb.close()]);
      }
      await writeFile(join(dir, "bad.ndjson"), "not json\n");
      expect(await restoreCommand([join(dir, "bad.ndjson"), "--substituir"], envB)).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/^Não restaurei nada: /);
      expect(await restoreCommand([join(dir, "missing.gz")], envB)).toBe(1);
    });
  },
);

describe("restore into the embedded store", () => {
  it("refuses while another store holds the embedded Postgres open, then restores once it is closed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smart-pncp-embedded-backup-"));
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const env = { DATA_DIR: dir };
    const file = join(dir, "e.ndjson.gz");
    let store: Store | null = null;
    try {
      store = await createStore({ dataDir: dir }, silentLogger());
      if (!(store instanceof SqlStore)) throw new Error("the embedded store is a SQL store");
      await populate(store);
      const before = await contents(store.executor);
      // A backup while the other "process" (this store) is open: allowed, consistent.
      expect(await backupCommand([file], env)).toBe(0);
      expect(await restoreCommand([file, "--substituir"], env)).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toContain("pare-os antes de restaurar");
      await store.executor.query("delete from alert_items");
      await store.close();
      store = null;
      expect(await restoreCommand([file, "--substituir"], env)).toBe(0);
      store = await createStore({ dataDir: dir }, silentLogger());
      if (!(store instanceof SqlStore)) throw new Error("the embedded store is a SQL store");
      expect(await contents(store.executor)).toEqual(before);
      expect(out).toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
      await store?.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
