import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { IncomingCommand } from "../src/core/chat/incoming-command.ts";
import type { Reply, ReplySink } from "../src/core/chat/reply.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import { type Core, createCore } from "../src/main.ts";
import { type FakePncp, startFakePncp } from "./fakes/fake-pncp.ts";
import { FIXTURE_NOW } from "./helpers/test-app.ts";

/** The chat core when the platform refuses some replies: nothing is lost or charged for nothing. */
let pncp: FakePncp;
let core: Core;
let n = 0;

beforeAll(async () => {
  pncp = await startFakePncp({ now: FIXTURE_NOW });
  const config = loadConfig({ DATA_DIR: "memory://", PNCP_BASE_URL: pncp.url, PNCP_RETRY_BASE_MS: "20" });
  core = await createCore(config, { clock: new FixedClock(FIXTURE_NOW), logger: silentLogger() });
});
afterAll(async () => {
  await core.close();
  await pncp.close();
});

function command(text: string): IncomingCommand {
  n++;
  return {
    platform: "cli",
    userKey: `cli:chat-${n}`,
    userId: `chat-${n}`,
    teamId: null,
    displayName: null,
    chatId: "terminal",
    isPrivate: true,
    text,
    messageId: `m-${n}`,
    receivedAt: FIXTURE_NOW,
  };
}

function recordingSink(failOn: Reply["kind"] | null): ReplySink & { replies: Reply[] } {
  const replies: Reply[] = [];
  return {
    replies,
    async send(reply) {
      if (reply.kind === failOn) throw new Error(`platform refused ${reply.kind}`);
      replies.push(reply);
    },
  };
}

async function used(cmd: IncomingCommand): Promise<number> {
  const { store, clock } = core.deps;
  const account = await store.resolveIdentity({
    platform: "cli",
    userId: cmd.userId,
    teamId: null,
    displayName: null,
  });
  return (await store.getAccountStatus(account, clock.now())).used;
}

describe("chat core under platform failures", () => {
  it("gives the search back when the 'Buscando…' reply cannot be sent, and runs nothing", async () => {
    const cmd = command("/buscar SP 7d");
    const sink = recordingSink("searching");
    const requestsBefore = pncp.requests.length;
    await core.chat.handle(cmd, sink);
    await core.deps.queue.drain();
    expect(await used(cmd)).toBe(0);
    expect(pncp.requests.length).toBe(requestsBefore);
    expect(sink.replies.map((r) => r.kind)).toEqual(["error"]);
  });

  it("keeps the results and says so when only the file cannot be sent", async () => {
    const cmd = command("/buscar SP 7d");
    const account = await core.deps.store.resolveIdentity({
      platform: "cli",
      userId: cmd.userId,
      teamId: null,
      displayName: null,
    });
    await core.deps.store.setPlan(account, "maquina", new Date(FIXTURE_NOW.getTime() + 30 * 86_400_000));
    const sink = recordingSink("file");
    await core.chat.handle(cmd, sink);
    await core.deps.queue.drain();
    expect(sink.replies.map((r) => r.kind)).toEqual(["searching", "results", "text"]);
    const last = sink.replies.at(-1) as Extract<Reply, { kind: "text" }>;
    expect(last.text).toContain("Não consegui enviar a planilha Excel nesta conversa agora");
    expect((sink.replies[1] as Extract<Reply, { kind: "results" }>).fileFollows).toBe(true);
    expect(await used(cmd)).toBe(1);
  });

  it("drops a duplicate delivery: one search, one charge", async () => {
    const cmd = command("/buscar SP 7d");
    const first = recordingSink(null);
    const second = recordingSink(null);
    await Promise.all([core.chat.handle(cmd, first), core.chat.handle(cmd, second)]);
    await core.deps.queue.drain();
    expect(first.replies.length + second.replies.length).toBe(2);
    expect([...first.replies, ...second.replies].map((r) => r.kind).sort()).toEqual(["results", "searching"]);
    expect(await used(cmd)).toBe(1);
  });
});
