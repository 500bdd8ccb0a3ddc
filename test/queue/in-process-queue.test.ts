import { describe, expect, it } from "vitest";
import { InProcessJobQueue } from "../../src/core/ports/in-process-job-queue.ts";
import { type JobContext, JobProcessors, RetryLaterError } from "../../src/core/ports/job-queue.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";

/** A processor whose jobs finish only when the test says so. */
function gated() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const processors = new JobProcessors().register("work", {
    run: (data) =>
      new Promise<void>((resolve) => {
        const name = (data as { name: string }).name;
        started.push(name);
        gates.set(name, resolve);
      }),
  });
  const finish = async (name: string) => {
    gates.get(name)?.();
    await new Promise((r) => setImmediate(r));
  };
  return { processors, started, finish };
}

describe("InProcessJobQueue", () => {
  it("runs each account's second job after everyone else's first (fairness), FIFO otherwise", async () => {
    const { processors, started, finish } = gated();
    const queue = new InProcessJobQueue(silentLogger(), 1, processors);
    await queue.enqueue({ id: "busy", kind: "work", data: { name: "busy" } });
    for (let i = 1; i <= 3; i++)
      await queue.enqueue({ id: `a${i}`, kind: "work", data: { name: `a${i}` }, accountKey: "A" });
    await queue.enqueue({ id: "b1", kind: "work", data: { name: "b1" }, accountKey: "B" });
    await queue.enqueue({ id: "c1", kind: "work", data: { name: "c1" }, accountKey: "C" });
    for (const name of ["busy", "a1", "b1", "c1", "a2", "a3"]) await finish(name);
    expect(started).toEqual(["busy", "a1", "b1", "c1", "a2", "a3"]);
    await queue.drain(1_000);
  });

  it("keeps slots for small jobs: large ones take at most half", async () => {
    const { processors, started, finish } = gated();
    const queue = new InProcessJobQueue(silentLogger(), 4, processors);
    for (let i = 1; i <= 4; i++) {
      await queue.enqueue({
        id: `L${i}`,
        kind: "work",
        data: { name: `L${i}` },
        lane: "large",
        accountKey: `u${i}`,
      });
    }
    await queue.enqueue({ id: "s1", kind: "work", data: { name: "s1" }, accountKey: "s" });
    expect(started).toEqual(["L1", "L2", "s1"]);
    for (const name of ["L1", "L2", "s1", "L3", "L4"]) await finish(name);
    expect(started).toEqual(["L1", "L2", "s1", "L3", "L4"]);
  });

  it("drops a job whose id is queued or running, runs it again once finished", async () => {
    const { processors, started, finish } = gated();
    const queue = new InProcessJobQueue(silentLogger(), 2, processors);
    await queue.enqueue({ id: "x", kind: "work", data: { name: "x" } });
    await queue.enqueue({ id: "x", kind: "work", data: { name: "x-dup" } });
    expect(started).toEqual(["x"]);
    await finish("x");
    await queue.enqueue({ id: "x", kind: "work", data: { name: "x-again" } });
    expect(started).toEqual(["x", "x-again"]);
    await finish("x-again");
  });

  it("runs once (final attempt) and hands an unexpected throw to `failed`, whose once() holds per step", async () => {
    const seen: { ctx?: JobContext; failed: string[]; onces: boolean[] } = { failed: [], onces: [] };
    const processors = new JobProcessors().register("boom", {
      async run(_data, ctx) {
        seen.ctx = ctx;
        seen.onces.push(await ctx.once("outcome"));
        throw new RetryLaterError("PNCP_UNAVAILABLE");
      },
      async failed(data, failure) {
        seen.failed.push(`${(data as { n: number }).n}:${failure.reason}`);
        seen.onces.push(await failure.once("outcome"), await failure.once("refund"));
      },
    });
    const queue = new InProcessJobQueue(silentLogger(), 1, processors);
    await queue.enqueue({ id: "j", kind: "boom", data: { n: 7 }, local: "sink" });
    await queue.drain(1_000);
    expect(seen.ctx).toMatchObject({ jobId: "j", attempt: 1, finalAttempt: true, stalls: 0, local: "sink" });
    expect(seen.failed).toEqual(["7:RetryLaterError: PNCP_UNAVAILABLE"]);
    expect(seen.onces).toEqual([true, false, true]);
    expect(queue.status()).toMatchObject({ backend: "in-process", state: "ok", redis: null, localJobs: 0 });
  });
});
