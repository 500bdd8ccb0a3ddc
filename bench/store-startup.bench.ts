import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import pino from "pino";
import { openEmbeddedPgStore } from "../src/stores/embedded-pg-store.ts";
import { findPostgresBinaries } from "../src/stores/embedded-postgres-binaries.ts";
import { connectionOf } from "../src/stores/embedded-postgres-lease.ts";
import { readPostmasterPid } from "../src/stores/embedded-postgres-server.ts";
import { PgliteStore } from "../src/stores/pglite-store.ts";
import { RedisRateLimiter } from "../src/stores/redis-rate-limiter.ts";
import { StoreRateLimiter } from "../src/stores/store-rate-limiter.ts";

const ROWS = 100_000;
const QUERIES = 30;
const logger = pino({ level: "silent" });
const ms = (n: number) => `${n.toFixed(0)} ms`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function duBytes(path: string): number {
  return Number(execFileSync("du", ["-sb", path], { encoding: "utf8" }).split("\t")[0]);
}

/** Proportional set size of a process tree (postmaster + backends), from /proc (Linux only). */
function treePss(pid: number): number {
  let total = 0;
  const pids = [pid];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) pids.push(Number(entry));
    } catch {}
  }
  for (const p of pids) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {}
  }
  return total;
}

interface Runner {
  exec(sql: string): Promise<void>;
  query(sql: string, params: unknown[]): Promise<unknown[]>;
}

const SCHEMA = `
create table bench_rows (id bigint primary key, uf text not null, published date not null,
  value double precision, object text not null);
create index bench_rows_uf_published on bench_rows (uf, published);`;
const LOAD = `
insert into bench_rows
select i, (array['SP','RJ','MG','SC','PR','RS','BA','PE','CE','GO'])[1 + i % 10],
       date '2026-01-01' + (i % 365), (i % 1000) * 137.5,
       'Aquisição de uniformes escolares e material de expediente lote ' || i
  from generate_series(1, ${ROWS}) as i;
analyze bench_rows;`;
const RANGE = `select id, uf, published, value, object from bench_rows
  where uf = any($1) and published between $2 and $3 order by published desc`;

/** 100k rows inserted in SQL, then the median of an indexed range query returning ~2.4k rows. */
async function queryBench(label: string, db: Runner): Promise<void> {
  await db.exec(SCHEMA);
  let started = performance.now();
  await db.exec(LOAD);
  const loadMs = performance.now() - started;
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < QUERIES; i++) {
    started = performance.now();
    rows = (await db.query(RANGE, [["SP", "SC"], "2026-03-01", "2026-04-30"])).length;
    times.push(performance.now() - started);
  }
  console.log(
    `${label.padEnd(18)} insert ${ROWS.toLocaleString("en")} rows ${ms(loadMs)}  range query (${rows} rows) p50 ${median(times).toFixed(1)} ms`,
  );
}

async function benchPglite(dir: string): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  let started = performance.now();
  const first = await PgliteStore.open({ dataDir: dir });
  const firstMs = performance.now() - started;
  await first.close();
  started = performance.now();
  const again = await PgliteStore.open({ dataDir: dir });
  const againMs = performance.now() - started;
  const rss = process.memoryUsage().rss - rssBefore;
  await again.close();
  console.log(
    `PGlite (in-process) first open ${ms(firstMs)}, later open ${ms(againMs)}, +RSS ${mib(rss)}, disk ${mib(duBytes(dir))}`,
  );
  const db = await PGlite.create(join(dir, "bench"));
  try {
    await queryBench("PGlite", {
      exec: async (sql) => void (await db.exec(sql)),
      query: async (sql, params) => (await db.query(sql, params)).rows,
    });
  } finally {
    await db.close();
  }
}

async function benchEmbedded(dir: string): Promise<void> {
  const found = await findPostgresBinaries();
  if (!found.ok) {
    console.log(`embedded Postgres skipped: ${found.reason}`);
    return;
  }
  let started = performance.now();
  const first = await openEmbeddedPgStore({ dataDir: dir, binaries: found.binaries, logger });
  const firstMs = performance.now() - started;
  started = performance.now();
  await first.close();
  const stopMs = performance.now() - started;
  started = performance.now();
  const again = await openEmbeddedPgStore({ dataDir: dir, binaries: found.binaries, logger });
  const againMs = performance.now() - started;
  // A second process attaching to the running server (what `plan set` does while `serve` runs).
  started = performance.now();
  const attached = await openEmbeddedPgStore({ dataDir: dir, binaries: found.binaries, logger });
  const attachMs = performance.now() - started;
  await attached.close();
  const info = (await readPostmasterPid(dir))!;
  console.log(
    `embedded Postgres  first open (initdb + migrations) ${ms(firstMs)}, stop ${ms(stopMs)}, later open (start) ${ms(againMs)}, attach to running ${ms(attachMs)}, server PSS ${mib(treePss(info.pid))}, disk ${mib(duBytes(dir))}`,
  );
  const pool = new pg.Pool({
    ...connectionOf({ ...info, host: info.socketDir, user: "postgres", password: "", database: "postgres" }),
    max: 1,
  });
  try {
    await queryBench("embedded Postgres", {
      exec: async (sql) => void (await pool.query(sql)),
      query: async (sql, params) => (await pool.query(sql, params)).rows,
    });
    await pool.query("drop table bench_rows");
    console.log(`embedded Postgres  server PSS after the query bench ${mib(treePss(info.pid))}`);
  } finally {
    await pool.end();
    await again.close();
  }
}

/** Latency of a limiter hit when Redis accepts connections and never answers (falls back to the store). */
async function benchHungRedis(dir: string): Promise<void> {
  const sockets: Socket[] = [];
  const hung = createServer((socket) => sockets.push(socket));
  await new Promise<void>((done) => hung.listen(0, "127.0.0.1", done));
  const store = await PgliteStore.open({ dataDir: join(dir, "limiter") });
  const limiter = new RedisRateLimiter({
    url: `redis://127.0.0.1:${(hung.address() as { port: number }).port}`,
    logger,
    fallback: new StoreRateLimiter({ store, logger }),
  });
  try {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await limiter.hit(`k${i}`, 2, new Date());
      times.push(performance.now() - started);
    }
    console.log(
      `hung Redis: first hit ${ms(times[0]!)} (gives up after the 100 ms command timeout), next hits p50 ${median(times.slice(1)).toFixed(1)} ms (embedded limiter)`,
    );
  } finally {
    await limiter.close();
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((done) => hung.close(() => done()));
  }
}

/**
 * The decision record's numbers (docs/architecture.md, "embedded store"): PGlite in-process vs a real
 * Postgres from the embedded-postgres packages in DATA_DIR — first/later open, memory, disk, and a 100k-row
 * insert + indexed range query — plus a limiter hit against a hung Redis.
 */
export async function benchStoreStartup(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "smart-pncp-bench-store-"));
  await chmod(root, 0o755);
  try {
    await benchPglite(join(root, "pglite"));
    await benchEmbedded(join(root, "embedded"));
    await benchHungRedis(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// Run directly: `node bin/run-ts.mjs bench/store-startup.bench.ts`.
if (process.argv.slice(1).some((arg) => pathToFileURL(resolve(arg)).href === import.meta.url)) {
  await benchStoreStartup();
}
