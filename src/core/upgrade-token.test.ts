import { describe, expect, it } from "vitest";
import { createUpgradeToken, upgradeUrl, verifyUpgradeToken } from "./upgrade-token.ts";

const now = new Date("2026-11-22T12:00:00Z");
const input = { accountId: "acc-1", planId: "maquina", notify: { platform: "telegram", chatId: "42" } };

describe("upgrade tokens", () => {
  it("round-trips account, plan and where to notify", () => {
    const token = createUpgradeToken(input, { secret: "s3cret", now, ttlHours: 2 });
    const result = verifyUpgradeToken(token, { secret: "s3cret", now });
    expect(result).toEqual({
      ok: true,
      payload: { ...input, expiresAt: new Date("2026-11-22T14:00:00Z") },
    });
  });

  it("rejects another secret, a tampered payload, garbage and expiry", () => {
    const token = createUpgradeToken(input, { secret: "s3cret", now, ttlHours: 2 });
    expect(verifyUpgradeToken(token, { secret: "other", now })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    const [body, sig] = token.split(".");
    const forged = Buffer.from(
      Buffer.from(body!, "base64url").toString().replace("maquina", "sala_guerra"),
    ).toString("base64url");
    expect(verifyUpgradeToken(`${forged}.${sig}`, { secret: "s3cret", now })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyUpgradeToken("nope", { secret: "s3cret", now })).toEqual({ ok: false, reason: "malformed" });
    const later = new Date(now.getTime() + 3 * 3600_000);
    expect(verifyUpgradeToken(token, { secret: "s3cret", now: later })).toEqual({
      ok: false,
      reason: "expired",
    });
  });

  it("builds an URL-safe link", () => {
    const token = createUpgradeToken(input, { secret: "s", now, ttlHours: 1 });
    const url = new URL(upgradeUrl("https://bot.example", token));
    expect(url.pathname).toBe("/upgrade");
    expect(url.searchParams.get("token")).toBe(token);
  });
});
