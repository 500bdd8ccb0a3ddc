import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Signed, expiring upgrade tokens for `PUBLIC_BASE_URL/upgrade?token=…`. Stripe Checkout sessions expire,
 * so buttons carry our own link and the checkout is created when it is opened. The token names the
 * account, the plan offered and where to notify once paid.
 */

const payloadSchema = z.object({
  /** Account to upgrade. */
  a: z.string().min(1),
  /** Plan offered. */
  p: z.string().min(1),
  /** Where to notify: platform and chat id. */
  n: z.object({ platform: z.string(), chatId: z.string() }),
  /** Expiry, epoch seconds. */
  e: z.number().int(),
});

export interface UpgradeTokenPayload {
  accountId: string;
  planId: string;
  notify: { platform: string; chatId: string };
  expiresAt: Date;
}

function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}

/** Creates a token valid for `ttlHours` from `now`. */
export function createUpgradeToken(
  input: Omit<UpgradeTokenPayload, "expiresAt">,
  options: { secret: string; now: Date; ttlHours: number },
): string {
  const payload = {
    a: input.accountId,
    p: input.planId,
    n: input.notify,
    e: Math.floor(options.now.getTime() / 1000) + options.ttlHours * 3600,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${sign(body, options.secret)}`;
}

export type VerifyTokenResult =
  | { ok: true; payload: UpgradeTokenPayload }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired" };

/** Verifies signature (constant time) before reading the payload, then expiry. */
export function verifyUpgradeToken(token: string, options: { secret: string; now: Date }): VerifyTokenResult {
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(sign(body, options.secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: "bad_signature" };
  }
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (parsed.e * 1000 < options.now.getTime()) return { ok: false, reason: "expired" };
  return {
    ok: true,
    payload: {
      accountId: parsed.a,
      planId: parsed.p,
      notify: parsed.n,
      expiresAt: new Date(parsed.e * 1000),
    },
  };
}

/** Builds the upgrade URL for a button. */
export function upgradeUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/upgrade?token=${encodeURIComponent(token)}`;
}
