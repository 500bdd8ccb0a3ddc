import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import type { Store } from "../src/core/ports/store.ts";
import { openEmbeddedPgStore } from "../src/stores/embedded-pg-store.ts";
import { findPostgresBinaries } from "../src/stores/embedded-postgres-binaries.ts";
import { PgStore } from "../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../src/stores/pglite-store.ts";

const CALLS = 500;
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, store: Store): Promise<void> {
  // A workspace member on Sala de Guerra (1000 searches, charged to the team): every call below is allowed,
  // and it measures the real team path (effective account resolved in SQL).
  const account = await store.resolveIdentity({
    platform: "slack",
    userId: "U-bench",
    teamId: "T-bench",
    displayName: null,
  });
  await store.setPlan(await store.resolveTeam("slack", "T-bench"), "sala_guerra", null);
  for (let i = 0; i < 20; i++) await store.getAccountStatus(account, undefined, "T-bench"); // warm-up, no usage
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = performance.now();
    const result = await store.consumeSearch(account, 30, undefined, "T-bench");
    times.push(performance.now() - start);
    if (!result.allowed) throw new Error(`bench: unexpected refusal ${result.reason}`);
  }
  times.sort((a, b) => a - b);
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(
    `consume_search ${label.padEnd(9)} n=${CALLS}  p50 ${fmt(percentile(times, 50))}  p95 ${fmt(percentile(times, 95))}  max ${fmt(times.at(-1)!)}`,
  );
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Prints consume_search latency (p50/p95 of 500 sequential calls) on PGlite, on the embedded Postgres
 * (DATA_DIR default) and, if reachable, on the local Postgres.
 */
export async function benchConsume(): Promise<void> {
  const pglite = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
  try {
    await measure("PGlite", pglite);
  } finally {
    await pglite.close();
  }

  // The embedded default: Postgres from the embedded-postgres packages in a DATA_DIR, over its unix socket.
  const found = await findPostgresBinaries();
  if (found.ok) {
    const dir = await mkdtemp(join(tmpdir(), "smart-pncp-bench-consume-"));
    await chmod(dir, 0o755);
    try {
      const embedded = await openEmbeddedPgStore({ dataDir: dir, binaries: found.binaries, max: 4 });
      try {
        await measure("embedded", embedded);
      } finally {
        await embedded.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } else {
    console.log(`consume_search embedded skipped: ${found.reason}`);
  }

  const name = `smart_pncp_bench_${randomBytes(4).toString("hex")}`;
  try {
    await withAdmin((client) => client.query(`create database ${name}`));
  } catch (error) {
    console.log(
      `consume_search Postgres skipped: ${ADMIN_URL.replace(/\/\/[^@]*@/, "//")} unreachable (${String(error)})`,
    );
    return;
  }
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const store = await PgStore.open({ databaseUrl: url.toString(), max: 4 });
    try {
      await measure("Postgres", store);
    } finally {
      await store.close();
    }
  } finally {
    await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
  }
}

// Run directly: `node bin/run-ts.mjs bench/consume.bench.ts` (argv[1] is the runner, the file comes after).
if (process.argv.slice(1).some((arg) => pathToFileURL(resolve(arg)).href === import.meta.url)) {
  await benchConsume();
}
