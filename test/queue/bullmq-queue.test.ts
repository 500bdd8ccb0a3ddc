import { afterEach, describe, expect, it } from "vitest";
import { InProcessJobQueue } from "../../src/core/ports/in-process-job-queue.ts";
import { JobProcessors, RetryLaterError } from "../../src/core/ports/job-queue.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { BullMqJobQueue } from "../../src/queue/bullmq-job-queue.ts";
import { startWorkers, type WorkerPool } from "../../src/queue/bullmq-workers.ts";
import { needRedis } from "../helpers/services.ts";
import { closedPort, redisProxy, testQueueSettings, until } from "./queue-harness.ts";

const ok = await needRedis();
const logger = silentLogger();

describe.skipIf(!ok)("BullMQ job queue (local Redis)", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function producer(settings: ReturnType<typeof testQueueSettings>, processors: JobProcessors) {
    const fallback = new InProcessJobQueue(logger, 2, processors);
    const queue = await BullMqJobQueue.open({ settings, processors, fallback, logger });
    closers.push(() => queue.close());
    return { queue, fallback };
  }
  async function workers(
    settings: ReturnType<typeof testQueueSettings>,
    processors: JobProcessors,
  ): Promise<WorkerPool> {
    const pool = await startWorkers(settings, processors, logger);
    closers.push(() => pool.close(1_000));
    return pool;
  }

  it("collapses a delivery enqueued twice by two web instances into one run", async () => {
    const settings = testQueueSettings();
    closers.push(() => settings.cleanup());
    const runs: string[] = [];
    const processors = new JobProcessors().register("work", {
      run: async (data, ctx) => void runs.push(`${(data as { n: number }).n}@${ctx.jobId}`),
    });
    await workers(settings, processors);
    const a = await producer(settings, processors);
    const b = await producer(settings, processors);
    await Promise.all([
      a.queue.enqueue({ id: "d_telegram-77", kind: "work", data: { n: 1 }, accountKey: "acc" }),
      b.queue.enqueue({ id: "d_telegram-77", kind: "work", data: { n: 2 }, accountKey: "acc" }),
      b.queue.enqueue({ id: "d_telegram-78", kind: "work", data: { n: 3 }, accountKey: "acc" }),
    ]);
    await until(() => runs.length >= 2, 5_000, "two runs");
    await new Promise((r) => setTimeout(r, 200));
    expect(runs.filter((r) => r.endsWith("d_telegram-77"))).toHaveLength(1);
    expect(runs.filter((r) => r.endsWith("d_telegram-78"))).toEqual(["3@d_telegram-78"]);
    expect(a.queue.status()).toMatchObject({ backend: "bullmq", state: "ok", redis: "up", fallbackJobs: 0 });
  });

  it("retries only a transient failure (RetryLaterError, with backoff); any other throw is final and goes to `failed` once", async () => {
    const settings = testQueueSettings();
    closers.push(() => settings.cleanup());
    const attempts: { id: string; attempt: number; final: boolean; at: number }[] = [];
    const failed: string[] = [];
    const processors = new JobProcessors()
      .register("flaky", {
        retry: { attempts: 3, backoffMs: 50 },
        async run(_data, ctx) {
          attempts.push({ id: ctx.jobId, attempt: ctx.attempt, final: ctx.finalAttempt, at: Date.now() });
          if (ctx.attempt < 2) throw new RetryLaterError("PNCP_UNAVAILABLE");
        },
        failed: async (_d, f) => void failed.push(f.jobId),
      })
      .register("broken", {
        retry: { attempts: 3, backoffMs: 50 },
        async run(_data, ctx) {
          attempts.push({ id: ctx.jobId, attempt: ctx.attempt, final: ctx.finalAttempt, at: Date.now() });
          throw new Error("bug");
        },
        async failed(_d, f) {
          if (await f.once("outcome")) failed.push(f.jobId);
        },
      });
    await workers(settings, processors);
    const { queue } = await producer(settings, processors);
    await queue.enqueue({ id: "j-flaky", kind: "flaky", data: {} });
    await queue.enqueue({ id: "j-broken", kind: "broken", data: {} });
    await until(
      () => attempts.filter((a) => a.id === "j-flaky").length >= 2 && failed.length >= 1,
      5_000,
      "runs",
    );
    await new Promise((r) => setTimeout(r, 300));
    const flaky = attempts.filter((a) => a.id === "j-flaky");
    expect(flaky.map((a) => [a.attempt, a.final])).toEqual([
      [1, false],
      [2, false],
    ]);
    expect(flaky[1]!.at - flaky[0]!.at).toBeGreaterThanOrEqual(45);
    expect(attempts.filter((a) => a.id === "j-broken").map((a) => a.attempt)).toEqual([1]);
    expect(failed).toEqual(["j-broken"]);
  });

  it("no worker consuming (REDIS_URL set only for the rate limit): the job runs here, not waiting for nobody", async () => {
    const settings = testQueueSettings();
    closers.push(() => settings.cleanup());
    const runs: unknown[] = [];
    const processors = new JobProcessors().register("work", {
      run: async (_d, ctx) => void runs.push(ctx.local),
    });
    const { queue } = await producer(settings, processors);
    await queue.enqueue({ id: "lonely", kind: "work", data: {}, local: "sink" });
    await queue.drain(2_000);
    expect(runs).toEqual(["sink"]);
    expect(queue.status()).toMatchObject({ state: "degraded", redis: "up", workers: 0, fallbackJobs: 1 });
  });

  it("Redis stopped: the job runs in this process (embedded fallback) and status says degraded", async () => {
    const settings = testQueueSettings({ redisUrl: `redis://127.0.0.1:${await closedPort()}` });
    const runs: unknown[] = [];
    const processors = new JobProcessors().register("work", {
      run: async (data, ctx) => void runs.push({ data, local: ctx.local }),
    });
    const { queue } = await producer(settings, processors);
    await queue.enqueue({ id: "j1", kind: "work", data: { n: 1 }, local: "my-sink" });
    await queue.drain(2_000);
    expect(runs).toEqual([{ data: { n: 1 }, local: "my-sink" }]);
    expect(queue.status()).toMatchObject({
      backend: "bullmq",
      state: "degraded",
      redis: "down",
      fallbackJobs: 1,
    });
    expect(queue.status().lastError).toBeTruthy();
    expect(queue.status().lastError).not.toContain("redis://");
  });

  it("Redis going away while serving: new jobs run here (degraded), and go back to Redis once it answers", async () => {
    const proxy = await redisProxy();
    closers.push(() => proxy.close());
    const settings = testQueueSettings({ redisUrl: proxy.url });
    closers.push(() => settings.cleanup());
    const runs: string[] = [];
    const processors = new JobProcessors().register("work", {
      run: async (_data, ctx) =>
        void runs.push(`${ctx.local === undefined ? "worker" : "here"}:${ctx.jobId}`),
    });
    const fallback = new InProcessJobQueue(logger, 2, processors);
    const queue = await BullMqJobQueue.open({ settings, processors, fallback, logger, probeMs: 50 });
    closers.push(() => queue.close());
    await workers({ ...settings, redisUrl: testQueueSettings().redisUrl }, processors);
    await queue.enqueue({ id: "before", kind: "work", data: {}, local: "sink" });
    await until(() => runs.includes("worker:before"), 5_000, "the worker run");
    await proxy.cut();
    await queue.enqueue({ id: "during", kind: "work", data: {}, local: "sink" });
    await queue.drain(2_000);
    expect(runs).toContain("here:during");
    expect(queue.status()).toMatchObject({ state: "degraded", redis: "down", fallbackJobs: 1 });
    await proxy.restore();
    await until(() => queue.status().state === "ok", 5_000, "Redis back");
    await queue.enqueue({ id: "after", kind: "work", data: {}, local: "sink" });
    await until(() => runs.includes("worker:after"), 5_000, "the worker run after");
    expect(runs.filter((r) => r.endsWith(":during"))).toEqual(["here:during"]);
  });

  it("graceful shutdown hands a job that outlives the grace period back to the queue; another worker runs it", async () => {
    const settings = testQueueSettings();
    closers.push(() => settings.cleanup());
    const runs: { worker: string; attempt: number; aborted?: boolean }[] = [];
    const make = (worker: string) =>
      new JobProcessors().register("long", {
        retry: { attempts: 3, backoffMs: 20 },
        async run(_data, ctx) {
          const run: { worker: string; attempt: number; aborted?: boolean } = {
            worker,
            attempt: ctx.attempt,
          };
          runs.push(run);
          if (worker === "first") {
            await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
            run.aborted = true;
            throw new RetryLaterError("aborted");
          }
        },
      });
    const { queue } = await producer(settings, make("first"));
    const first = await startWorkers(settings, make("first"), logger);
    await queue.enqueue({ id: "j-long", kind: "long", data: {} });
    await until(() => runs.length === 1, 5_000, "first run");
    await first.close(100);
    expect(runs[0]).toEqual({ worker: "first", attempt: 1, aborted: true });
    await workers(settings, make("second"));
    await until(() => runs.length === 2, 5_000, "second run");
    expect(runs[1]).toEqual({ worker: "second", attempt: 2 });
  });
});
