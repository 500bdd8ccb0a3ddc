import { describe, expect, it } from "vitest";
import { TELEGRAM_SECRET_HEADER, verifyTelegramSecret } from "./telegram-verify.ts";

describe("TELEGRAM_SECRET_HEADER", () => {
  it("is the header Telegram sends the webhook secret in (Bot API setWebhook secret_token), lower-cased as Node reads it", () => {
    expect(TELEGRAM_SECRET_HEADER).toBe("X-Telegram-Bot-Api-Secret-Token".toLowerCase());
  });
});

describe("verifyTelegramSecret", () => {
  const secret = "s3cr3t_Token-123";

  it("accepts the exact secret", () => {
    expect(verifyTelegramSecret(secret, secret)).toBe(true);
  });

  it("rejects a different secret of the same length", () => {
    expect(verifyTelegramSecret("s3cr3t_Token-124", secret)).toBe(false);
  });

  it("rejects prefixes, extensions and case changes", () => {
    expect(verifyTelegramSecret("s3cr3t", secret)).toBe(false);
    expect(verifyTelegramSecret(`${secret}x`, secret)).toBe(false);
    expect(verifyTelegramSecret(secret.toUpperCase(), secret)).toBe(false);
  });

  it("rejects a missing, empty or repeated header", () => {
    expect(verifyTelegramSecret(undefined, secret)).toBe(false);
    expect(verifyTelegramSecret("", secret)).toBe(false);
    expect(verifyTelegramSecret([secret, secret], secret)).toBe(false);
  });

  it("never verifies against an empty configured secret", () => {
    expect(verifyTelegramSecret("", "")).toBe(false);
  });
});
