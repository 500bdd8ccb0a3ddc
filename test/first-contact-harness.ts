import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { ChatDeps } from "../src/core/chat/chat-deps.ts";
import { createChatService } from "../src/core/chat/chat-service.ts";
import type { IncomingCommand } from "../src/core/chat/incoming-command.ts";
import type { Reply, ReplySink } from "../src/core/chat/reply.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import type { JobQueue, JobQueueStatus, JobSpec } from "../src/core/ports/job-queue.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import { type Core, createCore } from "../src/main.ts";

/**
 * Shared by the first-contact and store-down tests: the real core (PGlite in memory, real SQL rules,
 * real limiter) with a queue that records search jobs instead of running them, so a test can tell
 * "a search was started and charged" from "nothing ran" without a PNCP round trip.
 */
export class RecordingQueue implements JobQueue {
  readonly jobs: JobSpec[] = [];
  async enqueue(job: JobSpec): Promise<void> {
    this.jobs.push(job);
  }
  get size(): number {
    return 0;
  }
  async drain(): Promise<void> {}
  status(): JobQueueStatus {
    return {
      backend: "in-process",
      state: "ok",
      redis: null,
      localJobs: 0,
      fallbackJobs: 0,
      lastError: null,
      since: new Date(0).toISOString(),
    };
  }
}

/** A sink that keeps every reply. */
export function recordingSink(): ReplySink & { replies: Reply[] } {
  const replies: Reply[] = [];
  return {
    replies,
    async send(reply) {
      replies.push(reply);
    },
  };
}

let n = 0;

/** A private-chat command from a user nobody has seen (a fresh trial account), unless `userId` is given. */
export function privateCommand(
  text: string,
  options: { userId?: string; messageId?: string; now?: Date } = {},
): IncomingCommand {
  n++;
  const userId = options.userId ?? `first-${process.pid}-${n}`;
  return {
    platform: "telegram",
    userKey: `telegram:${userId}`,
    userId,
    teamId: null,
    displayName: null,
    chatId: userId,
    isPrivate: true,
    text,
    messageId: options.messageId ?? `m-${process.pid}-${n}`,
    receivedAt: options.now ?? new Date(),
  };
}

/** The core over an in-memory PGlite; PNCP is never called (jobs are only recorded). */
export async function openCore(now: Date): Promise<Core> {
  const config = loadConfig({ DATA_DIR: "memory://", PNCP_BASE_URL: "http://127.0.0.1:9/api/consulta" });
  return createCore(config, { clock: new FixedClock(now), logger: silentLogger() });
}

/** Opens the core before the file's tests and closes it after; call the returned getter inside tests. */
export function useCore(now: Date): () => Core {
  let core: Core | null = null;
  beforeAll(async () => {
    core = await openCore(now);
  });
  afterAll(async () => {
    await core?.close();
  });
  return () => {
    if (!core) throw new Error("core not open yet");
    return core;
  };
}

/** A chat service over `core` with its own recording queue (and optionally other ports). */
export function recordingChat(core: Core, overrides: Partial<ChatDeps> = {}) {
  const queue = new RecordingQueue();
  const deps: ChatDeps = { ...core.deps, queue, ...overrides };
  return { chat: createChatService(deps), queue, deps };
}

/** Searches used by the identity of `cmd` (its own account, private chat). */
export async function usedBy(core: Core, cmd: IncomingCommand): Promise<number> {
  const { store, clock } = core.deps;
  const account = await store.resolveIdentity(
    { platform: cmd.platform, userId: cmd.userId, teamId: null, displayName: null },
    clock.now(),
  );
  return (await store.getAccountStatus(account, clock.now(), null)).used;
}
