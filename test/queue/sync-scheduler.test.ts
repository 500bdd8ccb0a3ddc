/**
 * The sync as a BullMQ job scheduler: two worker pools register it, one scheduler exists, rounds run and
 * fill the index exactly; a round whose `sync` lease is held elsewhere (a round still running on another
 * worker, or `serve`'s own syncer) skips without a request.
 */

import { Queue } from "bullmq";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { type JobContext, JobProcessors } from "../../src/core/ports/job-queue.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { syncModalidades } from "../../src/core/sync/sync-plan.ts";
import { SYNC_LEASE } from "../../src/core/sync/sync-worker.ts";
import { startWorkers, type WorkerPool } from "../../src/queue/bullmq-workers.ts";
import { SYNC_JOB, syncJobProcessor } from "../../src/queue/sync-job.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { MemoryBidIndex } from "../fakes/memory-bid-index.ts";
import { needRedis } from "../helpers/services.ts";
import { expectIndexEqualsLoopback, memorySnapshot, syncDataSet } from "../sync/sync-data.ts";
import { testQueueSettings, until } from "./queue-harness.ts";

const ok = await needRedis();
const NOW = "2026-09-21T20:25:00Z";
const TODAY = "2026-09-21";
const DAYS = 3;
const MODALIDADES = syncModalidades([]);
const PAGE_SIZE = 10;

function context(): JobContext {
  const steps = new Set<string>();
  return {
    jobId: "sync-1",
    attempt: 1,
    finalAttempt: true,
    stalls: 0,
    signal: new AbortController().signal,
    once: async (step) => !steps.has(step) && Boolean(steps.add(step)),
  };
}

describe.skipIf(!ok)("sync as a BullMQ job scheduler", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setup() {
    const data = syncDataSet(TODAY, DAYS, MODALIDADES);
    const pncp: FakePncp = await startFakePncp({ records: data.records, now: NOW, latencyMs: 1 });
    closers.push(() => pncp.close());
    const index = new MemoryBidIndex();
    const clock = new FixedClock(new Date(NOW));
    const logger = pino({ level: "silent" });
    const settings = (holder: string) => ({
      modalidades: MODALIDADES,
      backfillDays: DAYS,
      parallelPages: 4,
      intervalMs: 150,
      holder,
    });
    const client = () =>
      new HttpPncpClient({
        baseUrl: pncp.url,
        pageSize: PAGE_SIZE,
        concurrency: 4,
        timeoutMs: 2_000,
        logger,
        clock,
      });
    const processor = (holder: string) =>
      syncJobProcessor({ pncp: client(), index, clock, logger }, settings(holder), logger);
    return { data, pncp, index, clock, processor };
  }

  it("two workers register it, one scheduler ticks, rounds fill the index exactly", async () => {
    const { data, pncp, index, processor } = await setup();
    const queueSettings = testQueueSettings();
    closers.push(() => queueSettings.cleanup());
    const pools: WorkerPool[] = [];
    for (const holder of ["w1", "w2"]) {
      const pool = await startWorkers(
        queueSettings,
        new JobProcessors().register(SYNC_JOB, processor(holder)),
        silentLogger(),
      );
      closers.push(() => pool.close(2_000));
      pools.push(pool);
    }
    await until(() => index.rounds.length >= 2, 10_000, "two rounds");
    const queue = new Queue(SYNC_JOB, {
      connection: { url: queueSettings.redisUrl },
      prefix: queueSettings.prefix,
    });
    closers.push(() => queue.close());
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.every])).toEqual([[SYNC_JOB, 150]]);
    // Every recorded round finished its plan (a second round at once would have been refused the lease).
    for (const round of index.rounds) {
      expect(round.stats).toMatchObject({ failedPages: 0, stopped: 0, windowsRemaining: 0 });
      expect(round.stats.windowsComplete).toBe(round.stats.windows);
    }
    for (const pool of pools) await pool.close(5_000);
    // A scheduler round may have been stopped mid-way by the close; one more round leaves it exact.
    await processor("w3").run(null, context());
    expectIndexEqualsLoopback(memorySnapshot(index), pncp.records, {
      days: data.days,
      modalidades: MODALIDADES,
      pageSize: PAGE_SIZE,
    });
  });

  it("skips a round (no request) while another holder has the sync lease", async () => {
    const { pncp, index, clock, processor } = await setup();
    expect(await index.acquireLease(SYNC_LEASE, "serve-elsewhere", 60_000, clock.now())).toBe(true);
    await processor("w1").run(null, context());
    expect(pncp.requests).toHaveLength(0);
    expect(index.rounds).toHaveLength(0);
  });
});
