import { loadConfig } from "../../src/config.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { type Logger, silentLogger } from "../../src/core/ports/logger.ts";
import { type App, createApp } from "../../src/main.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/services.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import { testQueueSettings } from "./queue-harness.ts";

/**
 * The server side of the multi-process queue tests: a Postgres database of its own, the fake PNCP, a
 * unique BullMQ prefix, and the real app (this process) on them; `env` starts workers on the same.
 */
export interface QueueWorld {
  app: App;
  pncp: FakePncp;
  env: Record<string, string>;
  settings: ReturnType<typeof testQueueSettings>;
  /** A telegram user on the Máquina plan; returns the account id. */
  paidUser(userId: string): Promise<string>;
  used(account: string): Promise<number>;
  /** Sends one command to the server's chat core; resolves with the acknowledgement replies. */
  send(cmd: IncomingCommand): Promise<Reply[]>;
  close(): Promise<void>;
}

/** What workers add to `env`: the server already migrated the database. */
export const WORKER_ENV = { DATABASE_MIGRATE_ON_START: "false" };

export function telegramCommand(
  userId: string,
  chatId: string,
  messageId: string,
  text: string,
): IncomingCommand {
  return {
    platform: "telegram",
    userKey: `telegram:${userId}`,
    userId,
    teamId: null,
    displayName: null,
    chatId,
    isPrivate: true,
    text,
    messageId,
    receivedAt: FIXTURE_NOW,
  };
}

export async function openQueueWorld(
  extraEnv: Record<string, string> = {},
  logger: Logger = silentLogger(),
): Promise<QueueWorld> {
  const settings = testQueueSettings();
  const db: TestDatabase = await createTestDatabase();
  const pncp = await startFakePncp({ now: FIXTURE_NOW, latencyMs: 5 });
  const env: Record<string, string> = {
    LOG_LEVEL: "silent",
    DATABASE_URL: db.url,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.prefix,
    PNCP_BASE_URL: pncp.url,
    PNCP_TIMEOUT_MS: "10000",
    PNCP_MAX_RETRIES: "1",
    PNCP_RETRY_BASE_MS: "20",
    SYNC_ENABLED: "false",
    UPGRADE_TOKEN_SECRET: "test-upgrade-secret",
    PUBLIC_BASE_URL: "https://bot.example.test",
    JOB_LOCK_MS: "1000",
    JOB_BACKOFF_MS: "50",
    TEST_NOW: FIXTURE_NOW.toISOString(),
    ...extraEnv,
  };
  // The server migrates the database first; workers then attach to it.
  const app = await createApp(loadConfig(env), { clock: new FixedClock(FIXTURE_NOW), logger });
  await app.start(0);
  const store = app.core.deps.store;
  return {
    app,
    pncp,
    env,
    settings,
    async paidUser(userId) {
      const account = await store.resolveIdentity(
        { platform: "telegram", userId, teamId: null, displayName: null },
        FIXTURE_NOW,
      );
      await store.setPlan(account, "maquina", new Date(FIXTURE_NOW.getTime() + 30 * 86_400_000));
      return account;
    },
    async used(account) {
      return (await store.getAccountStatus(account, FIXTURE_NOW, null)).used;
    },
    async send(cmd) {
      const replies: Reply[] = [];
      await app.core.chat.handle(cmd, { send: async (r) => void replies.push(r) });
      return replies;
    },
    async close() {
      await app.stop();
      await pncp.close();
      await db.drop();
      await settings.cleanup();
    },
  };
}
