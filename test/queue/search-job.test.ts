/**
 * The search job's processor on its own (the path every queue runs): the real chat core on a Postgres
 * store acknowledges and charges a search, the queued payload goes through JSON (as in Redis), then the
 * processor runs it as a worker would — posting through a recording Notifier, no local sink.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createChatService } from "../../src/core/chat/chat-service.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { SEARCH_MAX_STALLS, searchJobProcessor } from "../../src/core/chat/search-command.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { type JobContext, RetryLaterError } from "../../src/core/ports/job-queue.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { ChatAddress, Notifier } from "../../src/core/ports/notifier.ts";
import { type Core, createCore } from "../../src/main.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { RecordingQueue } from "../first-contact-harness.ts";
import { createTestDatabase, needPostgres, type TestDatabase } from "../helpers/services.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import { telegramCommand } from "./queue-world.ts";

function recordingNotifier(): Notifier & { sent: { to: ChatAddress; replies: Reply[] }[] } {
  const sent: { to: ChatAddress; replies: Reply[] }[] = [];
  return {
    sent,
    async notify(to, replies) {
      sent.push({ to, replies });
      return { ok: true, messageIds: replies.map((_, i) => String(i)) };
    },
  };
}

function context(over: Partial<JobContext> = {}): JobContext {
  const steps = new Set<string>();
  return {
    jobId: "j",
    attempt: 1,
    finalAttempt: true,
    stalls: 0,
    signal: new AbortController().signal,
    async once(step) {
      if (steps.has(step)) return false;
      steps.add(step);
      return true;
    },
    ...over,
  };
}

const ok = await needPostgres();

describe.skipIf(!ok)("search job processor (worker side)", () => {
  let core: Core;
  let pncp: FakePncp;
  let db: TestDatabase;
  let n = 0;

  beforeAll(async () => {
    pncp = await startFakePncp({ now: FIXTURE_NOW });
    db = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: db.url,
      PNCP_BASE_URL: pncp.url,
      PNCP_MAX_RETRIES: "0",
      PNCP_RETRY_BASE_MS: "10",
      UPGRADE_TOKEN_SECRET: "s",
    });
    core = await createCore(config, { clock: new FixedClock(FIXTURE_NOW), logger: silentLogger() });
  }, 30_000);
  afterAll(async () => {
    await core?.close();
    await pncp?.close();
    await db?.drop();
  });

  /** Acknowledges `/buscar text` for a new paid user; returns the queued payload (through JSON) and the account. */
  async function acknowledged(text: string) {
    n++;
    const userId = `w${n}`;
    const store = core.deps.store;
    const account = await store.resolveIdentity(
      { platform: "telegram", userId, teamId: null, displayName: null },
      FIXTURE_NOW,
    );
    await store.setPlan(account, "maquina", new Date(FIXTURE_NOW.getTime() + 30 * 86_400_000));
    const queue = new RecordingQueue();
    const chat = createChatService({ ...core.deps, queue });
    const acks: Reply[] = [];
    await chat.handle(telegramCommand(userId, `chat-${userId}`, `m-${n}`, `/buscar ${text}`), {
      send: async (r) => void acks.push(r),
    });
    expect(acks.map((r) => r.kind)).toEqual(["searching"]);
    expect(queue.jobs).toHaveLength(1);
    const spec = queue.jobs[0]!;
    expect(spec).toMatchObject({
      kind: "search",
      id: `d_telegram-m%2D${n}`,
      lane: "small",
      accountKey: account,
    });
    const used = async () => (await store.getAccountStatus(account, FIXTURE_NOW, null)).used;
    expect(await used()).toBe(1);
    return { data: JSON.parse(JSON.stringify(spec.data)) as unknown, used, chatId: `chat-${userId}` };
  }

  it("runs the payload and posts results and spreadsheet to the command's chat; a rerun posts nothing more", async () => {
    const { data, used, chatId } = await acknowledged("SP 7d");
    const notifier = recordingNotifier();
    const processor = searchJobProcessor(core.deps, notifier);
    const ctx = context();
    await processor.run(data, ctx);
    expect(notifier.sent.map((s) => s.to)).toEqual([
      { platform: "telegram", chatId, teamId: null },
      { platform: "telegram", chatId, teamId: null },
    ]);
    expect(notifier.sent.flatMap((s) => s.replies.map((r) => r.kind))).toEqual(["results", "file"]);
    // The same job again (a worker died after delivering, before completing): delivered already.
    await processor.run(data, { ...ctx, attempt: 2, stalls: 1 });
    expect(notifier.sent).toHaveLength(2);
    expect(await used()).toBe(1);
  });

  it("a platform refusal while posting results becomes the delivery-failed notice, not a crash", async () => {
    const { data } = await acknowledged("SP 7d");
    const refused: Reply[][] = [];
    const notifier: Notifier = {
      async notify(_to, replies) {
        refused.push(replies);
        return replies[0]?.kind === "results"
          ? { ok: false, reason: "rejected", detail: "too long" }
          : { ok: true, messageIds: ["1"] };
      },
    };
    await searchJobProcessor(core.deps, notifier).run(data, context());
    expect(refused.map((r) => r[0]!.kind)).toEqual(["results", "error"]);
    expect(refused[1]![0]).toMatchObject({ code: "DELIVERY_FAILED" });
  });

  // Last of the searches: the faults open the core's PNCP circuit breaker.
  it("PNCP down: a retry is asked for while attempts remain (nothing told, nothing refunded); the last one tells and refunds", async () => {
    const { data, used } = await acknowledged("MG 3d");
    pncp.setFaults([{ fault: "text_500" }]);
    try {
      const notifier = recordingNotifier();
      const processor = searchJobProcessor(core.deps, notifier);
      const once = context().once;
      await expect(processor.run(data, context({ finalAttempt: false, once }))).rejects.toBeInstanceOf(
        RetryLaterError,
      );
      expect(notifier.sent).toEqual([]);
      expect(await used()).toBe(1);
      await processor.run(data, context({ attempt: 3, finalAttempt: true, once }));
      const replies = notifier.sent.flatMap((s) => s.replies);
      expect(replies).toMatchObject([{ kind: "error", code: "PNCP_UNAVAILABLE" }]);
      expect((replies[0] as { text: string }).text).toContain("não foi descontada");
      expect(await used()).toBe(0);
    } finally {
      pncp.setFaults([]);
    }
  });

  it(`a job whose workers died more than ${SEARCH_MAX_STALLS} time(s) tells the user and refunds, once, instead of searching again`, async () => {
    const { data, used } = await acknowledged("PR 3d");
    const notifier = recordingNotifier();
    const processor = searchJobProcessor(core.deps, notifier);
    const before = pncp.requests.length;
    const once = context().once;
    await processor.run(data, context({ attempt: 1, stalls: SEARCH_MAX_STALLS + 1, once }));
    // The stalled check fails it later anyway (a QueueEvents `failed`): nothing happens twice.
    await processor.failed!(data, { jobId: "j", reason: "job stalled more than allowable limit", once });
    expect(pncp.requests.length).toBe(before);
    const replies = notifier.sent.flatMap((s) => s.replies);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: "error", code: "INTERNAL" });
    expect((replies[0] as { text: string }).text).toMatch(/Algo deu errado[\s\S]*não foi descontada/);
    expect(await used()).toBe(0);
  });

  it("refuses a payload that is not a search job (an unexpected throw goes to `failed`)", async () => {
    const processor = searchJobProcessor(core.deps, recordingNotifier());
    await expect(processor.run({ v: 1, nonsense: true }, context())).rejects.toThrow();
  });
});
