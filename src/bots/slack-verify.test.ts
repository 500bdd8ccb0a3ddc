import { describe, expect, it } from "vitest";
import { signSlackRequest, verifySlackSignature } from "./slack-verify.ts";

const secret = "8f742231b10e8888abcd99yyyzzz85a5";
const now = new Date("2026-03-10T12:00:00Z");
const ts = String(Math.floor(now.getTime() / 1000));
const body = "token=xyz&team_id=T1&command=%2Fbuscar&text=uniformes+SP";

describe("verifySlackSignature", () => {
  it("accepts a signature made with the signing secret over the raw body", () => {
    const signature = signSlackRequest(secret, ts, body);
    expect(
      verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: body, now }),
    ).toEqual({
      ok: true,
    });
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestamp: ts,
        signature,
        rawBody: Buffer.from(body),
        now,
      }),
    ).toEqual({ ok: true });
  });

  it("matches Slack's documented example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (example values)
    const exampleBody =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const exampleTs = "1531420618";
    const result = verifySlackSignature({
      signingSecret: secret,
      timestamp: exampleTs,
      signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
      rawBody: exampleBody,
      now: new Date(Number(exampleTs) * 1000 + 10_000),
    });
    expect(result).toEqual({ ok: true });
  });

  it("rejects a signature made with another secret (→ 401)", () => {
    const signature = signSlackRequest("another-secret", ts, body);
    expect(
      verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: body, now }),
    ).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("rejects a body changed after signing", () => {
    const signature = signSlackRequest(secret, ts, body);
    const tampered = body.replace("SP", "RJ");
    expect(
      verifySlackSignature({ signingSecret: secret, timestamp: ts, signature, rawBody: tampered, now }).ok,
    ).toBe(false);
  });

  it("rejects a timestamp more than 5 minutes old, even when correctly signed (→ 401)", () => {
    const old = String(Number(ts) - 301);
    const signature = signSlackRequest(secret, old, body);
    expect(
      verifySlackSignature({ signingSecret: secret, timestamp: old, signature, rawBody: body, now }),
    ).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
    const edge = String(Number(ts) - 300);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestamp: edge,
        signature: signSlackRequest(secret, edge, body),
        rawBody: body,
        now,
      }),
    ).toEqual({ ok: true });
  });

  it("rejects timestamps far in the future", () => {
    const future = String(Number(ts) + 3600);
    const signature = signSlackRequest(secret, future, body);
    expect(
      verifySlackSignature({ signingSecret: secret, timestamp: future, signature, rawBody: body, now }),
    ).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
  });

  it("rejects missing headers, non-numeric timestamps and non-v0 signatures", () => {
    const signature = signSlackRequest(secret, ts, body);
    const base = { signingSecret: secret, rawBody: body, now };
    expect(verifySlackSignature({ ...base, timestamp: undefined, signature })).toEqual({
      ok: false,
      reason: "missing_headers",
    });
    expect(verifySlackSignature({ ...base, timestamp: ts, signature: undefined })).toEqual({
      ok: false,
      reason: "missing_headers",
    });
    expect(verifySlackSignature({ ...base, timestamp: "12abc", signature })).toEqual({
      ok: false,
      reason: "missing_headers",
    });
    expect(
      verifySlackSignature({ ...base, timestamp: ts, signature: signature.replace("v0=", "v1=") }),
    ).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifySlackSignature({ ...base, timestamp: ts, signature: "v0=short" })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("refuses a correctly signed request whose timestamp is not all digits (no replay window to check)", () => {
    // Number("v1773144000") is NaN and NaN > 300 is false: a partial digit check would skip the skew test.
    for (const bad of [`v${ts}`, ` ${ts}`, `${ts}.5`, `-${ts}`, `0x${Number(ts).toString(16)}`]) {
      const signature = signSlackRequest(secret, bad, body);
      expect(
        verifySlackSignature({ signingSecret: secret, timestamp: bad, signature, rawBody: body, now }),
      ).toEqual({ ok: false, reason: "missing_headers" });
    }
  });
});
