import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.ts";

function setup(threshold = 3, cooldownMs = 1000) {
  let now = 0;
  const opened: number[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: threshold,
    cooldownMs,
    now: () => now,
    onOpen: (failures) => opened.push(failures),
  });
  return { breaker, opened, advance: (ms: number) => (now += ms) };
}

async function fail(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    expect(await breaker.acquire()).toBe(true);
    breaker.record("failure");
  }
}

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures and then fails fast", async () => {
    const { breaker, opened } = setup(3);
    await fail(breaker, 2);
    expect(breaker.state).toBe("closed");
    await fail(breaker, 1);
    expect(breaker.state).toBe("open");
    expect(opened).toEqual([3]);
    expect(breaker.isOpen()).toBe(true);
    expect(await breaker.acquire()).toBe(false);
  });

  it("resets the count on success and ignores neutral outcomes (429s)", async () => {
    const { breaker } = setup(3);
    await fail(breaker, 2);
    await breaker.acquire();
    breaker.record("success");
    await fail(breaker, 2);
    for (let i = 0; i < 5; i++) {
      await breaker.acquire();
      breaker.record("neutral");
    }
    expect(breaker.state).toBe("closed");
  });

  it("after the cooldown lets exactly one probe through while others wait for its outcome", async () => {
    const { breaker, advance } = setup(1, 1000);
    await fail(breaker, 1);
    advance(999);
    expect(await breaker.acquire()).toBe(false);
    advance(1);
    expect(await breaker.acquire()).toBe(true); // the probe
    expect(breaker.state).toBe("half_open");
    let waiterResult: boolean | null = null;
    const waiter = breaker.acquire().then((ok) => {
      waiterResult = ok;
    });
    await Promise.resolve();
    expect(waiterResult).toBeNull();
    breaker.record("success");
    await waiter;
    expect(waiterResult).toBe(true);
    expect(breaker.state).toBe("closed");
  });

  it("re-opens when the probe fails, and waiters fail fast", async () => {
    const { breaker, advance, opened } = setup(2, 500);
    await fail(breaker, 2);
    advance(500);
    expect(await breaker.acquire()).toBe(true);
    const waiter = breaker.acquire();
    breaker.record("failure");
    expect(await waiter).toBe(false);
    expect(breaker.state).toBe("open");
    expect(opened).toEqual([2, 3]);
    advance(499);
    expect(await breaker.acquire()).toBe(false);
  });

  it("sends a new probe when the previous one proved nothing", async () => {
    const { breaker, advance } = setup(1, 100);
    await fail(breaker, 1);
    advance(100);
    expect(await breaker.acquire()).toBe(true);
    const waiter = breaker.acquire();
    breaker.record("neutral");
    expect(await waiter).toBe(true); // the waiter becomes the next probe
    expect(breaker.state).toBe("half_open");
    breaker.record("success");
    expect(breaker.state).toBe("closed");
  });
});
