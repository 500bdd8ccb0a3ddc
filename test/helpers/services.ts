import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";

/** Admin connection to the local Postgres (CI has the same service). */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** The local Redis. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** True when Postgres answers `select 1` within 2 s. */
export async function postgresAvailable(url = POSTGRES_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** True when Redis answers PING within 2 s. */
export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Whether we run in CI: any truthy `CI` (`true`, `1`, `yes`, `TRUE`, a build id…), as CI providers set it;
 * only unset, empty, `0`, `false` and `no` mean a developer's machine.
 */
export function isCi(env: { CI?: string | undefined } = process.env): boolean {
  const value = env.CI;
  if (value === undefined) return false;
  return !["", "0", "false", "no", "off"].includes(value.trim().toLowerCase());
}

/**
 * Decides whether a suite needing `service` runs: in CI (`isCi()`) a missing service throws, failing the
 * test file; elsewhere the suite is skipped with a loud warning. Use with `describe.skipIf(!ok)`.
 */
export function requireService(service: string, available: boolean, ci = isCi()): boolean {
  if (available) return true;
  if (ci) {
    throw new Error(`${service} is required in CI but is not reachable`);
  }
  console.warn(
    `\n${"!".repeat(72)}\n!! ${service} NOT REACHABLE: its tests are SKIPPED (they would FAIL in CI).\n${"!".repeat(72)}\n`,
  );
  return false;
}

/** `requireService` for the local Postgres. */
export async function needPostgres(): Promise<boolean> {
  return requireService(`Postgres (${new URL(POSTGRES_URL).host})`, await postgresAvailable());
}

/** `requireService` for the local Redis. */
export async function needRedis(): Promise<boolean> {
  return requireService(`Redis (${new URL(REDIS_URL).host})`, await redisAvailable());
}

/** A database created for one test file. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `smart_pncp_test_<random>` so parallel test files never share tables. Its session time zone is
 * UTC+14 on purpose: the SQL must use São Paulo time explicitly, never the session's.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `smart_pncp_test_${randomBytes(6).toString("hex")}`;
  await admin(async (client) => {
    await client.query(`create database ${name}`);
    await client.query(`alter database ${name} set timezone to 'Pacific/Kiritimati'`);
  });
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`drop database if exists ${name} with (force)`).then(() => undefined)),
  };
}

/** A pg Pool for tests whose clients never crash the run when their database is dropped WITH (FORCE). */
export function testPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}
