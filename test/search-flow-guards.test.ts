import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import type { IncomingCommand } from "../src/core/chat/incoming-command.ts";
import type { Reply, ReplySink } from "../src/core/chat/reply.ts";
import { AppError } from "../src/core/errors.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import type { Store } from "../src/core/ports/store.ts";
import { type Core, createCore } from "../src/main.ts";
import { PGLITE_MEMORY, PgliteStore } from "../src/stores/pglite-store.ts";
import { type FakePncp, startFakePncp } from "./fakes/fake-pncp.ts";
import { FIXTURE_NOW } from "./helpers/test-app.ts";

/**
 * Guards of the chat search flow that a one-line regression would break silently, each on the real core
 * (PGlite, the real queue, the loopback PNCP) with the account store unreachable:
 * - fail-open usage waiting in the backlog is cancelled when the "Buscando…" reply cannot be sent, and
 *   when PNCP is down — nobody is charged later for a search that never ran;
 * - a plan the process does not know (store down since it started) never sends the Excel file — the first
 *   invariant of MONITORING.md: a free user never gets one; a paid plan seen before the outage still does.
 */
let pncp: FakePncp;
let core: Core;
/** The core's own store behind the switch: the chat AND the job processors see the outage. */
let state: { down: boolean };
let n = 0;

beforeAll(async () => {
  pncp = await startFakePncp({ now: FIXTURE_NOW });
  const config = loadConfig({
    DATA_DIR: "memory://",
    PNCP_BASE_URL: pncp.url,
    PNCP_RETRY_BASE_MS: "5",
    PNCP_MAX_RETRIES: "1",
  });
  const switched = switchable(await PgliteStore.open({ dataDir: PGLITE_MEMORY }));
  state = switched.state;
  core = await createCore(config, {
    clock: new FixedClock(FIXTURE_NOW),
    logger: silentLogger(),
    store: switched.store,
  });
});
afterAll(async () => {
  await core.close();
  await pncp.close();
});

function command(text: string, userId = `guard-${++n}`): IncomingCommand {
  return {
    platform: "telegram",
    userKey: `telegram:${userId}`,
    userId,
    teamId: null,
    displayName: null,
    chatId: userId,
    isPrivate: true,
    text,
    messageId: `guard-m-${++n}`,
    receivedAt: FIXTURE_NOW,
  };
}

function sink(failOn: Reply["kind"] | null = null): ReplySink & { replies: Reply[] } {
  const replies: Reply[] = [];
  return {
    replies,
    async send(reply) {
      if (reply.kind === failOn) throw new Error(`platform refused ${reply.kind}`);
      replies.push(reply);
    },
  };
}

/** The real store behind a switch: while down, every call rejects as unreachable. */
function switchable(real: Store) {
  const state = { down: false };
  const store = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        state.down
          ? Promise.reject(new AppError("STORE_UNAVAILABLE", "connect ECONNREFUSED", { retryable: true }))
          : value.apply(target, args);
    },
  });
  return { store, state };
}

async function used(userId: string): Promise<number> {
  const { store, clock } = core.deps; // called with the store up
  const account = await store.resolveIdentity({
    platform: "telegram",
    userId,
    teamId: null,
    displayName: null,
  });
  return (await store.getAccountStatus(account, clock.now(), null)).used;
}

describe("search flow guards (store unreachable)", () => {
  it("cancels the fail-open usage when the 'Buscando…' reply fails: nothing is charged after recovery", async () => {
    const { backlog } = core.deps;
    const cmd = command("/buscar SP 7d");
    state.down = true;
    const refused = sink("searching");
    await core.chat.handle(cmd, refused);
    await core.deps.queue.drain();
    expect(refused.replies.map((r) => r.kind)).toEqual(["error"]);
    expect(backlog.size).toBe(0);
    state.down = false;
    expect(await backlog.flush(core.deps.store, core.deps.logger)).toBe(0);
    expect(await used(cmd.userId)).toBe(0);
  });

  it("never sends the Excel file when the plan is unknown; a paid plan seen before the outage still gets it", async () => {
    const { chat } = core;

    // Never seen by this process: plan unknown while the store is down.
    state.down = true;
    const unknown = sink();
    await chat.handle(command("/buscar SP 7d"), unknown);
    await core.deps.queue.drain();
    const kinds = unknown.replies.map((r) => r.kind);
    expect(kinds).toContain("results");
    expect(kinds).not.toContain("file");

    // A Máquina account (Excel) seen while the store was up keeps its file through the outage.
    state.down = false;
    const paid = command("/buscar SP 7d");
    const account = await core.deps.store.resolveIdentity({
      platform: "telegram",
      userId: paid.userId,
      teamId: null,
      displayName: null,
    });
    await core.deps.store.setPlan(account, "maquina", null);
    const first = sink();
    await chat.handle(paid, first);
    await core.deps.queue.drain();
    expect(first.replies.map((r) => r.kind)).toContain("file");
    state.down = true;
    const during = sink();
    await chat.handle({ ...command("/buscar SP 7d", paid.userId) }, during);
    await core.deps.queue.drain();
    expect(during.replies.map((r) => r.kind)).toContain("results");
    expect(during.replies.map((r) => r.kind)).toContain("file");
  });
  it("cancels the fail-open usage when PNCP is down: the user is told it was not charged", async () => {
    const { backlog } = core.deps;
    const cmd = command("/buscar SP 7d");
    pncp.setFaults([{ fault: "jdbc_500" }]);
    try {
      state.down = true;
      const waiting = backlog.size;
      const out = sink();
      await core.chat.handle(cmd, out);
      expect(backlog.size).toBe(waiting + 1); // let through: its usage waits for the store
      await core.deps.queue.drain();
      expect(out.replies.map((r) => r.kind)).toEqual(["searching", "error"]);
      expect(out.replies[1]).toMatchObject({ code: "PNCP_UNAVAILABLE" });
      expect((out.replies[1] as { text: string }).text).toContain("não foi descontada");
      expect(backlog.size).toBe(waiting);
      state.down = false;
      await backlog.flush(core.deps.store, core.deps.logger);
      expect(await used(cmd.userId)).toBe(0);
    } finally {
      pncp.setFaults([]);
      state.down = false;
    }
  });
});
