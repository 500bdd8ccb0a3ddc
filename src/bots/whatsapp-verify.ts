import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * The two WhatsApp Cloud API webhook checks, as pure functions.
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
 */

/** Compares two strings in time independent of where they differ (both are hashed to equal length first). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * The GET subscription handshake: returns `hub.challenge` when `hub.mode=subscribe` and `hub.verify_token`
 * matches ours (constant time), else null (the route answers 403).
 */
export function verifySubscription(params: URLSearchParams, verifyToken: string): string | null {
  const mode = params.get("hub.mode");
  const token = params.get("hub.verify_token");
  const challenge = params.get("hub.challenge");
  if (mode !== "subscribe" || token === null || challenge === null || verifyToken === "") return null;
  return constantTimeEqual(token, verifyToken) ? challenge : null;
}

/** `sha256=<hex HMAC-SHA256(appSecret, rawBody)>`: the `X-Hub-Signature-256` value Meta sends. */
export function signatureFor(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(rawBody).digest("hex")}`;
}

/**
 * Checks `X-Hub-Signature-256` against the exact raw bytes, before anything is parsed. Missing,
 * malformed or mismatching headers are all false; the comparison is timing-safe.
 */
export function verifySignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== "string" || appSecret === "") return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), "hex");
  const expected = createHmac("sha256", appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
