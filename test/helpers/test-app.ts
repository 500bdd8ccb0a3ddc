import { loadConfig } from "../../src/config.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { PlanId, Platform } from "../../src/core/ports/store.ts";
import { type App, createApp } from "../../src/main.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";

/**
 * The whole server, built by the real composition root from env, with an in-memory PGlite store and the
 * loopback fake PNCP serving the real fixture records. Adapters turn on through their env variables.
 */
export interface TestApp {
  app: App;
  /** Base URL of the listening server (http://127.0.0.1:PORT). */
  baseUrl: string;
  pncp: FakePncp;
  clock: FixedClock;
  store: App["core"]["deps"]["store"];
  /** Puts the identity's account (or the team's account when userId is null) on a plan. */
  setPlan(
    platform: Platform,
    userId: string | null,
    teamId: string | null,
    planId: PlanId,
    days?: number,
  ): Promise<string>;
  /** Waits until adapters handed deliveries to the core, search jobs finished and replies went out. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** "Now" for tests: the day the richest fixtures were recorded (2026-09-21, São Paulo afternoon). */
export const FIXTURE_NOW = new Date("2026-09-21T15:00:00-03:00");

export interface TestAppOptions {
  env?: Record<string, string>;
  now?: Date;
  pncp?: FakePncp;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const now = options.now ?? FIXTURE_NOW;
  const pncp = options.pncp ?? (await startFakePncp({ now }));
  const env: Record<string, string> = {
    LOG_LEVEL: "silent",
    PNCP_BASE_URL: pncp.url,
    PNCP_TIMEOUT_MS: "3000",
    PNCP_MAX_RETRIES: "1",
    PNCP_RETRY_BASE_MS: "20",
    DATA_DIR: "memory://",
    UPGRADE_TOKEN_SECRET: "test-upgrade-secret",
    PUBLIC_BASE_URL: "https://bot.example.test",
    ...options.env,
  };
  const clock = new FixedClock(now);
  const app = await createApp(loadConfig(env), { clock, logger: silentLogger() });
  const baseUrl = await app.start(0);
  const store = app.core.deps.store;
  return {
    app,
    baseUrl,
    pncp,
    clock,
    store,
    async setPlan(platform, userId, teamId, planId, days = 30) {
      let accountId: string;
      if (userId === null) {
        if (!teamId) throw new Error("setPlan needs a userId or a teamId");
        accountId = await store.resolveTeam(platform, teamId);
      } else {
        accountId = await store.resolveIdentity({ platform, userId, teamId, displayName: null });
      }
      await store.setPlan(accountId, planId, new Date(clock.now().getTime() + days * 86_400_000));
      return accountId;
    },
    drain: () => app.idle(),
    async close() {
      await app.stop();
      if (!options.pncp) await pncp.close();
    },
  };
}
