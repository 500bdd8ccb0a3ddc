import { randomBytes } from "node:crypto";
import type { Logger } from "../core/ports/logger.ts";
import type { Store } from "../core/ports/store.ts";

/** `app_settings` key of the generated upgrade-link secret (used when UPGRADE_TOKEN_SECRET is unset). */
export const UPGRADE_SECRET_SETTING = "upgrade_token_secret";

/**
 * The installation's generated secret `key`: created once (32 random bytes, hex) and kept in the store
 * (`app_setting_get_or_create`), so every process on the same database signs and checks links with the
 * same secret — a link made by `chat` opens on `serve`. When the store cannot keep it, `fallback` (this
 * process only) is returned with `stored: false`. The value is never logged.
 */
export async function storedSecret(
  store: Pick<Store, "getOrCreateSetting">,
  key: string,
  fallback: string,
  logger: Logger,
): Promise<{ secret: string; stored: boolean }> {
  if (!store.getOrCreateSetting) return { secret: fallback, stored: false };
  try {
    const secret = await store.getOrCreateSetting(key, randomBytes(32).toString("hex"));
    return { secret, stored: true };
  } catch (error) {
    logger.warn({ err: error, setting: key }, "stored_secret_unavailable");
    return { secret: fallback, stored: false };
  }
}
