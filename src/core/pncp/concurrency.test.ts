import { describe, expect, it } from "vitest";
import { Semaphore } from "./concurrency.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("Semaphore", () => {
  it("never lets more than the limit run, and runs everything", async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        semaphore.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 5));
          running--;
          done.push(i);
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(semaphore.active).toBe(0);
  });

  it("serves waiters first come, first served", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const order: string[] = [];
    const a = semaphore.acquire().then((r) => {
      order.push("a");
      r();
    });
    const b = semaphore.acquire().then((r) => {
      order.push("b");
      r();
    });
    expect(semaphore.pending).toBe(2);
    release();
    release(); // double release is a no-op
    await Promise.all([a, b]);
    expect(order).toEqual(["a", "b"]);
    expect(semaphore.active).toBe(0);
  });

  it("drops an aborted waiter without leaking its slot", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const aborted = semaphore.acquire(controller.signal);
    const next = semaphore.acquire();
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    expect(semaphore.pending).toBe(1);
    release();
    const r = await next;
    await tick();
    expect(semaphore.active).toBe(1);
    r();
    expect(semaphore.active).toBe(0);
  });

  it("rejects a non-positive limit", () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
