import { createHash, timingSafeEqual } from "node:crypto";

/** The header Telegram sends on every webhook call when `setWebhook` was given a `secret_token`. */
export const TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * True when the `X-Telegram-Bot-Api-Secret-Token` header equals our webhook secret. Compared in constant
 * time over SHA-256 digests, so neither the content nor the length of the secret leaks through timing.
 * A missing header, a repeated header or an empty secret never verify.
 * See https://core.telegram.org/bots/api#setwebhook (`secret_token`).
 */
export function verifyTelegramSecret(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string" || secret === "") return false;
  const expected = createHash("sha256").update(secret, "utf8").digest();
  const given = createHash("sha256").update(header, "utf8").digest();
  return timingSafeEqual(expected, given);
}
