import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { StoreRateLimitHit } from "../../src/core/ports/store.ts";
import { StoreRateLimiter } from "../../src/stores/store-rate-limiter.ts";

const T0 = new Date("2026-11-22T12:00:00Z").getTime();
const at = (ms: number) => new Date(T0 + ms);

/** A store whose SQL window is a plain array, and that can be switched off (unreachable). */
function windowStore() {
  const hits: { key: string; at: number; id: number }[] = [];
  let seq = 0;
  const state = { down: false, calls: [] as string[] };
  return {
    state,
    async rateLimitHit(key: string, limit: number, windowMs: number, now: Date): Promise<StoreRateLimitHit> {
      state.calls.push(`hit ${key}`);
      if (state.down) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      const live = hits.filter((h) => h.key === key && h.at > now.getTime() - windowMs);
      if (live.length >= limit) {
        return {
          allowed: false,
          remaining: 0,
          retryAfterMs: live[0]!.at + windowMs - now.getTime(),
          hitId: null,
        };
      }
      hits.push({ key, at: now.getTime(), id: ++seq });
      return { allowed: true, remaining: limit - live.length - 1, retryAfterMs: 0, hitId: String(seq) };
    },
    async rateLimitUndo(key: string, hitId: string): Promise<void> {
      state.calls.push(`undo ${key} ${hitId}`);
      if (state.down) throw new Error("connect ECONNREFUSED");
      const index = hits.findIndex((h) => h.key === key && String(h.id) === hitId);
      if (index >= 0) hits.splice(index, 1);
    },
  };
}

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "warn" }, sink), events: () => lines.map((l) => JSON.parse(l).msg) };
}

describe("StoreRateLimiter", () => {
  it("asks the store's window with a prefixed key and undoes through it", async () => {
    const store = windowStore();
    const limiter = new StoreRateLimiter({ store, logger: pino({ level: "silent" }) });
    const first = await limiter.hit("acc", 1, at(0));
    expect(first).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0, hitToken: "s:1" });
    expect(await limiter.hit("acc", 1, at(10_000))).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 50_000,
    });
    await limiter.undo("acc", first.hitToken!);
    expect(store.state.calls).toEqual(["hit rl:acc", "hit rl:acc", "undo rl:acc 1"]);
    expect((await limiter.hit("acc", 1, at(10_001))).allowed).toBe(true);
  });

  it("keeps the limit per process when the store is unreachable, and never throws", async () => {
    const store = windowStore();
    store.state.down = true;
    const { logger, events } = capturingLogger();
    const limiter = new StoreRateLimiter({ store, logger });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limiter.hit("acc", 2, at(i)));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(results[0]!.hitToken).toMatch(/^m:/);
    await limiter.undo("acc", results[0]!.hitToken!);
    expect((await limiter.hit("acc", 2, at(3))).allowed).toBe(true);
    // A store token while the store is down: logged, not thrown.
    await expect(limiter.undo("acc", "s:99")).resolves.toBeUndefined();
    expect(events().filter((e) => e === "rate_limit_fallback")).toHaveLength(4);
    expect(events()).toContain("rate_limit_undo_failed");
  });

  it("refuses to be built on a store without a window", () => {
    expect(() => new StoreRateLimiter({ store: {}, logger: pino({ level: "silent" }) })).toThrow(
      /rateLimitHit/,
    );
  });
});
