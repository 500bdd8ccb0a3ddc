import { randomUUID } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports/logger.ts";
import { MemoryRateLimiter } from "../../src/core/ports/memory-rate-limiter.ts";
import { Counters } from "../../src/core/ports/metrics.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { RedisRateLimiter } from "../../src/stores/redis-rate-limiter.ts";
import { StoreRateLimiter } from "../../src/stores/store-rate-limiter.ts";
import { needRedis, REDIS_URL } from "../helpers/services.ts";

const redis = await needRedis();
const T0 = new Date("2026-11-22T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

function capturingLogger(): { logger: Logger; events: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), events: () => lines.map((l) => JSON.parse(l).msg) };
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!redis)("RedisRateLimiter on Redis", () => {
  let limiter: RedisRateLimiter;
  let other: RedisRateLimiter;
  beforeAll(async () => {
    const prefix = `smart-pncp-test:${randomUUID()}:`;
    // A generous command timeout: a loaded CI machine must not turn these into fallback answers.
    const options = { url: REDIS_URL, logger: pino({ level: "silent" }), prefix, commandTimeoutMs: 3_000 };
    limiter = await RedisRateLimiter.open(options);
    other = await RedisRateLimiter.open(options);
  });
  afterAll(async () => {
    await limiter?.close();
    await other?.close();
  });

  it("allows the plan's per-minute limit, then refuses with the wait", async () => {
    const first = await limiter.hit("acc-1", 2, at(0));
    expect(first).toMatchObject({ allowed: true, remaining: 1, retryAfterMs: 0 });
    expect(first.hitToken).toMatch(/^r:/);
    expect(await limiter.hit("acc-1", 2, at(15_000))).toMatchObject({
      allowed: true,
      remaining: 0,
      retryAfterMs: 0,
    });
    expect(await limiter.hit("acc-1", 2, at(20_000))).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 40_000,
    });
    expect((await limiter.hit("acc-2", 2, at(20_000))).allowed).toBe(true);
    // Sliding: the first hit leaves the window at 60 s.
    expect((await limiter.hit("acc-1", 2, at(60_000))).allowed).toBe(true);
    expect((await limiter.hit("acc-1", 2, at(60_001))).retryAfterMs).toBe(14_999);
  });

  it("gives back an undone hit (a search the plan refused), once", async () => {
    const a = await limiter.hit("undo", 2, at(0));
    await limiter.hit("undo", 2, at(1));
    expect((await limiter.hit("undo", 2, at(2))).allowed).toBe(false);
    await limiter.undo(`undo`, a.hitToken!);
    await other.undo(`undo`, a.hitToken!);
    expect((await other.hit("undo", 2, at(3))).allowed).toBe(true);
    expect((await limiter.hit("undo", 2, at(4))).allowed).toBe(false);
  });

  it("shares the limit across instances and never over-admits under concurrency", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? limiter : other).hit("shared", 10, at(1_000))),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.some((r) => r.failedOpen)).toBe(false);
  });
});

/** A loopback TCP server that accepts connections and never answers (a hung Redis). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("RedisRateLimiter with Redis down", () => {
  it("without a fallback fails open at once, flags failedOpen and logs rate_limit_fallback", async () => {
    const { logger, events } = capturingLogger();
    const counters = new Counters();
    const limiter = await RedisRateLimiter.open({
      url: `redis://127.0.0.1:${await closedPort()}`,
      logger,
      connectTimeoutMs: 300,
      counters,
    });
    try {
      const started = Date.now();
      const result = await limiter.hit("acc-1", 2, new Date());
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0, failedOpen: true });
      await limiter.hit("acc-1", 2, new Date());
      expect(events().filter((e) => e === "rate_limit_fallback")).toHaveLength(2);
      expect(events()).toContain("redis_unavailable");
      expect(counters.get("redis_unavailable")).toBe(1);
    } finally {
      await limiter.close();
    }
  });

  it("keeps enforcing the limit through the fallback limiter while Redis is unreachable", async () => {
    const { logger, events } = capturingLogger();
    const fallback = new MemoryRateLimiter();
    const limiter = new RedisRateLimiter({
      url: `redis://127.0.0.1:${await closedPort()}`,
      logger,
      fallback,
    });
    try {
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await limiter.hit("acc-1", 2, at(i)));
      expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
      expect(results.some((r) => r.failedOpen)).toBe(false);
      expect(results[0]!.hitToken).toMatch(/^f:/);
      // The refused search's slot comes back through the same limiter that recorded it.
      await limiter.undo("acc-1", results[0]!.hitToken!);
      expect((await limiter.hit("acc-1", 2, at(3))).allowed).toBe(true);
      expect(events()).toContain("rate_limit_fallback");
    } finally {
      await limiter.close();
    }
  });

  it("gives up on a Redis that accepts connections but never answers, and uses the embedded limiter", async () => {
    const hung = await silentServer();
    const embedded = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
    const limiter = new RedisRateLimiter({
      url: `redis://127.0.0.1:${hung.port}`,
      logger: pino({ level: "silent" }),
      fallback: new StoreRateLimiter({ store: embedded, logger: pino({ level: "silent" }) }),
    });
    try {
      const started = Date.now();
      const first = await limiter.hit("acc-1", 2, at(0));
      // Default command timeout is 100 ms; the bound here only proves it does not hang (the bench measures).
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(first).toMatchObject({ allowed: true, remaining: 1 });
      expect(first.failedOpen).toBeUndefined();
      expect(first.hitToken).toMatch(/^f:s:/);
      expect((await limiter.hit("acc-1", 2, at(1))).allowed).toBe(true);
      expect(await limiter.hit("acc-1", 2, at(2))).toMatchObject({ allowed: false, remaining: 0 });
      // The hits are in the store: another process on the same store sees them.
      expect((await embedded.rateLimitHit("rl:acc-1", 2, 60_000, at(3))).allowed).toBe(false);
    } finally {
      await limiter.close();
      await embedded.close();
      await hung.close();
    }
  });

  it("without a fallback fails open within the command timeout when Redis never answers", async () => {
    const hung = await silentServer();
    const limiter = new RedisRateLimiter({
      url: `redis://127.0.0.1:${hung.port}`,
      logger: pino({ level: "silent" }),
      commandTimeoutMs: 200,
    });
    try {
      const started = Date.now();
      expect(await limiter.hit("acc-1", 2, new Date())).toMatchObject({ allowed: true, failedOpen: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await limiter.close();
      await hung.close();
    }
  });
});
