import { describe, expect, it } from "vitest";
import { type ConfigError, loadConfig } from "../../src/config.ts";

describe("sync configuration", () => {
  it("defaults: on, every 15 min, 30 days on the embedded store and 365 on Postgres or Supabase", () => {
    expect(loadConfig({}).sync).toEqual({
      enabled: true,
      intervalMs: 15 * 60_000,
      backfillDays: 30,
      extraModalidades: [],
      stallAfterMs: 10 * 60_000,
    });
    expect(loadConfig({ DATABASE_URL: "postgres://db/x" }).sync.backfillDays).toBe(365);
    expect(loadConfig({ SUPABASE_URL: "https://x.supabase.co" }).sync.backfillDays).toBe(365);
    expect(loadConfig({}).pncp.concurrency).toBe(16);
  });

  it("reads overrides; empty values count as unset; bad values are listed", () => {
    const config = loadConfig({
      SYNC_ENABLED: "false",
      SYNC_INTERVAL_MINUTES: "5",
      SYNC_BACKFILL_DAYS: "90",
      SYNC_MODALIDADES: " 5, 7 ",
      SYNC_STALL_MINUTES: "3",
    });
    expect(config.sync).toEqual({
      enabled: false,
      intervalMs: 5 * 60_000,
      backfillDays: 90,
      extraModalidades: [5, 7],
      stallAfterMs: 3 * 60_000,
    });
    expect(loadConfig({ SYNC_BACKFILL_DAYS: "", DATABASE_URL: "postgres://db/x" }).sync.backfillDays).toBe(
      365,
    );
    try {
      loadConfig({ SYNC_MODALIDADES: "pregão", SYNC_BACKFILL_DAYS: "1" });
      expect.unreachable("should have thrown");
    } catch (error) {
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toContain("SYNC_MODALIDADES");
      expect(problems).toContain("SYNC_BACKFILL_DAYS");
    }
  });
});
