import { describe, expect, it } from "vitest";
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryDelay } from "./retry.ts";

const opts = { baseMs: 1000, maxDelayMs: 15_000 };

describe("backoffDelay (full jitter)", () => {
  it("draws uniformly below an exponentially growing ceiling", () => {
    const nearlyOne = () => 0.999_999;
    expect([0, 1, 2, 3].map((retry) => backoffDelay(retry, opts, nearlyOne))).toEqual([
      999, 1999, 3999, 7999,
    ]);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
  });

  it("never exceeds the maximum delay", () => {
    expect(backoffDelay(10, opts, () => 0.999_999)).toBe(14_999);
    expect(backoffDelay(50, opts, () => 0.5)).toBe(7_500);
  });

  it("spreads concurrent retries instead of synchronising them", () => {
    let seed = 42;
    const lcg = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 200 }, () => backoffDelay(2, opts, lcg));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(4000);
    expect(new Set(delays).size).toBeGreaterThan(150);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-09-21T20:00:00Z");
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("60", now)).toBe(60_000);
    expect(parseRetryAfter(" 2 ", now)).toBe(2000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
  });
  it("reads an HTTP-date relative to now, never negative", () => {
    expect(parseRetryAfter("Mon, 21 Sep 2026 20:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 21 Sep 2026 19:00:00 GMT", now)).toBe(0);
  });
  it("ignores absent or unreadable values", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});

describe("retryDelay", () => {
  const input = { ...opts, retry: 0, retryAfterMaxMs: 30_000, nowMs: 0, random: () => 0.5 };
  it("honours Retry-After over the backoff, capped", () => {
    expect(retryDelay({ ...input, retryAfter: "7" })).toBe(7000);
    expect(retryDelay({ ...input, retryAfter: "3600" })).toBe(30_000);
  });
  it("falls back to the jittered backoff", () => {
    expect(retryDelay({ ...input, retry: 1, retryAfter: null })).toBe(1000);
    expect(retryDelay({ ...input, retry: 1, retryAfter: "garbage" })).toBe(1000);
  });
});

describe("isRetryableStatus", () => {
  it("retries throttling, timeouts, server errors and PNCP's spurious 422", () => {
    for (const status of [408, 422, 425, 429, 500, 502, 503, 504])
      expect(isRetryableStatus(status)).toBe(true);
  });
  it("does not retry client errors that will not change", () => {
    for (const status of [400, 401, 403, 404, 405, 501]) expect(isRetryableStatus(status)).toBe(false);
  });
});
