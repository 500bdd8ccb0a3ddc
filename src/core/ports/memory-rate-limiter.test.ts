import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "./memory-rate-limiter.ts";

const T0 = new Date("2026-11-22T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe("MemoryRateLimiter", () => {
  it("allows the limit per minute, then refuses with the wait until a slot frees", async () => {
    const limiter = new MemoryRateLimiter();
    expect(await limiter.hit("a", 2, at(0))).toMatchObject({ allowed: true, remaining: 1, retryAfterMs: 0 });
    expect(await limiter.hit("a", 2, at(10_000))).toMatchObject({
      allowed: true,
      remaining: 0,
      retryAfterMs: 0,
    });
    expect(await limiter.hit("a", 2, at(20_000))).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 40_000,
    });
    expect(await limiter.hit("b", 2, at(20_000))).toMatchObject({ allowed: true });
  });

  it("slides: a slot frees exactly one window after the oldest hit", async () => {
    const limiter = new MemoryRateLimiter();
    await limiter.hit("a", 2, at(0));
    await limiter.hit("a", 2, at(30_000));
    expect((await limiter.hit("a", 2, at(59_999))).allowed).toBe(false);
    expect(await limiter.hit("a", 2, at(60_000))).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.hit("a", 2, at(60_001))).toMatchObject({ allowed: false, retryAfterMs: 29_999 });
  });

  it("does not count refused requests", async () => {
    const limiter = new MemoryRateLimiter();
    await limiter.hit("a", 1, at(0));
    for (let i = 1; i <= 5; i++) await limiter.hit("a", 1, at(i * 1_000));
    expect((await limiter.hit("a", 1, at(60_000))).allowed).toBe(true);
  });

  it("undo gives an allowed hit back, once, and ignores unknown tokens", async () => {
    const limiter = new MemoryRateLimiter();
    const first = await limiter.hit("a", 2, at(0));
    const second = await limiter.hit("a", 2, at(1_000));
    expect(first.hitToken).toBeTruthy();
    expect(first.hitToken).not.toBe(second.hitToken);
    expect((await limiter.hit("a", 2, at(2_000))).allowed).toBe(false);
    await limiter.undo("a", first.hitToken!);
    await limiter.undo("a", first.hitToken!);
    await limiter.undo("a", "nope");
    await limiter.undo("other", second.hitToken!);
    const third = await limiter.hit("a", 2, at(3_000));
    expect(third).toMatchObject({ allowed: true, remaining: 0 });
    // the window now holds the 1 s and 3 s hits: the next slot frees at 61 s
    expect(await limiter.hit("a", 2, at(4_000))).toMatchObject({ allowed: false, retryAfterMs: 57_000 });
  });

  it("a refused request carries no token", async () => {
    const limiter = new MemoryRateLimiter();
    await limiter.hit("a", 1, at(0));
    expect((await limiter.hit("a", 1, at(1))).hitToken).toBeUndefined();
  });

  it("forgets idle keys", async () => {
    const limiter = new MemoryRateLimiter();
    for (let i = 0; i < 999; i++) await limiter.hit(`k${i}`, 5, at(0));
    expect(limiter.size).toBe(999);
    await limiter.hit("late", 5, at(120_000));
    expect(limiter.size).toBe(1);
  });
});
