/**
 * The outbox sender's throughput and memory, printed (never asserted):
 * 1. raw: 20,000 messages through the memory store and a recording notifier with pacing off — the
 *    sender's own cost per message (claim, decode, settle);
 * 2. a morning digest on a virtual clock: 3,000 Telegram chats + 200 Slack channels × 3 messages + 100
 *    WhatsApp users, at the platforms' pace — the virtual time it takes against the ideal, and the CPU;
 * 3. SQL: 5,000 messages on the local Postgres (BENCH_DATABASE_URL; skipped when unreachable), two senders
 *    racing (skip locked), and the enqueue rate;
 * 4. HTTP: 1,000 messages through the real grammY notifier against the loopback Telegram fake.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { createTelegramNotifier } from "../src/bots/telegram-notifier.ts";
import type { Reply } from "../src/core/chat/reply.ts";
import { MemoryOutboxStore } from "../src/core/outbox/memory-outbox-store.ts";
import { createOutbox } from "../src/core/outbox/outbox.ts";
import { createOutboxSender, type OutboxSender } from "../src/core/outbox/outbox-sender.ts";
import { Pacing, type PacingRules } from "../src/core/outbox/pacing.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import type { ChatAddress, Notifier } from "../src/core/ports/notifier.ts";
import type { OutboxStore } from "../src/core/ports/outbox-store.ts";
import { createSqlOutboxStore } from "../src/stores/outbox/sql-outbox-store.ts";
import { PgStore } from "../src/stores/pg-store.ts";
import { startFakeTelegram } from "../test/fakes/fake-telegram.ts";
import { VirtualTime } from "../test/notify/virtual-time.ts";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const logger = silentLogger();
const text = (t: string): Reply[] => [{ kind: "text", text: t }];
const zero = { intervalMs: 0, burst: 1 };
const UNPACED: PacingRules = {
  slack: { perChat: zero },
  telegram: { perPrivateChat: zero, perGroup: zero, global: zero },
  whatsapp: { perChat: zero, global: zero },
};

const okNotifier = (): Notifier & { sent: number } => {
  const n = {
    sent: 0,
    async notify(_to: ChatAddress, replies: Reply[]) {
      n.sent++;
      return { ok: true as const, messageIds: replies.map(() => "m") };
    },
  };
  return n;
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function drain(
  senders: OutboxSender[],
  store: OutboxStore,
  advance?: () => Promise<void>,
  run: <T>(task: Promise<T>) => Promise<T> = (task) => task,
): Promise<void> {
  for (;;) {
    const claimed = await run(Promise.all(senders.map((s) => s.runOnce())));
    const counts = await store.counts();
    if (!counts.pending && !counts.sending) return;
    if (claimed.every((n) => n === 0)) await advance?.();
  }
}

async function raw(): Promise<void> {
  const N = 20_000;
  const store = new MemoryOutboxStore();
  const clock = new FixedClock("2026-12-01T08:00:00Z");
  const outbox = createOutbox({ store, clock, logger });
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  for (let i = 0; i < N; i++)
    await outbox.enqueue({
      key: `raw-${i}`,
      to: { platform: "telegram", chatId: String(10_000 + i) },
      replies: text(`Alerta ${i}: 3 licitações novas`),
      purpose: "alert",
    });
  const enqueueMs = performance.now() - t;
  const notifier = okNotifier();
  const sender = createOutboxSender(
    { store, notifier, clock, logger, pacing: new Pacing(UNPACED) },
    { batchSize: 500, concurrency: 32 },
  );
  t = performance.now();
  await drain([sender], store);
  const sendMs = performance.now() - t;
  const heap1 = process.memoryUsage().heapUsed;
  console.log(
    `raw (memory store, no pacing): ${N} messages — enqueue ${Math.round(N / (enqueueMs / 1000))}/s, ` +
      `send ${Math.round(notifier.sent / (sendMs / 1000))}/s; heap +${mb(heap1 - heap0)} (${N} sent rows kept)`,
  );
}

async function digest(): Promise<void> {
  const store = new MemoryOutboxStore();
  // Virtual time: sleepers wake in order and the clock jumps to them; no real time passes.
  const vt = new VirtualTime("2026-12-01T11:00:00Z");
  const { clock, sleep } = vt;
  const start = clock.now().getTime();
  const outbox = createOutbox({ store, clock, logger });
  const wanted: [ChatAddress, number][] = [];
  for (let i = 0; i < 3000; i++) wanted.push([{ platform: "telegram", chatId: String(100_000 + i) }, 1]);
  for (let i = 0; i < 200; i++) wanted.push([{ platform: "slack", chatId: `C${i}`, teamId: "T1" }, 3]);
  for (let i = 0; i < 100; i++) wanted.push([{ platform: "whatsapp", chatId: `5511${i}` }, 1]);
  let messages = 0;
  for (const [to, count] of wanted)
    for (let k = 0; k < count; k++) {
      messages++;
      await outbox.enqueue({
        key: `dg-${to.chatId}-${k}`,
        to,
        replies: text("Resumo do dia"),
        purpose: "digest",
      });
    }
  const times: Record<string, number[]> = { telegram: [], slack: [], whatsapp: [] };
  const notifier: Notifier = {
    async notify(to) {
      times[to.platform]!.push(clock.now().getTime() - start);
      return { ok: true, messageIds: ["m"] };
    },
  };
  const sender = createOutboxSender({ store, notifier, clock, logger, sleep }, { batchSize: 200 });
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  // The serve loop itself (pipelined claims), on virtual time, until everything is sent.
  sender.start();
  await vt.run(
    (async () => {
      for (;;) {
        const counts = await store.counts();
        if (!counts.pending && !counts.sending) return;
        await sleep(1000);
      }
    })(),
  );
  await vt.run(sender.stop());
  const wallMs = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  const last = (p: string) => Math.max(...times[p]!) / 1000;
  console.log(
    `digest (virtual clock): ${messages} messages; Telegram 3,000 chats done at ${last("telegram").toFixed(1)} s ` +
      `(ideal at 30/s: 100.0 s), Slack 200 channels × 3 at ${last("slack").toFixed(1)} s (ideal 2.0 s), ` +
      `WhatsApp 100 users at ${last("whatsapp").toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, ` +
      `wall ${wallMs.toFixed(0)} ms`,
  );
}

async function sql(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    console.log(`sql: Postgres at ${new URL(ADMIN_URL).host} unreachable — skipped`);
    return;
  }
  const name = `smart_pncp_bench_outbox_${randomBytes(4).toString("hex")}`;
  await admin.query(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const a = await PgStore.open({ databaseUrl: url.toString(), max: 4 });
  const b = await PgStore.open({ databaseUrl: url.toString(), max: 4, migrate: false });
  try {
    const N = 5000;
    const clock = new FixedClock("2026-12-01T08:00:00Z");
    const storeA = createSqlOutboxStore(a);
    const outbox = createOutbox({ store: storeA, clock, logger });
    let t = performance.now();
    for (let i = 0; i < N; i++)
      await outbox.enqueue({
        key: `sql-${i}`,
        to: { platform: "telegram", chatId: String(10_000 + i) },
        replies: text(`Alerta ${i}`),
        purpose: "alert",
      });
    const enqueueMs = performance.now() - t;
    const notifier = okNotifier();
    const senders = [a, b].map((s, i) =>
      createOutboxSender(
        { store: createSqlOutboxStore(s), notifier, clock, logger, pacing: new Pacing(UNPACED) },
        { owner: `bench-${i}`, batchSize: 200, concurrency: 16 },
      ),
    );
    t = performance.now();
    await drain(senders, storeA);
    const sendMs = performance.now() - t;
    console.log(
      `sql (local Postgres, 2 senders): ${N} messages — enqueue ${Math.round(N / (enqueueMs / 1000))}/s ` +
        `(one call each), send ${Math.round(notifier.sent / (sendMs / 1000))}/s (claim 200 + settle each); ` +
        `sent ${notifier.sent} (duplicates: ${notifier.sent - N})`,
    );
  } finally {
    await a.close();
    await b.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function http(): Promise<void> {
  const fake = await startFakeTelegram();
  try {
    const N = 1000;
    const store = new MemoryOutboxStore();
    const clock = { now: () => new Date() };
    const outbox = createOutbox({ store, clock, logger });
    for (let i = 0; i < N; i++)
      await outbox.enqueue({
        key: `http-${i}`,
        to: { platform: "telegram", chatId: String(10_000 + i) },
        replies: text(`Alerta ${i}: 3 licitações novas`),
        purpose: "alert",
      });
    const notifier = createTelegramNotifier({ token: fake.token, apiRoot: fake.apiRoot, logger });
    const sender = createOutboxSender(
      { store, notifier, clock, logger, pacing: new Pacing(UNPACED) },
      { batchSize: 200, concurrency: 16 },
    );
    const t = performance.now();
    await drain([sender], store);
    const ms = performance.now() - t;
    console.log(
      `http (grammY → loopback Telegram, no pacing): ${fake.callsTo("sendMessage").length} messages at ` +
        `${Math.round(N / (ms / 1000))}/s (the real limit is 30/s: the sender is not the bottleneck)`,
    );
  } finally {
    await fake.close();
  }
}

export async function benchOutbox(): Promise<void> {
  await raw();
  await digest();
  await http();
  await sql();
}

const entry = process.argv[2];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  await benchOutbox();
}
