import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports/logger.ts";
import { Counters } from "../../src/core/ports/metrics.ts";
import { RedisRateLimiter } from "../../src/stores/redis-rate-limiter.ts";
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
    limiter = await RedisRateLimiter.open({ url: REDIS_URL, logger: pino({ level: "silent" }), prefix });
    other = await RedisRateLimiter.open({ url: REDIS_URL, logger: pino({ level: "silent" }), prefix });
  });
  afterAll(async () => {
    await limiter?.close();
    await other?.close();
  });

  it("allows the plan's per-minute limit, then refuses with the wait", async () => {
    expect(await limiter.hit("acc-1", 2, at(0))).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
    expect(await limiter.hit("acc-1", 2, at(15_000))).toEqual({
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

  it("shares the limit across instances and never over-admits under concurrency", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? limiter : other).hit("shared", 10, at(1_000))),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.some((r) => r.failedOpen)).toBe(false);
  });
});

describe("RedisRateLimiter with Redis down", () => {
  it("fails open at once, flags failedOpen and logs rate_limit_fallback", async () => {
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

  it("fails open within the command timeout when Redis accepts but never answers", async () => {
    const sockets: import("node:net").Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    const limiter = new RedisRateLimiter({
      url: `redis://127.0.0.1:${port}`,
      logger: pino({ level: "silent" }),
      commandTimeoutMs: 200,
    });
    try {
      const started = Date.now();
      expect(await limiter.hit("acc-1", 2, new Date())).toMatchObject({ allowed: true, failedOpen: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await limiter.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
