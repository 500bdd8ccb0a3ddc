import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("runs on embedded defaults with an empty environment", () => {
    const config = loadConfig({});
    expect(config.pncp.baseUrl).toBe("https://pncp.gov.br/api/consulta");
    expect(config.store).toEqual({
      dataDir: "./data",
      databaseUrl: undefined,
      migrateOnStart: true,
      supabaseUrl: undefined,
      supabaseServiceRoleKey: undefined,
    });
    expect([config.slack.enabled, config.telegram.enabled, config.whatsapp.enabled]).toEqual([
      false,
      false,
      false,
    ]);
    expect(config.openai.enabled).toBe(false);
    expect(config.upgrade.secretIsEphemeral).toBe(true);
    expect(Object.isFrozen(config.pncp)).toBe(true);
  });

  it("derives adapter flags and modes", () => {
    const config = loadConfig({
      SLACK_SIGNING_SECRET: "s",
      SLACK_BOT_TOKEN: "xoxb-1",
      TELEGRAM_BOT_TOKEN: "123:abc",
      TELEGRAM_WEBHOOK_SECRET: "tg",
      WHATSAPP_TOKEN: "t",
      WHATSAPP_PHONE_NUMBER_ID: "1",
      WHATSAPP_APP_SECRET: "a",
      WHATSAPP_VERIFY_TOKEN: "v",
      PNCP_BASE_URL: "http://127.0.0.1:9/api/",
    });
    expect(config.slack).toMatchObject({ enabled: true, oauth: false, socketMode: false });
    expect(config.telegram).toMatchObject({ enabled: true, webhook: true });
    expect(config.whatsapp.enabled).toBe(true);
    expect(config.pncp.baseUrl).toBe("http://127.0.0.1:9/api");
    expect(loadConfig({ SLACK_SIGNING_SECRET: "s" }).slack.enabled).toBe(false);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: "1:a" }).telegram.webhook).toBe(false);
  });

  it("treats empty numeric variables as unset", () => {
    const config = loadConfig({ PORT: "", PNCP_MAX_RETRIES: " ", WHATSAPP_MIN_INTERVAL_MS: "" });
    expect(config.port).toBe(3000);
    expect(config.pncp.maxRetries).toBe(3);
    expect(config.whatsapp.minIntervalMs).toBe(6000);
    expect(loadConfig({ DATABASE_MIGRATE_ON_START: "false" }).store.migrateOnStart).toBe(false);
  });

  it("lists every bad variable at once", () => {
    try {
      loadConfig({ PORT: "abc", PNCP_BASE_URL: "not a url", LOG_LEVEL: "loud" });
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toContain("PORT");
      expect(problems).toContain("PNCP_BASE_URL");
      expect(problems).toContain("LOG_LEVEL");
    }
  });
});
