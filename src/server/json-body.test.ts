import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonDepth, MAX_JSON_DEPTH, parseJson } from "./json-body.ts";

describe("parseJson", () => {
  it("refuses 100k nested arrays without touching the stack", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(parseJson(deep)).toEqual({ ok: false, reason: "too_deep" });
    expect(parseJson(`{"a":${'{"b":'.repeat(100_000)}1${"}".repeat(100_000)}}`)).toEqual({
      ok: false,
      reason: "too_deep",
    });
  });

  it("counts brackets inside strings as text", () => {
    expect(jsonDepth(JSON.stringify({ text: "[[[[{{{{", esc: 'a\\"[[' }))).toBe(1);
    expect(parseJson(JSON.stringify({ text: "[".repeat(1000) }))).toMatchObject({ ok: true });
  });

  it("answers invalid_json for broken text", () => {
    for (const bad of ["", "{", "nope", '{"a":}', "[1,]"])
      expect(parseJson(bad)).toEqual({ ok: false, reason: "invalid_json" });
  });

  it("property: agrees with JSON.parse on every value up to the depth cap, and never throws", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const result = parseJson(text);
        expect(result.ok || result.reason === "invalid_json" || result.reason === "too_deep").toBe(true);
      }),
    );
    expect(parseJson(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`).ok).toBe(true);
  });
});
