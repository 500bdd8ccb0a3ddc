/**
 * A worker process killed (SIGKILL) in the middle of a search: its lock expires, the other worker's
 * stalled check puts the job back, and the search runs again there — delivered once, charged once (the
 * charge was taken at acknowledgement, in the server, and a rerun never charges).
 */
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobIdFor } from "../../src/core/ports/job-queue.ts";
import { needPostgres, needRedis } from "../helpers/services.ts";
import { until } from "./queue-harness.ts";
import { openQueueWorld, type QueueWorld, telegramCommand, WORKER_ENV } from "./queue-world.ts";
import { startWorkerChildren, type WorkerChild } from "./worker-children.ts";

const ok = (await needRedis()) && (await needPostgres());

describe.skipIf(!ok)("a worker killed mid-job", () => {
  let world: QueueWorld;
  let workers: WorkerChild[] = [];
  let queue: Queue;

  beforeAll(async () => {
    // A short lock: a dead worker's job is back in the queue within about a second.
    world = await openQueueWorld({ JOB_LOCK_MS: "500" });
    workers = await startWorkerChildren(2, { ...world.env, ...WORKER_ENV });
    queue = new Queue("search", {
      connection: { url: world.settings.redisUrl },
      prefix: world.settings.prefix,
    });
  }, 60_000);

  afterAll(async () => {
    await queue?.close();
    await Promise.all(workers.map((w) => w.crash()));
    await world?.close();
  }, 30_000);

  it("is retried by the other worker: results delivered once, the search charged once", async () => {
    const account = await world.paidUser("crash-user");
    // RJ pages hang for 8 s: the job is surely running when its worker dies.
    world.pncp.setFaults([{ fault: "slow", delayMs: 8_000, match: { params: { uf: "RJ" } } }]);
    const cmd = telegramCommand("crash-user", "chat-crash", "90001", "/buscar RJ 3d");
    const ack = await world.send(cmd);
    expect(ack.map((r) => r.kind)).toEqual(["searching"]);
    expect(await world.used(account)).toBe(1);

    const id = jobIdFor("telegram", "90001");
    let holder: WorkerChild | undefined;
    await until(
      async () => {
        const job = await queue.getJob(id);
        const rj = world.pncp.requests.some((r) => r.params.uf === "RJ");
        holder = workers.find((w) => job?.processedBy?.endsWith(`:${w.pid}`));
        return rj && holder !== undefined && (await job?.getState()) === "active";
      },
      10_000,
      "the job running on a worker",
    );
    await holder!.crash();
    world.pncp.setFaults([]);
    const survivor = workers.find((w) => w !== holder)!;

    await until(
      () => survivor.notified.some((n) => n.chatId === "chat-crash"),
      12_000,
      "the rerun's results",
    );
    await new Promise((r) => setTimeout(r, 300));
    const forChat = workers.flatMap((w) => w.notified).filter((n) => n.chatId === "chat-crash");
    expect(forChat.filter((n) => n.kinds.includes("results"))).toHaveLength(1);
    expect(forChat.flatMap((n) => n.kinds)).not.toContain("error");
    const job = await queue.getJob(id);
    expect(job?.stalledCounter).toBe(1);
    expect(job?.processedBy).toMatch(new RegExp(`:${survivor.pid}$`));
    expect(await job?.getState()).toBe("completed");
    expect(await world.used(account)).toBe(1);
  }, 40_000);
});
