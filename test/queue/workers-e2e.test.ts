/**
 * One server (this process: the real composition root on a shared Postgres, BullMQ on the local Redis,
 * the real Telegram adapter in webhook mode against the loopback fake) and two `smart-pncp worker` child
 * processes posting with the composition root's own notifier (Telegram). 50 searches from 10 users are
 * acknowledged by the server, run by the workers and posted to their chats — each exactly once, each
 * charged exactly once; a webhook delivered twice is searched once.
 */
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/chat/reply.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { needPostgres, needRedis } from "../helpers/services.ts";
import { until } from "./queue-harness.ts";
import { openQueueWorld, type QueueWorld, telegramCommand, WORKER_ENV } from "./queue-world.ts";
import { startWorkerChildren, type WorkerChild } from "./worker-children.ts";

const ok = (await needRedis()) && (await needPostgres());
const USERS = 10;
const EACH = 5;
const SECRET = "queue_e2e-secret";

describe.skipIf(!ok)("server + two worker processes on BullMQ, posting to Telegram", () => {
  let fake: FakeTelegram;
  let world: QueueWorld;
  let workers: WorkerChild[] = [];

  beforeAll(async () => {
    fake = await startFakeTelegram();
    world = await openQueueWorld({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
    workers = await startWorkerChildren(2, { ...world.env, ...WORKER_ENV, WORKER_NOTIFIER: "default" });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await world?.close();
    await fake?.close();
  }, 30_000);

  /** Messages and documents the workers posted to `chatId` (everything but the server's "Buscando…"). */
  const posted = (chatId: number) =>
    fake.calls.filter(
      (c) =>
        (c.method === "sendMessage" || c.method === "sendDocument") &&
        Number(c.params.chat_id) === chatId &&
        !String(c.params.text ?? "").includes("Buscando"),
    );

  it("a webhook is acknowledged by the server; the worker posts results and file once, also when Telegram redelivers", async () => {
    const account = await world.paidUser("4242");
    const update = fake.textUpdate({ updateId: 880001, text: "/buscar SP 7d", fromId: 4242, chatId: 4242 });
    const post = async () => {
      const base = `http://127.0.0.1:${(world.app.server.address() as { port: number }).port}`;
      const res = await fetch(`${base}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(update),
      });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await post()).toBe(200);
    await fake.waitFor(() => posted(4242).some((c) => c.method === "sendDocument"), 20_000);
    expect(await post()).toBe(200); // Telegram redelivers the update
    await world.app.idle();
    await new Promise((r) => setTimeout(r, 300));
    const acks = fake.sent.filter((m) => m.chatId === 4242 && m.text.includes("Buscando"));
    expect(acks).toHaveLength(1);
    expect(posted(4242).map((c) => c.method)).toEqual(["sendMessage", "sendDocument"]);
    expect(posted(4242)[1]!.files[0]!.data.length).toBeGreaterThan(1000);
    expect(await world.used(account)).toBe(1);
  }, 40_000);

  it("50 commands from 10 users: acknowledged in the server, each delivered exactly once by the workers, each charged once", async () => {
    const { app } = world;
    expect(app.core.deps.queue.status()).toMatchObject({ backend: "bullmq", state: "ok", redis: "up" });
    const accounts: string[] = [];
    for (let u = 0; u < USERS; u++) accounts.push(await world.paidUser(`${500 + u}`));
    const commands = Array.from({ length: USERS * EACH }, (_, n) => {
      const u = Math.floor(n / EACH);
      const text = n % 2 === 0 ? "/buscar SP 7d" : "/buscar saude RJ MG 5d";
      // One chat per command, so each delivery is counted on its own.
      return telegramCommand(`${500 + u}`, `${9000 + n}`, `${7000 + n}`, text);
    });
    const acks = new Map<string, Reply[]>();
    await Promise.all(commands.map(async (cmd) => acks.set(cmd.chatId, await world.send(cmd))));
    // Redelivered (same delivery ids): dropped before anything is queued or charged.
    await Promise.all(commands.slice(0, 5).map((cmd) => world.send(cmd)));
    for (const cmd of commands) expect(acks.get(cmd.chatId)!.map((r) => r.kind)).toEqual(["searching"]);
    expect(app.core.deps.queue.status().fallbackJobs).toBe(0);

    const results = (chatId: number) => posted(chatId).filter((c) => c.method === "sendMessage");
    await until(() => commands.every((cmd) => results(Number(cmd.chatId)).length > 0), 30_000, "50 results");
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up now
    for (const cmd of commands) expect(results(Number(cmd.chatId))).toHaveLength(1);
    // The searches really ran: the SP fixtures have bids, so their results came with the spreadsheet.
    expect(
      commands.filter((cmd) => posted(Number(cmd.chatId)).some((c) => c.method === "sendDocument")).length,
    ).toBeGreaterThan(0);
    for (const account of accounts) expect(await world.used(account)).toBe(EACH);

    // Both worker processes took part (4 slots each): BullMQ recorded who ran each job.
    const queue = new Queue("search", {
      connection: { url: world.settings.redisUrl },
      prefix: world.settings.prefix,
    });
    try {
      const done = await queue.getJobs(["completed"], 0, 200);
      const by = new Set(done.map((j) => j.processedBy?.split(":").at(-1)));
      expect(by).toEqual(new Set(workers.map((w) => String(w.pid))));
      expect(done.length).toBe(commands.length + 1);
    } finally {
      await queue.close();
    }
  }, 45_000);
});
