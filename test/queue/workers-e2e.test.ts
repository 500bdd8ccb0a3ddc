/**
 * One server (this process: the real composition root on a shared Postgres, BullMQ on the local Redis)
 * and two `smart-pncp worker` child processes: 50 searches from 10 users are acknowledged by the server,
 * run by the workers and posted through the Notifier — each exactly once, each charged exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { type App, createApp } from "../../src/main.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { createTestDatabase, needPostgres, needRedis, type TestDatabase } from "../helpers/services.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import { testQueueSettings, until } from "./queue-harness.ts";
import { startWorkerChildren, type WorkerChild } from "./worker-children.ts";

const ok = (await needRedis()) && (await needPostgres());
const USERS = 10;
const EACH = 5;

describe.skipIf(!ok)("server + two worker processes on BullMQ", () => {
  const settings = testQueueSettings();
  let db: TestDatabase;
  let pncp: FakePncp;
  let app: App;
  let workers: WorkerChild[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    pncp = await startFakePncp({ now: FIXTURE_NOW, latencyMs: 5 });
    env = {
      LOG_LEVEL: "silent",
      DATABASE_URL: db.url,
      REDIS_URL: settings.redisUrl,
      QUEUE_PREFIX: settings.prefix,
      PNCP_BASE_URL: pncp.url,
      PNCP_TIMEOUT_MS: "3000",
      PNCP_MAX_RETRIES: "1",
      PNCP_RETRY_BASE_MS: "20",
      SYNC_ENABLED: "false",
      UPGRADE_TOKEN_SECRET: "test-upgrade-secret",
      PUBLIC_BASE_URL: "https://bot.example.test",
      JOB_LOCK_MS: "1000",
      JOB_BACKOFF_MS: "50",
      TEST_NOW: FIXTURE_NOW.toISOString(),
    };
    // The server migrates the database first; the workers then attach to it.
    app = await createApp(loadConfig(env), { clock: new FixedClock(FIXTURE_NOW), logger: silentLogger() });
    await app.start(0);
    workers = await startWorkerChildren(2, env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await app?.stop();
    await pncp?.close();
    await db?.drop();
    await settings.cleanup();
  }, 30_000);

  it("acknowledges 50 commands from 10 users; the workers deliver each exactly once and charge each exactly once", async () => {
    expect(app.core.deps.queue.status()).toMatchObject({ backend: "bullmq", state: "ok", redis: "up" });
    const store = app.core.deps.store;
    const accounts: string[] = [];
    for (let u = 0; u < USERS; u++) {
      const account = await store.resolveIdentity(
        { platform: "telegram", userId: `u${u}`, teamId: null, displayName: null },
        FIXTURE_NOW,
      );
      await store.setPlan(account, "maquina", new Date(FIXTURE_NOW.getTime() + 30 * 86_400_000));
      accounts.push(account);
    }
    const acks = new Map<string, Reply[]>();
    const commands: IncomingCommand[] = [];
    for (let u = 0; u < USERS; u++) {
      for (let i = 0; i < EACH; i++) {
        commands.push({
          platform: "telegram",
          userKey: `telegram:u${u}`,
          userId: `u${u}`,
          teamId: null,
          displayName: null,
          chatId: `chat-u${u}-${i}`,
          isPrivate: true,
          text: i % 2 === 0 ? "/buscar SP 7d" : "/buscar saude RJ MG 5d",
          messageId: `${7000 + u * 10 + i}`,
          receivedAt: FIXTURE_NOW,
        });
      }
    }
    await Promise.all(
      commands.map((cmd) => {
        const replies: Reply[] = [];
        acks.set(cmd.chatId, replies);
        return app.core.chat.handle(cmd, { send: async (r) => void replies.push(r) });
      }),
    );
    // Redelivered webhooks (same delivery ids) are dropped before anything is queued or charged.
    await Promise.all(
      commands.slice(0, 5).map((cmd) => app.core.chat.handle(cmd, { send: async () => undefined })),
    );
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
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(commands.length);
    // No "searching"/"progress" repeated through the notifier, no error.
    const all = workers.flatMap((w) => w.notified).flatMap((n) => n.kinds);
    expect(all.filter((k) => k === "searching" || k === "progress" || k === "error")).toEqual([]);

    for (const account of accounts) {
      expect((await store.getAccountStatus(account, FIXTURE_NOW, null)).used).toBe(EACH);
    }
  }, 45_000);
});
