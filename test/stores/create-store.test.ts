import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../../src/core/ports/memory-rate-limiter.ts";
import { createRateLimiter } from "../../src/stores/create-rate-limiter.ts";
import { createStore } from "../../src/stores/create-store.ts";
import { openEmbeddedPgStore } from "../../src/stores/embedded-pg-store.ts";
import { findPostgresBinaries } from "../../src/stores/embedded-postgres-binaries.ts";
import { EmbeddedStoreError } from "../../src/stores/embedded-store-error.ts";
import { PgStore } from "../../src/stores/pg-store.ts";
import { PgliteStore } from "../../src/stores/pglite-store.ts";
import { RedisRateLimiter } from "../../src/stores/redis-rate-limiter.ts";
import { StoreRateLimiter } from "../../src/stores/store-rate-limiter.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";
import {
  createTestDatabase,
  needPostgres,
  needRedis,
  REDIS_URL,
  requireService,
} from "../helpers/services.ts";

const logger = pino({ level: "silent" });
const postgres = await needPostgres();
const redis = await needRedis();

describe("createStore", () => {
  it("keeps DATA_DIR=memory:// in an in-memory PGlite (tests)", async () => {
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

describe("createStore on a DATA_DIR folder", () => {
  it("opens the embedded Postgres shared by processes, as a PgStore", async () => {
    const found = await findPostgresBinaries();
    if (!requireService("embedded-postgres binaries", found.ok)) return;
    const dir = await mkdtemp(join(tmpdir(), "smart-pncp-create-"));
    try {
      const store = await createStore({ dataDir: dir }, logger);
      expect(store).toBeInstanceOf(PgStore);
      expect((await store.listPlans()).length).toBe(4);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("createStore without embedded-postgres binaries for the platform", () => {
  it("falls back to PGlite in DATA_DIR/pglite and logs why", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smart-pncp-fallback-"));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    try {
      const store = await createStore({ dataDir: dir }, pino({ level: "warn" }, sink), {
        findBinaries: async () => ({ ok: false, reason: "no embedded-postgres package for sunos-sparc" }),
      });
      try {
        expect(store).toBeInstanceOf(PgliteStore);
        expect((await store.listPlans()).length).toBe(4);
      } finally {
        await store.close();
      }
      const events = lines.map((l) => JSON.parse(l));
      expect(events.find((e) => e.msg === "embedded_postgres_unavailable")?.reason).toMatch(/sunos-sparc/);
      expect(events.map((e) => e.msg)).toContain("store_pglite_single_process");
      expect(await readdir(dir)).toEqual(["pglite"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(process.getuid?.() !== 0)(
  "createStore as root under a folder the postgres user cannot enter",
  () => {
    it("says which folder blocks it and keeps working on PGlite", async () => {
      const found = await findPostgresBinaries();
      if (!requireService("embedded-postgres binaries", found.ok) || !found.ok) return;
      const parent = await mkdtemp(join(tmpdir(), "smart-pncp-private-")); // 0700, owned by root
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      try {
        const direct = await openEmbeddedPgStore({
          dataDir: join(parent, "data"),
          binaries: found.binaries,
        }).catch((e) => e);
        expect(direct).toBeInstanceOf(EmbeddedStoreError);
        expect(direct.details.reason).toBe("data_dir_not_traversable");
        expect(direct.message).toContain(`chmod o+x ${parent}`);
        const store = await createStore({ dataDir: join(parent, "data") }, pino({ level: "warn" }, sink));
        try {
          expect(store).toBeInstanceOf(PgliteStore);
        } finally {
          await store.close();
        }
        expect(lines.map((l) => JSON.parse(l).msg)).toContain("embedded_postgres_unavailable");
      } finally {
        await rm(parent, { recursive: true, force: true });
      }
    }, 120_000);
  },
);

describe("createRateLimiter", () => {
  it("without Redis uses the store's SQL window, or memory when there is no store", async () => {
    expect(await createRateLimiter({}, logger)).toBeInstanceOf(MemoryRateLimiter);
    const store = await createStore({ dataDir: "memory://" }, logger);
    try {
      const limiter = await createRateLimiter({ store }, logger);
      expect(limiter).toBeInstanceOf(StoreRateLimiter);
      const key = `create-${Date.now()}`;
      expect((await limiter.hit(key, 1, new Date())).allowed).toBe(true);
      expect((await limiter.hit(key, 1, new Date())).allowed).toBe(false);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!redis)("uses Redis when REDIS_URL is set", async () => {
    const limiter = await createRateLimiter({ redisUrl: REDIS_URL }, logger);
    try {
      expect(limiter).toBeInstanceOf(RedisRateLimiter);
      expect(await (limiter as RedisRateLimiter).ready(5_000)).toBe(true);
      const result = await limiter.hit(`create-test-${Date.now()}`, 1, new Date());
      expect(result.failedOpen).toBeUndefined();
      expect(result.allowed).toBe(true);
    } finally {
      await limiter.close?.();
    }
  });
});
