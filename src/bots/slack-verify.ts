import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack rejects replays older than this; so do we (Bolt's verify-request uses the same window). */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export interface SlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` header (unix seconds), as received. */
  timestamp: string | undefined;
  /** `X-Slack-Signature` header, `v0=<hex>`. */
  signature: string | undefined;
  /** The exact request bytes: re-serialising a parsed body breaks the HMAC. */
  rawBody: Buffer | string;
  now: Date;
}

export type SlackSignatureResult =
  | { ok: true }
  | { ok: false; reason: "missing_headers" | "stale_timestamp" | "bad_signature" };

/** `v0=` + hex HMAC-SHA256(signing secret, `v0:<timestamp>:<raw body>`). */
export function signSlackRequest(
  signingSecret: string,
  timestamp: string | number,
  rawBody: Buffer | string,
): string {
  const hmac = createHmac("sha256", signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest("hex")}`;
}

/**
 * Verifies a Slack request signature before anything parses the body. Pure: time comes in as `now`.
 * Rejects timestamps more than 5 minutes away from `now` (either direction), non-`v0` signatures and
 * mismatches, comparing in constant time.
 * @see https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureResult {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return { ok: false, reason: "missing_headers" };
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - Number(timestamp));
  if (skew > SLACK_MAX_SKEW_SECONDS) return { ok: false, reason: "stale_timestamp" };
  if (!signature.startsWith("v0=")) return { ok: false, reason: "bad_signature" };
  const expected = Buffer.from(signSlackRequest(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad_signature" };
  return { ok: true };
}
