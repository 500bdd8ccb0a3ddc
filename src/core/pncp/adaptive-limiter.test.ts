import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AdaptiveLimiter, type Permit } from "./adaptive-limiter.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Deterministic [0, 1) generator (mulberry32), so the virtual runs are the same on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Discrete-event run on a virtual clock, shaped like `HttpPncpClient` against PNCP's gateway: `requests`
 * pages all wanted at once; the gateway refuses (429, after `refuseMs`) a request arriving while
 * `allowance(now)` are in flight and answers the others after `latency` ± 10 % (seeded). A refused page is
 * tried again after `pauseMs`, and no new attempt starts before then (the client's `Retry-After` pause).
 * Returns the virtual duration, when each page was answered and when each 429 was sent.
 */
async function simulate(options: {
  ceiling: number;
  allowance: number | ((now: number) => number);
  latency: number;
  requests: number;
  pauseMs: number;
  refuseMs?: number;
}) {
  const limiter = new AdaptiveLimiter({ ceiling: options.ceiling });
  const allowance =
    typeof options.allowance === "number" ? () => options.allowance as number : options.allowance;
  const random = seeded(7);
  let now = 0;
  let seq = 0;
  let notBefore = 0;
  let serverInFlight = 0;
  const answeredAt: number[] = [];
  const refusedAt: number[] = [];
  const timers: Array<{ at: number; seq: number; run: () => void }> = [];
  const at = (delay: number, run: () => void) => timers.push({ at: now + delay, seq: seq++, run });
  const attempt = () => {
    if (now < notBefore) {
      at(notBefore - now, attempt);
      return;
    }
    void limiter.acquire().then((permit: Permit) => {
      if (serverInFlight >= allowance(now)) {
        at(options.refuseMs ?? 0, () => {
          refusedAt.push(now);
          notBefore = Math.max(notBefore, now + options.pauseMs);
          permit.release("overload");
          at(options.pauseMs, attempt);
        });
        return;
      }
      serverInFlight++;
      at(options.latency * (0.9 + 0.2 * random()), () => {
        serverInFlight--;
        answeredAt.push(now);
        permit.release("success");
      });
    });
  };
  for (let i = 0; i < options.requests; i++) attempt();
  while (answeredAt.length < options.requests) {
    await tick();
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (!next) continue;
    now = next.at;
    next.run();
  }
  /** Pages answered per ms in [from, to). */
  const rate = (from: number, to: number) =>
    answeredAt.filter((t) => t >= from && t < to).length / (to - from);
  const refusedIn = (from: number, to: number) => refusedAt.filter((t) => t >= from && t < to).length;
  return { durationMs: now, refused: refusedAt.length, rate, refusedIn, limiter };
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
    const fresh = await Promise.all(Array.from({ length: 6 }, () => limiter.acquire()));
    fresh[0]!.release("overload");
    expect(limiter.limit).toBe(3);
    expect(limiter.halvings).toBe(2);
    for (const p of fresh.slice(1)) p.release("success");
  });

  it("halves what is in flight, not the width: a width demand never filled is not the one that failed", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 16 });
    const permits = await Promise.all(Array.from({ length: 6 }, () => limiter.acquire()));
    permits[0]!.release("overload"); // 6 in flight of a width of 16 → 3, and 5 were accepted
    expect(limiter.limit).toBe(3);
    for (const p of permits.slice(1)) p.release("success");
    const round = async () => {
      const held = await Promise.all(Array.from({ length: limiter.limit }, () => limiter.acquire()));
      for (const p of held) p.release("success");
    };
    await round();
    expect(limiter.limit).toBe(5); // slow start stops at what PNCP accepted, not at 15
  });

  it("learns the allowance from one burst: the refused of the requests in flight set the threshold", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 16 });
    const permits = await Promise.all(Array.from({ length: 16 }, () => limiter.acquire()));
    for (const p of permits.slice(0, 6)) p.release("overload"); // the gateway took 10 of 16
    expect(limiter.halvings).toBe(1);
    expect(limiter.limit).toBe(8);
    for (const p of permits.slice(6)) p.release("success");
    const round = async () => {
      const held = await Promise.all(Array.from({ length: limiter.limit }, () => limiter.acquire()));
      for (const p of held) p.release("success");
    };
    await round();
    expect(limiter.limit).toBe(10); // one slow start straight to the allowance
    for (let i = 0; i < 3; i++) await round();
    expect(limiter.limit).toBe(10); // and it stays there for 4 rounds before probing 11
    await round();
    expect(limiter.limit).toBe(11);
  });

  it("a late refusal of the burst lowers a width the next slow start already raised", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 12 });
    const permits = await Promise.all(Array.from({ length: 12 }, () => limiter.acquire()));
    permits[0]!.release("overload"); // 12 in flight → 6, threshold 11
    for (const p of permits.slice(1, 11)) p.release("success");
    const fresh = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    for (const p of fresh) p.release("success");
    expect(limiter.limit).toBe(11);
    permits[11]!.release("overload"); // a second refusal of the 12: PNCP accepted 10
    expect(limiter.limit).toBe(10);
    expect(limiter.halvings).toBe(1);
  });

  it("climbs straight back to just under the width that failed, then probes it only after several rounds", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 11 });
    const first = await Promise.all(Array.from({ length: 11 }, () => limiter.acquire()));
    first[0]!.release("overload"); // 11 in flight failed → 5, threshold 10
    for (const p of first.slice(1)) p.release("success");
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
    const probe = await Promise.all(Array.from({ length: 11 }, () => limiter.acquire()));
    probe[0]!.release("overload"); // the probe failed again: back to 10 (not halved), 8 rounds before the next
    expect([limiter.limit, limiter.halvings, limiter.probeBackoffs]).toEqual([10, 1, 1]);
    for (const p of probe.slice(1)) p.release("success");
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

  it("a probe refused by more than its extra slot is a real overload: it halves", async () => {
    const limiter = new AdaptiveLimiter({ ceiling: 16, initial: 11 });
    const first = await Promise.all(Array.from({ length: 11 }, () => limiter.acquire()));
    first[0]!.release("overload"); // learns 10, probes 11 later
    for (const p of first.slice(1)) p.release("success");
    const round = async () => {
      const held = await Promise.all(Array.from({ length: limiter.limit }, () => limiter.acquire()));
      for (const p of held) p.release("success");
    };
    for (let i = 0; i < 5; i++) await round();
    expect(limiter.limit).toBe(11);
    const probe = await Promise.all(Array.from({ length: 11 }, () => limiter.acquire()));
    probe[0]!.release("overload");
    expect(limiter.limit).toBe(10);
    probe[1]!.release("overload"); // the allowance fell under 10
    probe[2]!.release("overload");
    expect([limiter.limit, limiter.halvings, limiter.probeBackoffs]).toEqual([5, 2, 0]);
    for (const p of probe.slice(3)) p.release("success");
    await round();
    expect(limiter.limit).toBe(8); // slow start up to the 8 PNCP accepted
  });

  it("on a virtual clock, the whole run (warm-up included) gets ≥ 90 % of an allowance of 10 with 429s ≤ 1 %", async () => {
    const latency = 1_400;
    for (const requests of [1_000, 3_000]) {
      const run = await simulate({
        ceiling: 16,
        allowance: 10,
        latency,
        requests,
        pauseMs: 500,
        refuseMs: 50,
      });
      const idealMs = (requests / 10) * latency;
      expect(idealMs / run.durationMs).toBeGreaterThanOrEqual(0.9);
      // The first overshoot (slow start past 10) teaches the allowance; after it, a failed probe now and then.
      expect(run.refusedIn(2 * latency, Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(requests * 0.01);
      expect(run.refused).toBeLessThanOrEqual(requests * 0.01);
      expect(run.limiter.halvings).toBeLessThanOrEqual(2);
      expect(run.limiter.limit).toBeGreaterThanOrEqual(10);
    }
  });

  it("on a virtual clock, follows an allowance that changes mid-run (10 → 4 → 10)", async () => {
    const latency = 1_400;
    const phase = 40 * latency;
    const allowance = (now: number) => (now < phase || now >= 2 * phase ? 10 : 4);
    const run = await simulate({
      ceiling: 16,
      allowance,
      latency,
      requests: 10 * 40 + 4 * 40 + 10 * 80,
      pauseMs: 500,
      refuseMs: 50,
    });
    const perRound = (from: number, to: number) => run.rate(from * latency, to * latency) * latency;
    // 10: learned within the first rounds.
    expect(perRound(5, 40)).toBeGreaterThanOrEqual(9);
    // 4: adapted within 5 rounds, few 429s after that.
    expect(perRound(45, 80)).toBeGreaterThanOrEqual(3.6);
    expect(perRound(45, 80)).toBeLessThanOrEqual(4.05);
    expect(run.refusedIn(45 * latency, 80 * latency)).toBeLessThanOrEqual(5);
    // 10 again: found within the longest probe interval (64 rounds) plus the linear climb.
    const back = 80 + 64 + 8;
    expect(run.durationMs).toBeGreaterThan((back + 10) * latency);
    expect(perRound(back, back + 10)).toBeGreaterThanOrEqual(9);
  });
});
