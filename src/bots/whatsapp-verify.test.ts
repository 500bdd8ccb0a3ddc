import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { constantTimeEqual, signatureFor, verifySignature, verifySubscription } from "./whatsapp-verify.ts";

const SECRET = "app-secret-123";
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

describe("verifySubscription", () => {
  const params = (q: Record<string, string>) => new URLSearchParams(q);

  it("returns the challenge when mode is subscribe and the token matches", () => {
    const p = params({ "hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444" });
    expect(verifySubscription(p, "tok")).toBe("1158201444");
  });

  it("refuses a wrong token, a token that is only a prefix, and a wrong mode", () => {
    expect(
      verifySubscription(
        params({ "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "c" }),
        "tok",
      ),
    ).toBeNull();
    expect(
      verifySubscription(
        params({ "hub.mode": "subscribe", "hub.verify_token": "to", "hub.challenge": "c" }),
        "tok",
      ),
    ).toBeNull();
    expect(
      verifySubscription(
        params({ "hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "c" }),
        "tok",
      ),
    ).toBeNull();
  });

  it("refuses missing parameters and an empty configured token", () => {
    expect(verifySubscription(params({ "hub.mode": "subscribe", "hub.challenge": "c" }), "tok")).toBeNull();
    expect(
      verifySubscription(params({ "hub.mode": "subscribe", "hub.verify_token": "tok" }), "tok"),
    ).toBeNull();
    expect(
      verifySubscription(
        params({ "hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "c" }),
        "",
      ),
    ).toBeNull();
  });
});

describe("verifySignature", () => {
  it("accepts Meta's sha256=<hex HMAC> of the raw body", () => {
    const hex = createHmac("sha256", SECRET).update(BODY).digest("hex");
    expect(verifySignature(BODY, `sha256=${hex}`, SECRET)).toBe(true);
    expect(verifySignature(BODY, `sha256=${hex.toUpperCase()}`, SECRET)).toBe(true);
    expect(signatureFor(BODY, SECRET)).toBe(`sha256=${hex}`);
  });

  it("rejects a signature made with another secret or over other bytes", () => {
    expect(verifySignature(BODY, signatureFor(BODY, "other"), SECRET)).toBe(false);
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 2));
    expect(verifySignature(reformatted, signatureFor(BODY, SECRET), SECRET)).toBe(false);
  });

  it("rejects missing, malformed, truncated, sha1 and repeated headers", () => {
    const good = signatureFor(BODY, SECRET);
    expect(verifySignature(BODY, undefined, SECRET)).toBe(false);
    expect(verifySignature(BODY, "", SECRET)).toBe(false);
    expect(verifySignature(BODY, good.slice(7), SECRET)).toBe(false);
    expect(verifySignature(BODY, good.slice(0, -2), SECRET)).toBe(false);
    expect(verifySignature(BODY, good.replace("sha256=", "sha1="), SECRET)).toBe(false);
    expect(verifySignature(BODY, [good, good], SECRET)).toBe(false);
  });

  it("rejects everything when no app secret is configured", () => {
    expect(verifySignature(BODY, signatureFor(BODY, ""), "")).toBe(false);
  });
});

describe("verifySignature: the header's exact shape", () => {
  const good = signatureFor(BODY, SECRET);

  it("accepts surrounding whitespace and upper-case hex, nothing before or after the signature", () => {
    expect(verifySignature(BODY, `  ${good}\t`, SECRET)).toBe(true);
    expect(verifySignature(BODY, `sha256=${good.slice(7).toUpperCase()}`, SECRET)).toBe(true);
    expect(verifySignature(BODY, `x${good}`, SECRET)).toBe(false);
    expect(verifySignature(BODY, `sha1=abc,${good}`, SECRET)).toBe(false);
    expect(verifySignature(BODY, `${good}00`, SECRET)).toBe(false);
    expect(verifySignature(BODY, `${good},sha256=${"0".repeat(64)}`, SECRET)).toBe(false);
  });
});

describe("constantTimeEqual", () => {
  it("is plain equality", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});
