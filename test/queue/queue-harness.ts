import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import type { QueueSettings } from "../../src/queue/queue-settings.ts";
import { REDIS_URL } from "../helpers/services.ts";

/** Queue settings with a prefix of its own (parallel test files never share keys); `cleanup` deletes them. */
export function testQueueSettings(
  over: Partial<QueueSettings> = {},
): QueueSettings & { cleanup(): Promise<void> } {
  const prefix = `t${randomBytes(5).toString("hex")}`;
  return {
    redisUrl: REDIS_URL,
    prefix,
    concurrency: { small: 4, large: 1 },
    lockMs: 1_000,
    attempts: 3,
    backoffMs: 50,
    ...over,
    async cleanup() {
      await deleteKeys(REDIS_URL, `${over.prefix ?? prefix}:*`);
    },
  };
}

export async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** A loopback port nothing listens on (bound, then closed): "Redis stopped". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves when `predicate` holds (polled every 20 ms), rejects after `timeoutMs`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 8_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP proxy to Redis that the test can cut (Redis "goes away") and restore on the same port. */
export async function redisProxy(target = new URL(REDIS_URL)) {
  const { createConnection, createServer: createTcpServer } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  let server = createTcpServer();
  const handler = (client: import("node:net").Socket) => {
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  };
  server.on("connection", handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await closed;
    },
    async restore() {
      server = createTcpServer(handler);
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    },
    async close() {
      const closed = server.listening ? new Promise((resolve) => server.close(resolve)) : null;
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
