/**
 * Queue benchmark, in-process queue next to BullMQ with two `smart-pncp worker` processes, same run,
 * same machine, same Postgres and fake PNCP. Prints numbers, never asserts. Needs the local Redis and
 * Postgres (skipped, loudly, without them). Runs alone: `node bin/run-ts.mjs bench/queue.bench.ts`.
 *
 * 1. Acknowledgement: 50 users send a search at once against a slow PNCP (2 s per page), then 50 more
 *    users each send one while those are in flight; "ack" is the chat core's handle() (claim → parse →
 *    entitlement → "Buscando…" → enqueue), what a webhook waits for before its 200. Also time to results.
 * 2. Fairness: one user queues 8 national 30-day searches (the large lane), then 10 other users one small
 *    search each (SP, 3 days); how long the small ones take to be answered, next to the same 10 alone.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Reply } from "../src/core/chat/reply.ts";
import { InProcessJobQueue } from "../src/core/ports/in-process-job-queue.ts";
import { JobProcessors, type JobQueue, type JobSpec } from "../src/core/ports/job-queue.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import { UFS } from "../src/core/search-query.ts";
import { BullMqJobQueue } from "../src/queue/bullmq-job-queue.ts";
import { startWorkers } from "../src/queue/bullmq-workers.ts";
import { postgresAvailable, REDIS_URL, redisAvailable } from "../test/helpers/services.ts";
import { deleteKeys } from "../test/queue/queue-harness.ts";
import { openQueueWorld, telegramCommand, WORKER_ENV } from "../test/queue/queue-world.ts";
import { startWorkerChildren, type WorkerChild } from "../test/queue/worker-children.ts";

type Mode = "in-process" | "bullmq";
const SEARCHES = 50;
const PROBES = 50;
const PROBE_CONCURRENCY = 10;
const SLOW_PNCP_MS = 2_000;
const LARGE = 8;
const SMALL = 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function line(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);
  return `  ${label.padEnd(52)} n=${String(sorted.length).padStart(3)}  p50 ${fmt(percentile(sorted, 50)).padStart(9)}  p99 ${fmt(percentile(sorted, 99)).padStart(9)}  max ${fmt(sorted.at(-1) ?? Number.NaN).padStart(9)}`;
}

/** A world in `mode` (two worker children for BullMQ) and a way to learn when a chat got its results. */
async function open(mode: Mode, env: Record<string, string> = {}) {
  const world = await openQueueWorld(mode === "in-process" ? { REDIS_URL: "", ...env } : env);
  const workers: WorkerChild[] =
    mode === "bullmq" ? await startWorkerChildren(2, { ...world.env, ...WORKER_ENV }) : [];
  const localDone = new Map<string, number>();
  const send = async (userId: string, chatId: string, messageId: string, text: string) => {
    const cmd = telegramCommand(userId, chatId, messageId, text);
    const replies: Reply[] = [];
    const started = Date.now();
    const t0 = performance.now();
    await world.app.core.chat.handle(cmd, {
      async send(reply) {
        replies.push(reply);
        if (reply.kind === "results" || reply.kind === "error") localDone.set(chatId, Date.now());
      },
    });
    return { ack: performance.now() - t0, started, replies };
  };
  const doneAt = (chatId: string): number | undefined =>
    localDone.get(chatId) ??
    workers
      .flatMap((w) => w.notified)
      .find((n) => n.chatId === chatId && (n.kinds.includes("results") || n.kinds.includes("error")))?.at;
  const waitAll = async (chatIds: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (chatIds.some((c) => doneAt(c) === undefined) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const close = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await world.close();
  };
  return { world, workers, send, doneAt, waitAll, close };
}

async function ackRun(mode: Mode): Promise<void> {
  const w = await open(mode);
  try {
    w.world.pncp.setLatency(SLOW_PNCP_MS);
    for (let i = 0; i < 5; i++) await w.send(`warm${i}`, `warm${i}`, `w${i}`, "/ajuda");
    const burst = await Promise.all(
      Array.from({ length: SEARCHES }, (_, i) => w.send(`b${i}`, `burst-${i}`, `b-${i}`, "/buscar SP 7d")),
    );
    for (let i = 0; i < 200 && w.world.pncp.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    const probes: Awaited<ReturnType<typeof w.send>>[] = [];
    for (let done = 0; done < PROBES; done += PROBE_CONCURRENCY) {
      probes.push(
        ...(await Promise.all(
          Array.from({ length: PROBE_CONCURRENCY }, (_, i) =>
            w.send(`p${done + i}`, `probe-${done + i}`, `p-${done + i}`, "/buscar RJ 7d"),
          ),
        )),
      );
    }
    const chats = [...burst.map((_, i) => `burst-${i}`), ...probes.map((_, i) => `probe-${i}`)];
    await w.waitAll(chats, 180_000);
    const all = [...burst, ...probes];
    const completion = all
      .map((s, i) => (w.doneAt(chats[i]!) ?? Number.NaN) - s.started)
      .filter((n) => Number.isFinite(n));
    const label = mode === "bullmq" ? "BullMQ, 2 workers" : "in-process queue";
    console.log(`${label} (PNCP ${SLOW_PNCP_MS} ms/page):`);
    console.log(
      line(
        `ack, ${SEARCHES} /buscar at once`,
        burst.map((s) => s.ack),
      ),
    );
    console.log(
      line(
        `ack, /buscar while ${SEARCHES} in flight`,
        probes.map((s) => s.ack),
      ),
    );
    console.log(line("command → results", completion));
    const per = w.workers.map((x) => x.notified.filter((n) => n.kinds.includes("results")).length);
    if (per.length > 0)
      console.log(
        `  results per worker: ${per.join(" / ")}; ran in the server: ${w.world.app.core.deps.queue.status().fallbackJobs}`,
      );
  } finally {
    await w.close();
  }
}

async function fairnessRun(mode: Mode): Promise<void> {
  const w = await open(mode);
  try {
    w.world.pncp.setLatency(100);
    await w.world.paidUser("heavy");
    const national = `/buscar saude ${UFS.join(" ")} 30d`;
    const measureSmall = async (tag: string) => {
      const sent = await Promise.all(
        Array.from({ length: SMALL }, (_, i) =>
          w.send(`s${tag}${i}`, `small-${tag}-${i}`, `s-${tag}-${i}`, "/buscar SP 3d"),
        ),
      );
      const chats = sent.map((_, i) => `small-${tag}-${i}`);
      await w.waitAll(chats, 180_000);
      return sent.map((s, i) => (w.doneAt(chats[i]!) ?? Number.NaN) - s.started);
    };
    await measureSmall("warm"); // first searches load the chat core (exceljs…) in each process
    const alone = await measureSmall("alone");
    const heavyStarted = Date.now();
    for (let i = 0; i < LARGE; i++) await w.send("heavy", `large-${i}`, `l-${i}`, national);
    const withHeavy = await measureSmall("busy");
    const largeChats = Array.from({ length: LARGE }, (_, i) => `large-${i}`);
    await w.waitAll(largeChats, 300_000);
    const large = largeChats.map((c) => (w.doneAt(c) ?? Number.NaN) - heavyStarted);
    const label =
      mode === "bullmq" ? "BullMQ, 2 workers (large lane 1 slot each)" : "in-process (4 slots, large ≤ 2)";
    console.log(`${label}, PNCP 100 ms/page:`);
    console.log(line(`${SMALL} small searches alone`, alone));
    console.log(line(`${SMALL} small after ${LARGE} national 30d of one user`, withHeavy));
    console.log(line(`the ${LARGE} national searches (since queued)`, large));
  } finally {
    await w.close();
  }
}

/**
 * The queue policy alone, with synthetic jobs (large 2 s, small 200 ms) so PNCP and the machine's load do
 * not blur it: one account queues 8 large jobs, then 10 accounts one small job each. "fair" sends them as
 * the search does (large lane, per-account order); "FIFO" puts everything in one lane, no account key.
 */
async function fairnessModel(): Promise<void> {
  const LARGE_MS = 2_000;
  const SMALL_MS = 200;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const processors = () =>
    new JobProcessors().register("model", {
      run: async (data) => {
        await sleep((data as { ms: number }).ms);
      },
    });
  const jobs = (fair: boolean, tag: string): JobSpec[] => [
    ...Array.from(
      { length: LARGE },
      (_, i): JobSpec => ({
        id: `${tag}-L${i}`,
        kind: "model",
        data: { ms: LARGE_MS },
        ...(fair ? { lane: "large" as const, accountKey: "heavy" } : {}),
      }),
    ),
    ...Array.from(
      { length: SMALL },
      (_, i): JobSpec => ({
        id: `${tag}-S${i}`,
        kind: "model",
        data: { ms: SMALL_MS },
        ...(fair ? { accountKey: `u${i}` } : {}),
      }),
    ),
  ];
  const smallWaits = async (queue: JobQueue, done: Map<string, number>, fair: boolean, tag: string) => {
    const started = Date.now();
    for (const job of jobs(fair, tag)) await queue.enqueue(job);
    const small = Array.from({ length: SMALL }, (_, i) => `${tag}-S${i}`);
    while (small.some((id) => !done.has(id))) await sleep(10);
    return small.map((id) => done.get(id)! - started);
  };
  const tracked = (base: JobProcessors, done: Map<string, number>) => {
    const model = base.get("model")!;
    return new JobProcessors().register("model", {
      run: async (data, ctx) => {
        await model.run(data, ctx);
        done.set(ctx.jobId, Date.now());
      },
    });
  };
  console.log(
    `model: ${LARGE} large (${LARGE_MS} ms) of one account, then ${SMALL} small (${SMALL_MS} ms) of ${SMALL}:`,
  );
  for (const fair of [false, true]) {
    const done = new Map<string, number>();
    const queue = new InProcessJobQueue(silentLogger(), 4, tracked(processors(), done));
    console.log(
      line(
        `in-process 4 slots, ${fair ? "fair" : "FIFO"}: small done after`,
        await smallWaits(queue, done, fair, `ip${fair}`),
      ),
    );
    await queue.drain(60_000);
  }
  for (const fair of [false, true]) {
    const settings = {
      redisUrl: REDIS_URL,
      prefix: `bench${Date.now().toString(36)}${fair ? "f" : "q"}`,
      concurrency: { small: 4, large: 1 },
      lockMs: 30_000,
      attempts: 1,
      backoffMs: 1,
    };
    const done = new Map<string, number>();
    const fallback = new InProcessJobQueue(silentLogger(), 1, processors());
    const queue = await BullMqJobQueue.open({
      settings,
      processors: processors(),
      fallback,
      logger: silentLogger(),
    });
    const pools = [
      await startWorkers(settings, tracked(processors(), done), silentLogger()),
      await startWorkers(settings, tracked(processors(), done), silentLogger()),
    ];
    try {
      console.log(
        line(
          `BullMQ 2 workers × 4 slots, ${fair ? "fair" : "FIFO"}: small done after`,
          await smallWaits(queue, done, fair, `bq${fair}`),
        ),
      );
    } finally {
      for (const pool of pools) await pool.close(10_000);
      await queue.close();
      await deleteKeys(REDIS_URL, `${settings.prefix}:*`);
    }
  }
}

export async function benchQueue(): Promise<void> {
  if (!(await redisAvailable()) || !(await postgresAvailable())) {
    console.log("SKIPPED: needs the local Redis (127.0.0.1:6379) and Postgres (127.0.0.1:5432)");
    return;
  }
  console.log("-- acknowledgement --");
  await ackRun("in-process");
  await ackRun("bullmq");
  console.log("-- fairness --");
  await fairnessModel();
  await fairnessRun("in-process");
  await fairnessRun("bullmq");
}

const entry = process.argv[2];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  if (process.argv[3] === "model") await fairnessModel();
  else await benchQueue();
}
