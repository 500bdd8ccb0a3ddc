import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdaptiveLimiter, type Permit } from "./adaptive-limiter.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Discrete-event run on a virtual clock: `requests` attempts against a server that refuses (429, at once)
 * any request arriving while `allowance` are in flight and answers the others after `latency` ms; a refused
 * attempt is retried after `pauseMs`. Returns the virtual duration and the refusals.
 */
async function simulate(options: {
  ceiling: number;
  allowance: number;
  latency: number;
  requests: number;
  pauseMs: number;
}) {
  const limiter = new AdaptiveLimiter({ ceiling: options.ceiling });
  let now = 0;
  let serverInFlight = 0;
  let refused = 0;
  let done = 0;
  const timers: Array<{ at: number; run: () => void }> = [];
  const at = (delay: number, run: () => void) => timers.push({ at: now + delay, run });
  const attempt = () => {
    void limiter.acquire().then((permit: Permit) => {
      if (serverInFlight >= options.allowance) {
        refused++;
        permit.release("overload");
        at(options.pauseMs, attempt);
        return;
      }
      serverInFlight++;
      at(options.latency, () => {
        serverInFlight--;
        done++;
        permit.release("success");
      });
    });
  };
  for (let i = 0; i < options.requests; i++) attempt();
  while (done < options.requests) {
    await tick();
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (!next) continue;
    now = next.at;
    next.run();
  }
  return { durationMs: now, refused, limit: limiter.limit };
}

describe("AdaptiveLimiter", () => {
  it("starts small, doubles per round of successes up to the ceiling, never above it", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 2 });
    expect(limiter.limit).toBe(2);
    for (let round = 0; round < 5; round++) {
      const permits = await Promise.all(Array.from({ length: limiter.limit }, () => limiter.acquire()));
      expect(limiter.active).toBe(permits.length);
      for (const p of permits) p.release("success");
    }
    expect(limiter.limit).toBe(16);
    const held = await Promise.all(Array.from({ length: 16 }, () => limiter.acquire()));
    const waiting = limiter.acquire();
    await tick();
    expect(limiter.pending).toBe(1);
    held[0]!.release("success");
    (await waiting).release("success");
    for (const p of held.slice(1)) p.release("success");
    expect(limiter.limit).toBe(16);
  });

  it("halves once per overload episode: refusals of permits granted before the halving do not halve again", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 12 });
    const permits = await Promise.all(Array.from({ length: 12 }, () => limiter.acquire()));
    for (const p of permits.slice(0, 4)) p.release("overload");
    expect(limiter.limit).toBe(6);
    expect(limiter.halvings).toBe(1);
    for (const p of permits.slice(4)) p.release("success"); // old generation: no growth either
    expect(limiter.limit).toBe(6);
    const fresh = await limiter.acquire();
    fresh.release("overload");
    expect(limiter.limit).toBe(3);
    expect(limiter.halvings).toBe(2);
  });

  it("climbs straight back to just under the width that failed, then probes it only after several rounds", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 11 });
    (await limiter.acquire()).release("overload"); // 11 failed → 5, threshold 10
    expect(limiter.limit).toBe(5);
    const round = async () => {
      const permits = await Promise.all(Array.from({ length: limiter.limit }, () => limiter.acquire()));
      for (const p of permits) p.release("success");
    };
    await round();
    expect(limiter.limit).toBe(10); // slow start straight back to the last good width
    for (let i = 0; i < 3; i++) await round(); // 4 rounds at 10 before probing 11
    expect(limiter.limit).toBe(10);
    await round();
    expect(limiter.limit).toBe(11);
    (await limiter.acquire()).release("overload"); // the probe failed again: 8 rounds before the next one
    await round();
    expect(limiter.limit).toBe(10);
    for (let i = 0; i < 7; i++) await round();
    expect(limiter.limit).toBe(10);
    await round();
    expect(limiter.limit).toBe(11);
    await round(); // the probe held for a round: 11 is good, plain additive increase resumes
    await round();
    expect(limiter.limit).toBe(12);
  });

  it("neutral outcomes (timeouts, aborts) neither grow nor shrink it", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 8, initial: 3 });
    for (let i = 0; i < 10; i++) (await limiter.acquire()).release("neutral");
    expect(limiter.limit).toBe(3);
  });

  it("serves interactive waiters before background ones, FIFO within each, and drops aborted waiters", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 1, initial: 1 });
    const first = await limiter.acquire();
    const order: string[] = [];
    const wait = (name: string, priority: "interactive" | "background", signal?: AbortSignal) =>
      limiter.acquire(signal, priority).then((p) => {
        order.push(name);
        p.release("neutral");
      });
    const controller = new AbortController();
    const b1 = wait("b1", "background");
    const gone = wait("gone", "interactive", controller.signal).catch(() => order.push("aborted"));
    const i1 = wait("i1", "interactive");
    const b2 = wait("b2", "background");
    const i2 = wait("i2", "interactive");
    controller.abort(new Error("stop"));
    await gone;
    first.release("neutral");
    await Promise.all([b1, i1, b2, i2]);
    expect(order).toEqual(["aborted", "i1", "i2", "b1", "b2"]);
    expect([limiter.active, limiter.pending]).toEqual([0, 0]);
  });

  it("never holds more permits than its width, whatever the outcomes (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.constantFrom("success", "overload", "neutral" as const), {
          minLength: 1,
          maxLength: 120,
        }),
        async (ceiling, outcomes) => {
          const limiter = new AdaptiveLimiter({ ceiling });
          const held: Permit[] = [];
          let peakOver = 0;
          const pending = outcomes.map(() =>
            limiter.acquire().then((p) => {
              held.push(p);
              peakOver = Math.max(peakOver, limiter.active - limiter.ceiling);
            }),
          );
          for (const outcome of outcomes) {
            await tick();
            const permit = held.shift();
            permit?.release(outcome as "success" | "overload" | "neutral");
            expect(limiter.limit).toBeGreaterThanOrEqual(1);
            expect(limiter.limit).toBeLessThanOrEqual(ceiling);
          }
          for (;;) {
            await tick();
            const permit = held.shift();
            if (!permit) break;
            permit.release("success");
          }
          await Promise.all(pending);
          expect(peakOver).toBe(0);
          expect(limiter.active).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("on a virtual clock against an allowance of 10, reaches ≥ 90 % of the ideal rate with few refusals", async () => {
    const latency = 1_400;
    const requests = 2_000;
    const { durationMs, refused } = await simulate({
      ceiling: 16,
      allowance: 10,
      latency,
      requests,
      pauseMs: 500,
    });
    const idealMs = (requests / 10) * latency;
    expect(idealMs / durationMs).toBeGreaterThanOrEqual(0.9);
    expect(refused / requests).toBeLessThan(0.02);
  });
});
