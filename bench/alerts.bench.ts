/**
 * Alerts benchmark: one sync round of a national day (~4,000 bids: the real fixture records cycled with
 * fresh ids and UFs) against 10,000 saved alerts (a mix as users write them: a sector or one/two terms,
 * most with 1–3 UFs, some with a value floor or "abertas").
 *
 * Prints:
 * - the matching alone (`batchItems`: `matchAlerts` + snapshots, in the round's 1,000-bid batches), wall
 *   and CPU, with how many (alert, bid) items it produced;
 * - the whole matching round on the SQL stores (queue read, `bidsByIds`, commit of the items, reminders):
 *   PGlite in memory, and the local Postgres (BENCH_ALERTS_PG, default the tests' server) when reachable;
 *   BENCH_ALERTS_DB=0 skips both, BENCH_ALERTS_PGLITE=0 the PGlite one.
 * Run alone with `node bin/run-ts.mjs bench/alerts.bench.ts`, or through `bench/run.ts`.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PreparedAlerts } from "../src/core/alerts/match-alerts.ts";
import { batchItems, MATCH_BATCH, runAlertMatching } from "../src/core/alerts/run-alert-matching.ts";
import type { Bid } from "../src/core/bid.ts";
import { loadFixtureBids } from "../src/core/filter/fixture-bids.testing.ts";
import { sectorTagsOf } from "../src/core/index/sector-tags.ts";
import type { QueuedBid } from "../src/core/ports/alert-store.ts";
import type { IndexedRecord } from "../src/core/ports/bid-index.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import { parseQuery } from "../src/core/query/parse-query.ts";
import type { SearchQuery } from "../src/core/search-query.ts";
import { UFS } from "../src/core/search-query.ts";
import { SECTOR_IDS } from "../src/core/sectors.ts";
import { createAlertStore } from "../src/stores/alerts/sql-alert-store.ts";
import { PgStore } from "../src/stores/pg-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../src/stores/pglite-store.ts";
import { createBidIndex } from "../src/stores/sql-bid-index.ts";
import type { SqlStore } from "../src/stores/sql-store.ts";

const ALERTS = 10_000;
const BIDS = 4_000;
const BATCH = MATCH_BATCH;
const RUNS = 3;
const NOW = new Date("2026-12-01T21:00:00Z");

/** Deterministic pseudo-random numbers (the bench must print comparable numbers run to run). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

function dayOfBids(): Bid[] {
  const base = loadFixtureBids();
  const rnd = random(7);
  return Array.from({ length: BIDS }, (_, i) => {
    const b = base[i % base.length]!;
    return {
      ...b,
      id: `BENCH-${i}-${b.id}`,
      uf: UFS[Math.floor(rnd() * UFS.length)]!,
      publishedAt: new Date(NOW.getTime() - Math.floor(rnd() * 12) * 3_600_000).toISOString(),
      proposalsCloseAt: new Date(NOW.getTime() + (2 + Math.floor(rnd() * 20)) * 86_400_000).toISOString(),
      situationId: 1,
    };
  });
}

function alertTexts(bids: readonly Bid[]): string[] {
  const rnd = random(11);
  const words = [...new Set(bids.flatMap((b) => b.object.split(/[^\p{L}]+/u)).filter((w) => w.length >= 6))];
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  return Array.from({ length: ALERTS }, () => {
    const ufs = Array.from({ length: Math.floor(rnd() * 4) }, () => pick(UFS)).join(" ");
    const r = rnd();
    const what =
      r < 0.55
        ? `setor:${pick(SECTOR_IDS)}`
        : r < 0.85
          ? `"${pick(words)}"`
          : `"${pick(words)}" "${pick(words)}"`;
    const extra = rnd() < 0.2 ? " acima de 50 mil" : rnd() < 0.1 ? " abertas" : "";
    return `${what} ${ufs}${extra}`;
  });
}

/** What the 10,000 alerts are (kind, UFs, filters) and how many bids each gets: the bench's realism. */
function describeMix(
  texts: readonly string[],
  alerts: ReadonlyArray<{ id: string; query: SearchQuery; createdAt: Date }>,
  bids: readonly Bid[],
  queue: readonly QueuedBid[],
): void {
  const pct = (n: number) => `${((100 * n) / texts.length).toFixed(0)} %`;
  const count = (f: (q: SearchQuery) => boolean) => alerts.filter((a) => f(a.query)).length;
  const sectors = new Map<string, number>();
  for (const a of alerts)
    if (a.query.sector) sectors.set(a.query.sector, (sectors.get(a.query.sector) ?? 0) + 1);
  const ufs = [0, 1, 2, 3].map((n) => count((q) => q.ufs.length === n));
  const perAlert = new Map<string, number>();
  for (const item of batchItems(queue, bids, new PreparedAlerts(alerts), [], NOW).items) {
    perAlert.set(item.alertId, (perAlert.get(item.alertId) ?? 0) + 1);
  }
  const sorted = alerts.map((a) => perAlert.get(a.id) ?? 0).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  console.log(
    `alert mix: sector only ${pct(count((x) => x.sector !== null && x.terms.length === 0))} (${sectors.size} sectors, ` +
      `${Math.min(...sectors.values())}–${Math.max(...sectors.values())} alerts each), one term ${pct(count((x) => x.terms.length === 1))}, ` +
      `two terms ${pct(count((x) => x.terms.length >= 2))}; UFs 0/1/2/3: ${ufs.map(pct).join(" / ")}; ` +
      `value floor ${pct(count((x) => x.minValue !== null && x.minValue !== undefined))}, abertas ${pct(count((x) => x.openOnly))}`,
  );
  console.log(
    `bids per alert per day: none ${pct(sorted.filter((n) => n === 0).length)}, p50 ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${sorted[sorted.length - 1]}`,
  );
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export async function benchAlerts(): Promise<void> {
  const bids = dayOfBids();
  const tags = sectorTagsOf(bids);
  const alerts = alertTexts(bids).map((text, i) => ({
    id: String(i + 1),
    query: parseQuery(text, { now: NOW }).query,
    createdAt: new Date(NOW.getTime() - 86_400_000),
  }));
  const queue: QueuedBid[] = bids.map((b, i) => ({
    bidId: b.id,
    seq: String(i),
    sectorTags: tags[i]!.tags,
    eligible: true,
    delivered: false,
  }));
  const round = () => {
    // As `runAlertMatching`: alerts grouped once per round, bids in MATCH_BATCH passes.
    const prepared = new PreparedAlerts(alerts);
    let items = 0;
    for (let i = 0; i < bids.length; i += BATCH) {
      items += batchItems(queue.slice(i, i + BATCH), bids.slice(i, i + BATCH), prepared, [], NOW).items
        .length;
    }
    return items;
  };
  round(); // warm-up
  describeMix(alertTexts(bids), alerts, bids, queue);
  const walls: number[] = [];
  const cpu = process.cpuUsage();
  let items = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    items = round();
    walls.push(performance.now() - started);
  }
  walls.sort((a, b) => a - b);
  console.log(
    `matching only: ${ALERTS.toLocaleString("en")} alerts × ${BIDS.toLocaleString("en")} bids → ${items.toLocaleString("en")} items; ` +
      `wall median ${walls[Math.floor(RUNS / 2)]!.toFixed(0)} ms (min ${walls[0]!.toFixed(0)}, max ${walls[RUNS - 1]!.toFixed(0)}), ` +
      `CPU ${(cpuMs(cpu) / RUNS).toFixed(0)} ms per round`,
  );

  if (process.env.BENCH_ALERTS_DB === "0") return;
  if (process.env.BENCH_ALERTS_PGLITE !== "0") {
    const pglite = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
    try {
      await sqlRound("PGlite (memory)", pglite, bids, alerts);
    } finally {
      await pglite.close();
    }
  }
  const pgUrl = process.env.BENCH_ALERTS_PG ?? "postgres://postgres@127.0.0.1:5432/test";
  const admin = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    console.log(`Postgres at ${new URL(pgUrl).host} not reachable: SQL round on Postgres skipped`);
    return;
  }
  const name = `smart_pncp_alerts_bench_${process.pid}`;
  await admin.query(`create database ${name}`);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const pgStore = await PgStore.open({ databaseUrl: url.toString(), max: 4 });
  try {
    await sqlRound("Postgres", pgStore, bids, alerts);
  } finally {
    await pgStore.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** The whole matching round on a SQL store: alerts and bids loaded (the trigger queues the bids), then timed. */
async function sqlRound(
  label: string,
  store: SqlStore,
  bids: Bid[],
  alerts: Array<{ query: SearchQuery }>,
): Promise<void> {
  const index = createBidIndex(store);
  const alertStore = createAlertStore(store);
  const owner = await store.resolveIdentity({
    platform: "telegram",
    userId: "bench",
    teamId: null,
    displayName: null,
  });
  const texts = alertTexts(bids);
  const loadStarted = performance.now();
  await store.executor.query(
    `insert into alerts (account_id, platform, chat_id, scope, query_text, query, mode, created_at)
     select $1, 'telegram', 'chat-' || q.g, 'personal', q.text, q.query::jsonb, 'instant', $2
     from unnest($3::text[], $4::text[]) with ordinality as q(text, query, g)`,
    [
      owner,
      new Date(NOW.getTime() - 86_400_000).toISOString(),
      texts,
      alerts.map((a) => JSON.stringify(a.query)),
    ],
  );
  const records: IndexedRecord[] = bids.map((bid) => ({
    bid,
    raw: { id: bid.id },
    pncpUpdatedAt: bid.publishedAt,
  }));
  await index.upsertBids(records, NOW);
  const loaded = ((performance.now() - loadStarted) / 1000).toFixed(1);
  const calls = new Map<string, { wall: number; cpu: number; n: number }>();
  const timed = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value = Reflect.get(obj, key, receiver);
        if (typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          const cpu = process.cpuUsage();
          const t = performance.now();
          try {
            return await value.apply(obj, args);
          } finally {
            const c = calls.get(String(key)) ?? { wall: 0, cpu: 0, n: 0 };
            c.wall += performance.now() - t;
            c.cpu += cpuMs(cpu);
            c.n++;
            calls.set(String(key), c);
          }
        };
      },
    });
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const stats = await runAlertMatching({
    alerts: timed(alertStore),
    index: timed(index),
    clock: new FixedClock(NOW),
    logger: silentLogger(),
  });
  const wall = performance.now() - started;
  const cpu = cpuMs(cpuStart);
  let sqlWall = 0;
  let sqlCpu = 0;
  for (const c of calls.values()) {
    sqlWall += c.wall;
    sqlCpu += c.cpu;
  }
  console.log(
    `round on ${label}: ${stats.queued.toLocaleString("en")} queued bids, ${stats.inserted.toLocaleString("en")} (alert, bid) matches stored; ` +
      `wall ${wall.toFixed(0)} ms, CPU of this process ${cpu.toFixed(0)} ms — ` +
      `matching ${(wall - sqlWall).toFixed(0)} ms wall / ${(cpu - sqlCpu).toFixed(0)} ms CPU, ` +
      `store calls ${sqlWall.toFixed(0)} ms wall / ${sqlCpu.toFixed(0)} ms CPU here` +
      ` (load of ${ALERTS.toLocaleString("en")} alerts + ${BIDS.toLocaleString("en")} bids: ${loaded} s, not timed)`,
  );
  console.log(
    `  store calls: ${[...calls]
      .map(([k, c]) => `${k} ×${c.n} ${c.wall.toFixed(0)} ms (CPU here ${c.cpu.toFixed(0)})`)
      .join(", ")}`,
  );
  // Re-sync: every bid written again with a newer update time → queued again, matched again, nothing new.
  await index.upsertBids(
    records.map((r) => ({ ...r, pncpUpdatedAt: new Date(NOW.getTime() + 60_000).toISOString() })),
    NOW,
  );
  calls.clear();
  const again = performance.now();
  const cpuAgain = process.cpuUsage();
  const resync = await runAlertMatching({
    alerts: timed(alertStore),
    index: timed(index),
    clock: new FixedClock(NOW),
    logger: silentLogger(),
  });
  console.log(
    `  re-sync of the same day on ${label}: ${resync.queued.toLocaleString("en")} queued, ${resync.matches.toLocaleString("en")} matched again, ${resync.inserted} stored; ` +
      `wall ${(performance.now() - again).toFixed(0)} ms, CPU here ${cpuMs(cpuAgain).toFixed(0)} ms; ` +
      [...calls].map(([k, c]) => `${k} ${c.wall.toFixed(0)} ms`).join(", "),
  );
  const [size] = await store.executor.query<{ rows: string; bytes: string; seen: string }>(
    `select (select count(*) from alert_matches)::text as rows,
       pg_size_pretty(pg_total_relation_size('alert_matches') + pg_total_relation_size('alert_bid_seen')) as bytes,
       (select count(*) from alert_bid_seen)::text as seen`,
  );
  console.log(
    `  stored: ${size!.rows} alert_matches rows + ${size!.seen} alert_bid_seen rows, ${size!.bytes}`,
  );
}

// `node bin/run-ts.mjs bench/alerts.bench.ts` passes this file as argv[2]; `node --import tsx …` as argv[1].
const invokedPaths = process.argv.slice(1, 3).map((arg) => resolve(arg));
if (invokedPaths.includes(fileURLToPath(import.meta.url))) await benchAlerts();
