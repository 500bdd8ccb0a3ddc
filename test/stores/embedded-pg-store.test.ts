import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { openEmbeddedPgStore } from "../../src/stores/embedded-pg-store.ts";
import { findPostgresBinaries } from "../../src/stores/embedded-postgres-binaries.ts";
import { connectionOf } from "../../src/stores/embedded-postgres-lease.ts";
import {
  clusterDir,
  ensureServer,
  processAlive,
  readPostmasterPid,
} from "../../src/stores/embedded-postgres-server.ts";
import { EmbeddedStoreError } from "../../src/stores/embedded-store-error.ts";
import { MIGRATIONS_DIR } from "../../src/stores/migrate.ts";
import { poolExecutor } from "../../src/stores/pg-store.ts";
import { PgliteStore } from "../../src/stores/pglite-store.ts";
import { runCli, startStoreHolder } from "../helpers/child-processes.ts";
import { requireService } from "../helpers/services.ts";
import { expectApiRolesReadNothing } from "./rls-checks.ts";
import { runStoreContract } from "./store-contract.ts";

const found = await findPostgresBinaries();
const available = requireService(
  `embedded-postgres binaries (${found.ok ? "found" : found.reason})`,
  found.ok,
);
const binaries = found.ok ? found.binaries : (undefined as never);

// Each test starts servers and `node` processes (tsx start-up is seconds on a loaded 2-core machine).
const SLOW = 180_000;
const dirs: string[] = [];
/** A fresh DATA_DIR; traversable by the `postgres` user when the tests run as root. */
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "smart-pncp-embedded-"));
  dirs.push(dir);
  return dir;
}

async function serverPid(dir: string): Promise<number | null> {
  const info = await readPostmasterPid(dir);
  return info && processAlive(info.pid) ? info.pid : null;
}

