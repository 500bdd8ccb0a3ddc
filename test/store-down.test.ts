import { describe, expect, it } from "vitest";
import { UsageBacklog } from "../src/core/entitlements/usage-backlog.ts";
import { AppError } from "../src/core/errors.ts";
import { errorMessage } from "../src/core/messages.ts";
import { MemoryRateLimiter } from "../src/core/ports/memory-rate-limiter.ts";
import type { RateLimiter } from "../src/core/ports/rate-limiter.ts";
import type { Store } from "../src/core/ports/store.ts";
import { privateCommand, recordingChat, recordingSink, useCore, usedBy } from "./first-contact-harness.ts";

/**
 * The account store unreachable: searches go ahead (fail open), but a delivery still runs once, its
 * usage is written once after recovery (also when the platform redelivers it), the per-minute limit
 * still holds, and /plano and /assinar say the store is down instead of "something went wrong".
 */
const NOW = new Date("2026-11-10T12:00:00-03:00");
const core = useCore(NOW);

/** The real store behind a switch: while `down`, the listed methods (default: all) reject as unreachable. */
function switchableStore(real: Store) {
  const state = { down: false, only: null as Set<string> | null };
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (state.down && (!state.only || state.only.has(String(prop)))) {
          return Promise.reject(
            new AppError("STORE_UNAVAILABLE", "connect ECONNREFUSED 127.0.0.1:5432", { retryable: true }),
          );
        }
        return value.apply(target, args);
      };
    },
  });
  return { store, state };
}

/** A shared limiter (like the SQL or Redis one) that fails open while its backend is down. */
function switchableLimiter(state: { down: boolean }): RateLimiter {
  const inner = new MemoryRateLimiter();
  return {
    hit: (key, limit, now) =>
      state.down
        ? Promise.resolve({ allowed: true, remaining: limit, retryAfterMs: 0, failedOpen: true })
        : inner.hit(key, limit, now),
    undo: (key, token) => inner.undo(key, token),
  };
}

function setup() {
  const { store, state } = switchableStore(core().deps.store);
  const backlog = new UsageBacklog();
  const limiter = switchableLimiter(state);
  const one = recordingChat(core(), { store, backlog, limiter });
  return { store, state, backlog, limiter, ...one };
}

