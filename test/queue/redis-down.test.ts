/**
 * `serve` configured for BullMQ while Redis is stopped (REDIS_URL points at a closed port): searches are
 * still acknowledged, run in the server's own process (the embedded fallback) and answered on the
 * conversation's sink; the queue's status says `degraded` and the log says why — nothing is lost.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/main.ts";
import { needPostgres } from "../helpers/services.ts";
import { closedPort } from "./queue-harness.ts";
import { openQueueWorld, type QueueWorld, telegramCommand } from "./queue-world.ts";

const ok = await needPostgres();

describe.skipIf(!ok)("Redis stopped", () => {
  let world: QueueWorld;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    world = await openQueueWorld(
      { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
      createLogger("info", sink),
    );
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  }, 30_000);

  it("keeps serving from the embedded queue, and status and logs say the queue is degraded", async () => {
    const account = await world.paidUser("offline");
    const status = world.app.core.deps.queue.status();
    expect(status).toMatchObject({ backend: "bullmq", state: "degraded", redis: "down" });
    const cmd = telegramCommand("offline", "chat-offline", "5501", "/buscar SP 7d");
    const replies = await world.send(cmd);
    await world.app.idle();
    expect(replies.map((r) => r.kind)).toEqual(["searching", "results", "file"]);
    expect(world.app.core.deps.queue.status()).toMatchObject({ state: "degraded", fallbackJobs: 1 });
    expect(await world.used(account)).toBe(1);
    const messages = lines.map((l) => String(l.msg));
    expect(messages.some((m) => m.startsWith("job_queue_fallback"))).toBe(true);
    expect(messages).toContain("job_ran_in_fallback");
    // The Redis URL is logged as host:port only.
    expect(JSON.stringify(lines)).not.toContain("redis://");
  }, 30_000);
});