async function waitFor<T>(fn: () => Promise<T | null | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterAll(async () => {
  // Never leave a server behind, even when a test failed half-way.
  for (const dir of dirs) {
    const pid = await serverPid(dir);
    if (pid) process.kill(pid, "SIGQUIT");
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!available)("embedded Postgres store (DATA_DIR)", () => {
  runStoreContract("embedded Postgres", async () =>
    openEmbeddedPgStore({ dataDir: await dataDir(), binaries }),
  );

  it(
    "applies every migration with the same security as Postgres and Supabase",
    async () => {
      const dir = await dataDir();
      const store = await openEmbeddedPgStore({ dataDir: dir, binaries });
      const info = (await readPostmasterPid(dir))!;
      const pool = new pg.Pool({
        ...connectionOf(await ensureServer({ dataDir: dir, binaries, logger: silentLogger() })),
        max: 2,
      });
      try {
        expect(info.socketDir).toBe(clusterDir(dir));
        expect(info.listenAddress).toBe("");
        const applied = await pool.query<{ name: string }>(
          "select name from schema_migrations order by name",
        );
        const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
        expect(applied.rows.map((r) => r.name)).toEqual(files);
        await store.resolveIdentity({ platform: "cli", userId: "rls", teamId: null, displayName: null });
        await expectApiRolesReadNothing(poolExecutor(pool));
      } finally {
        await pool.end();
        await store.close();
      }
      expect(await serverPid(dir)).toBeNull();
    },
    SLOW,
  );

  it(
    "serve running, plan set from another process: seen at once, and after a restart",
    async () => {
      const dir = await dataDir();
      const env = { DATA_DIR: dir };
      const serve = await startStoreHolder(env);
      let stopped = false;
      try {
        expect((await serve.ask({ op: "status", userKey: "cli:ana" })).planId).toBe("free_trial");
        const pid = await serverPid(dir);
        expect(pid).not.toBeNull();

        const cli = await runCli(["plan", "set", "cli:ana", "maquina", "--days", "30"], env);
        expect(cli.stderr).toBe("");
        expect(cli.code).toBe(0);
        // The running process sees it through its own store, at once; the CLI left the server running.
        expect((await serve.ask({ op: "status", userKey: "cli:ana" })).planId).toBe("maquina");
        expect(await serverPid(dir)).toBe(pid);

        await serve.close();
        stopped = true;
        // The last process closed: the server is stopped.
        expect(processAlive(pid!)).toBe(false);
        expect(await serverPid(dir)).toBeNull();
      } finally {
        if (!stopped) await serve.close();
      }
      const again = await startStoreHolder(env);
      try {
        expect((await again.ask({ op: "status", userKey: "cli:ana" })).planId).toBe("maquina");
      } finally {
        await again.close();
      }
    },
    SLOW,
  );

  it(
    "two processes opening a new DATA_DIR at once share one server; the last to close stops it",
    async () => {
      const dir = await dataDir();
      const [a, b] = await Promise.all([
        startStoreHolder({ DATA_DIR: dir }),
        startStoreHolder({ DATA_DIR: dir }),
      ]);
      try {
        const [fromA, fromB] = await Promise.all([
          a.ask({ op: "status", userKey: "telegram:42" }),
          b.ask({ op: "status", userKey: "telegram:42" }),
        ]);
        expect(fromA.accountId).toBe(fromB.accountId);
        const pid = await serverPid(dir);
        await a.close();
        expect(await serverPid(dir)).toBe(pid);
        expect((await b.ask({ op: "status", userKey: "telegram:42" })).accountId).toBe(fromA.accountId);
        await b.close();
        expect(await serverPid(dir)).toBeNull();
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
    SLOW,
  );

  it(
    "shares the per-minute limit and the generated upgrade secret across processes",
    async () => {
      const dir = await dataDir();
      const a = await startStoreHolder({ DATA_DIR: dir });
      const b = await startStoreHolder({ DATA_DIR: dir });
      try {
        expect((await a.ask({ op: "hit", key: "acc", limit: 2 })).allowed).toBe(true);
        expect((await b.ask({ op: "hit", key: "acc", limit: 2 })).allowed).toBe(true);
        const refused = await a.ask({ op: "hit", key: "acc", limit: 2 });
        expect(refused).toMatchObject({ allowed: false, remaining: 0 });
        expect(refused.failedOpen).toBeUndefined();
        const secret = (await a.ask({ op: "secret" })).secret;
        expect(secret).toMatch(/^[0-9a-f]{64}$/);
        expect((await b.ask({ op: "secret" })).secret).toBe(secret);
        // A link made by one process (as `chat` makes it) opens on another (as on `serve`).
        const { path } = await a.ask<{ path: string }>({ op: "link", userKey: "cli:link" });
        const page = await fetch(`${b.ready.url}${path}`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain("Máquina");
        await Promise.all([a.close(), b.close()]);
        const later = await startStoreHolder({ DATA_DIR: dir });
        expect((await later.ask({ op: "secret" })).secret).toBe(secret);
        await later.close();
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
    SLOW,
  );

  it(
    "reuses a server left by a crashed process, and restarts one that died under a running process",
    async () => {
      const dir = await dataDir();
      const crashed = await startStoreHolder({ DATA_DIR: dir });
      const account = (await crashed.ask({ op: "status", userKey: "cli:crash" })).accountId;
      const pid = await serverPid(dir);
      await crashed.crash();
      expect(await serverPid(dir)).toBe(pid);

      const serve = await startStoreHolder({ DATA_DIR: dir });
      try {
        expect(await serverPid(dir)).toBe(pid);
        expect((await serve.ask({ op: "status", userKey: "cli:crash" })).accountId).toBe(account);
        // The server itself dies (kill -9): the running process starts a new one and keeps working.
        process.kill(pid!, "SIGKILL");
        const status = await waitFor(async () => {
          const answer = await serve.ask({ op: "status", userKey: "cli:crash" });
          return answer.accountId ? answer : null;
        }, 30_000);
        expect(status.accountId).toBe(account);
        const restarted = await serverPid(dir);
        expect(restarted).not.toBeNull();
        expect(restarted).not.toBe(pid);
      } finally {
        await serve.close();
      }
      expect(await serverPid(dir)).toBeNull();
    },
    SLOW,
  );

  it(
    "works over loopback TCP with the generated password (0600) when a socket cannot be used",
    async () => {
      const dir = await dataDir();
      const store = await openEmbeddedPgStore({ dataDir: dir, binaries, transport: "tcp" });
      try {
        const info = (await readPostmasterPid(dir))!;
        expect(info.listenAddress).toBe("127.0.0.1");
        expect(info.socketDir).toBe("");
        expect((await stat(join(dir, "postgres.password"))).mode & 0o777).toBe(0o600);
        const password = (await readFile(join(dir, "postgres.password"), "utf8")).trim();
        const wrong = new pg.Client({ host: "127.0.0.1", port: info.port, user: "postgres", password: "x" });
        wrong.on("error", () => undefined);
        await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
        const right = new pg.Client({ host: "127.0.0.1", port: info.port, user: "postgres", password });
        await right.connect();
        expect((await right.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
        await right.end();
        expect((await store.listPlans()).length).toBe(4);
      } finally {
        await store.close();
      }
    },
    SLOW,
  );

  it(
    "says in pt-BR what to do when the server of DATA_DIR cannot be reached",
    async () => {
      const dir = await dataDir();
      const serve = await openEmbeddedPgStore({ dataDir: dir, binaries });
      const pid = (await serverPid(dir))!;
      // The running server stops answering (SIGSTOP): no second server may be started on its folder.
      process.kill(pid, "SIGSTOP");
      try {
        const error = await openEmbeddedPgStore({ dataDir: dir, binaries, timeoutMs: 1_500 }).catch((e) => e);
        expect(error).toBeInstanceOf(EmbeddedStoreError);
        expect(error.message).toMatch(/banco embutido/);
        expect(error.message).toMatch(/postmaster\.pid|DATABASE_URL/);
        expect(await serverPid(dir)).toBe(pid);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      expect((await serve.listPlans()).length).toBe(4);
      await serve.close();
    },
    SLOW,
  );
});

describe.skipIf(!available)("a stale lock file", () => {
  it(
    "whose pid now belongs to an unrelated process (a container restart) does not block the start",
    async () => {
      const dir = await dataDir();
      const first = await openEmbeddedPgStore({ dataDir: dir, binaries });
      await first.close();
      // This test process is alive and is not postgres: what a reused pid looks like.
      await writeFile(
        join(clusterDir(dir), "postmaster.pid"),
        `${process.pid}\n${clusterDir(dir)}\n0\n5432\n${clusterDir(dir)}\n\n0 0\nready   \n`,
      );
      const store = await openEmbeddedPgStore({ dataDir: dir, binaries, timeoutMs: 20_000 });
      try {
        const pid = await serverPid(dir);
        expect(pid).not.toBe(process.pid);
        expect((await store.listPlans()).length).toBe(4);
      } finally {
        await store.close();
      }
      // The pid now runs another cluster's postgres: not ours either.
      const other = spawn(process.execPath, [
        "-e",
        "setInterval(() => {}, 1e9)",
        "postgres",
        "-D",
        "/elsewhere",
      ]);
      try {
        await writeFile(
          join(clusterDir(dir), "postmaster.pid"),
          `${other.pid}\n${clusterDir(dir)}\n0\n5432\n${clusterDir(dir)}\n\n0 0\nready   \n`,
        );
        const again = await openEmbeddedPgStore({ dataDir: dir, binaries, timeoutMs: 20_000 });
        expect(await serverPid(dir)).not.toBe(other.pid);
        await again.close();
      } finally {
        other.kill();
      }
    },
    SLOW,
  );
});

describe.skipIf(!available)("upgrading from the PGlite store", () => {
  it(
    "copies the accounts, plans and usage of DATA_DIR/pglite into the embedded Postgres once",
    async () => {
      const dir = await dataDir();
      const old = await PgliteStore.open({ dataDir: dir });
      const ana = await old.resolveIdentity({
        platform: "telegram",
        userId: "7",
        teamId: "-100",
        displayName: "Ana",
      });
      await old.setPlan(ana, "maquina", new Date("2027-01-31T00:00:00Z"));
      const used = await old.consumeSearch(ana, 30);
      await old.logSearch({
        accountId: ana,
        platform: "telegram",
        queryText: "uniformes",
        query: { terms: ["uniformes"] },
        fetched: 1,
        matched: 1,
        durationMs: 10,
        outcome: "ok",
        reason: null,
      });
      await old.close();

      const store = await openEmbeddedPgStore({ dataDir: dir, binaries });
      try {
        const again = await store.resolveIdentity({
          platform: "telegram",
          userId: "7",
          teamId: "-100",
          displayName: "Ana",
        });
        expect(again).toBe(ana);
        const status = await store.getAccountStatus(ana);
        expect(status).toMatchObject({ plan: { id: "maquina" }, used: used.used });
        // New rows continue after the copied ones (identity sequences moved on).
        await store.logSearch({
          accountId: ana,
          platform: "telegram",
          queryText: "merenda",
          query: {},
          fetched: 0,
          matched: 0,
          durationMs: 1,
          outcome: "ok",
          reason: null,
        });
      } finally {
        await store.close();
      }
      const entries = await readdir(dir);
      expect(entries.some((e) => e.startsWith("pglite.imported-"))).toBe(true);
      expect(entries).not.toContain("pglite");
      // A second open imports nothing and keeps the data.
      const reopened = await openEmbeddedPgStore({ dataDir: dir, binaries });
      try {
        expect((await reopened.getAccountStatus(ana)).used).toBe(used.used);
      } finally {
        await reopened.close();
      }
    },
    SLOW,
  );
});