describe("store unreachable", () => {
  it("5 copies of one update run one search; after recovery a redelivery is dropped and usage is written once", async () => {
    const { chat, queue, state, backlog, store, limiter } = setup();
    const cmd = privateCommand("/buscar obras SP", { messageId: "update-5x" });
    state.down = true;
    const sinks = Array.from({ length: 5 }, () => recordingSink());
    await Promise.all(sinks.map((sink) => chat.handle(cmd, sink)));
    expect(sinks.flatMap((s) => s.replies).map((r) => r.kind)).toEqual(["searching"]);
    expect(queue.jobs).toHaveLength(1);
    expect(backlog.size).toBe(1);

    state.down = false;
    const again = recordingSink();
    await chat.handle(cmd, again);
    expect(again.replies).toEqual([]);
    expect(await backlog.flush(store, core().deps.logger)).toBe(1);
    expect(await usedBy(core(), cmd)).toBe(1);

    // Another process (no memory of the delivery) gets the redelivery: claim_event, recorded by the flush, drops it.
    const other = recordingChat(core(), { store, backlog: new UsageBacklog(), limiter });
    const late = recordingSink();
    await other.chat.handle(cmd, late);
    expect(late.replies).toEqual([]);
    expect(other.queue.jobs).toHaveLength(0);
    expect(await usedBy(core(), cmd)).toBe(1);
  });

  it("a redelivery charged by another process before the flush is not charged again", async () => {
    const { chat, state, backlog, store, limiter } = setup();
    const cmd = privateCommand("/buscar obras SP", { messageId: "update-elsewhere" });
    state.down = true;
    await chat.handle(cmd, recordingSink());
    expect(backlog.size).toBe(1);
    state.down = false;
    const other = recordingChat(core(), { store, backlog: new UsageBacklog(), limiter });
    const sink = recordingSink();
    await other.chat.handle(cmd, sink);
    expect(sink.replies.map((r) => r.kind)).toEqual(["searching"]);
    expect(await usedBy(core(), cmd)).toBe(1);
    expect(await backlog.flush(store, core().deps.logger)).toBe(0);
    expect(backlog.size).toBe(0);
    expect(await usedBy(core(), cmd)).toBe(1);
  });

  it("a delivery claimed just before the store failed still has its usage written", async () => {
    const { chat, state, backlog, store } = setup();
    const cmd = privateCommand("/buscar obras SP", { messageId: "claimed-then-down" });
    state.down = true;
    state.only = new Set(["resolveIdentity", "getAccountStatus", "listPlans", "consumeSearch"]);
    const sink = recordingSink();
    await chat.handle(cmd, sink);
    expect(sink.replies.map((r) => r.kind)).toEqual(["searching"]);
    state.down = false;
    expect(await backlog.flush(store, core().deps.logger)).toBe(1);
    expect(await usedBy(core(), cmd)).toBe(1);
  });

  it("the per-minute limit still holds, with the plan last seen for the user", async () => {
    const { chat, state } = setup();
    const userId = "known-then-down";
    const first = recordingSink();
    await chat.handle(privateCommand("/buscar obras SP", { userId }), first);
    expect(first.replies.map((r) => r.kind)).toEqual(["searching"]);
    state.down = true;
    const kinds: string[] = [];
    let last = "";
    for (let i = 0; i < 3; i++) {
      const sink = recordingSink();
      await chat.handle(privateCommand("/buscar obras SP", { userId }), sink);
      kinds.push(...sink.replies.map((r) => r.kind));
      last = (sink.replies[0] as { text: string }).text;
    }
    // The shared limiter lost the first hit with its backend; the fallback allows 2 more, then refuses.
    expect(kinds).toEqual(["searching", "searching", "upgrade"]);
    expect(last).toMatch(/^Muitas buscas em pouco tempo: o plano Teste grátis permite 2 por minuto\./);
  });

  it("a user never seen by this process is held to the trial's limit (or told the store is down)", async () => {
    const { chat, state } = setup();
    await chat.handle(privateCommand("/buscar obras SP"), recordingSink()); // the catalogue is read once
    state.down = true;
    const kinds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sink = recordingSink();
      await chat.handle(privateCommand("/buscar obras SP", { userId: "never-seen" }), sink);
      kinds.push(...sink.replies.map((r) => r.kind));
    }
    expect(kinds).toEqual(["searching", "searching", "upgrade"]);

    // A process that started during the outage knows no plan at all: the limit holds all the same.
    const fresh = setup();
    fresh.state.down = true;
    const replies = [];
    for (let i = 0; i < 3; i++) {
      const sink = recordingSink();
      await fresh.chat.handle(privateCommand("/buscar obras SP", { userId: "never-seen-2" }), sink);
      replies.push(...sink.replies);
    }
    expect(replies.map((r) => r.kind)).toEqual(["searching", "searching", "error"]);
    expect(replies[2]).toMatchObject({ code: "STORE_UNAVAILABLE", text: errorMessage("STORE_UNAVAILABLE") });
  });

  it("/plano and /assinar answer that the account store is down, not the generic error", async () => {
    const { chat, state } = setup();
    state.down = true;
    for (const text of ["/plano", "/assinar", "meu plano", "planos"]) {
      const sink = recordingSink();
      await chat.handle(privateCommand(text), sink);
      expect(sink.replies).toEqual([
        { kind: "error", code: "STORE_UNAVAILABLE", text: errorMessage("STORE_UNAVAILABLE") },
      ]);
    }
    expect(errorMessage("STORE_UNAVAILABLE")).toContain("As buscas continuam funcionando");
  });
});
