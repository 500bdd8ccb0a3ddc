/**
 * One server (this process: the real composition root on a shared Postgres, BullMQ on the local Redis)
 * and two `smart-pncp worker` child processes: 50 searches from 10 users are acknowledged by the server,
 * run by the workers and posted through the Notifier — each exactly once, each charged exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/chat/reply.ts";
import { needPostgres, needRedis } from "../helpers/services.ts";
import { until } from "./queue-harness.ts";
import { openQueueWorld, type QueueWorld, telegramCommand } from "./queue-world.ts";
import { startWorkerChildren, type WorkerChild } from "./worker-children.ts";

const ok = (await needRedis()) && (await needPostgres());
const USERS = 10;
const EACH = 5;

describe.skipIf(!ok)("server + two worker processes on BullMQ", () => {
  let world: QueueWorld;
  let workers: WorkerChild[] = [];

  beforeAll(async () => {
    world = await openQueueWorld();
    workers = await startWorkerChildren(2, world.env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await world?.close();
  }, 30_000);

  it("acknowledges 50 commands from 10 users; the workers deliver each exactly once and charge each exactly once", async () => {
    const { app } = world;
    expect(app.core.deps.queue.status()).toMatchObject({ backend: "bullmq", state: "ok", redis: "up" });
    const accounts: string[] = [];
    for (let u = 0; u < USERS; u++) accounts.push(await world.paidUser(`u${u}`));
    const commands = Array.from({ length: USERS * EACH }, (_, n) => {
      const u = Math.floor(n / EACH);
      const i = n % EACH;
      const text = i % 2 === 0 ? "/buscar SP 7d" : "/buscar saude RJ MG 5d";
      return telegramCommand(`u${u}`, `chat-u${u}-${i}`, `${7000 + n}`, text);
    });
    const acks = new Map<string, Reply[]>();
    await Promise.all(commands.map(async (cmd) => acks.set(cmd.chatId, await world.send(cmd))));
    // Redelivered webhooks (same delivery ids) are dropped before anything is queued or charged.
    await Promise.all(commands.slice(0, 5).map((cmd) => world.send(cmd)));
    // Every command was acknowledged here ("Buscando…") and none ran in this process.
    for (const cmd of commands) expect(acks.get(cmd.chatId)!.map((r) => r.kind)).toEqual(["searching"]);
    expect(app.core.deps.queue.status().fallbackJobs).toBe(0);

    const delivered = () => workers.flatMap((w) => w.notified).filter((n) => n.kinds.includes("results"));
    await until(() => delivered().length >= commands.length, 30_000, "50 results");
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up now
    const byChat = new Map<string, number>();
    for (const n of delivered()) byChat.set(n.chatId, (byChat.get(n.chatId) ?? 0) + 1);
    expect(byChat.size).toBe(commands.length);
    expect([...byChat.values()].every((count) => count === 1)).toBe(true);
    // Both workers took part (4 slots each, 50 jobs).
    const perWorker = workers.map((w) => w.notified.filter((n) => n.kinds.includes("results")).length);
    expect(perWorker.every((count) => count > 0)).toBe(true);
    // The searches really ran: the SP fixtures have bids, so results came with their spreadsheet.
    expect(workers.flatMap((w) => w.notified).some((n) => n.kinds.includes("file"))).toBe(true);
    // No "searching"/"progress" repeated through the notifier, no error.
    const kinds = workers.flatMap((w) => w.notified).flatMap((n) => n.kinds);
    expect(kinds.filter((k) => k === "searching" || k === "progress" || k === "error")).toEqual([]);

    for (const account of accounts) expect(await world.used(account)).toBe(EACH);
  }, 45_000);
});
