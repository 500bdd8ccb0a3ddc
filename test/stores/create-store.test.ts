import pino from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../../src/core/ports/memory-rate-limiter.ts";
import { createRateLimiter } from "../../src/stores/create-rate-limiter.ts";
import { createStore } from "../../src/stores/create-store.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { PgliteStore } from "../../src/stores/pglite-store.ts";
import { RedisRateLimiter } from "../../src/stores/redis-rate-limiter.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";
import { createTestDatabase, needPostgres, needRedis, REDIS_URL } from "../helpers/services.ts";

const logger = pino({ level: "silent" });
const postgres = await needPostgres();
const redis = await needRedis();

describe("createStore", () => {
  it("defaults to the embedded PGlite store", async () => {
    const store = await createStore({ dataDir: "memory://" }, logger);
    try {
      expect(store).toBeInstanceOf(PgliteStore);
      expect((await store.listPlans()).length).toBe(4);
    } finally {
      await store.close();
    }
  });

  it("prefers Supabase over Postgres and needs its service key", async () => {
    const both = { dataDir: "memory://", databaseUrl: "postgres://nowhere.invalid/x" };
    const store = await createStore(
      { ...both, supabaseUrl: "http://127.0.0.1:9", supabaseServiceRoleKey: "k" },
      logger,
    );
    expect(store).toBeInstanceOf(SupabaseStore);
    await expect(createStore({ ...both, supabaseUrl: "http://127.0.0.1:9" }, logger)).rejects.toThrow(
      /SUPABASE_SERVICE_ROLE_KEY/,
    );
  });

  it.skipIf(!postgres)("uses Postgres when DATABASE_URL is set", async () => {
    const database = await createTestDatabase();
    try {
      const store = await createStore({ dataDir: "memory://", databaseUrl: database.url }, logger);
      expect(store).toBeInstanceOf(PgStore);
      expect((await store.listPlans()).length).toBe(4);
      await store.close();
    } finally {
      await database.drop();
    }
  });
});

describe("createRateLimiter", () => {
  it("defaults to the in-memory limiter", async () => {
    expect(createRateLimiter({}, logger)).toBeInstanceOf(MemoryRateLimiter);
  });

  it.skipIf(!redis)("uses Redis when REDIS_URL is set", async () => {
    const limiter = createRateLimiter({ redisUrl: REDIS_URL }, logger);
    try {
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      expect((await limiter.hit(`create-test-${Date.now()}`, 1, new Date())).failedOpen).toBeUndefined();
    } finally {
      await limiter.close?.();
    }
  });
});
