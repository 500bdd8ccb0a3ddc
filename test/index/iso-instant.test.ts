/** `parseInstant` gives exactly `Date.parse` for bids' ISO instants and for any other text. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseInstant } from "../../src/core/index/iso-instant.ts";

const same = (text: string): void => {
  expect(Object.is(parseInstant(text), Date.parse(text))).toBe(true);
};

describe("parseInstant", () => {
  it("equals Date.parse on every toISOString of years 0000–9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseInstant(text)).toBe(ms);
        same(text);
      }),
      { numRuns: 20_000 },
    );
  });

  it("equals Date.parse on near-ISO and malformed texts (out-of-range fields, other formats)", () => {
    const field = (max: number, width: number) =>
      fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, "0"));
    const near = fc
      .tuple(
        field(9999, 4),
        field(19, 2),
        field(39, 2),
        field(29, 2),
        field(69, 2),
        field(69, 2),
        field(999, 3),
      )
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(fc.property(near, same), { numRuns: 20_000 });
    fc.assert(fc.property(fc.string({ maxLength: 30 }), same), { numRuns: 5_000 });
    for (const text of [
      "2026-09-21T12:00:00-03:00",
      "2026-09-21",
      "2026-02-29T00:00:00.000Z",
      "2024-02-29T00:00:00.000Z",
      "2026-09-21T24:00:00.000Z",
      "2026-09-21T12:00:00.000z",
      "+2026-09-21T12:00:00.00Z",
      "2026-09-21 12:00:00.000Z",
      "",
      "not a date",
    ])
      same(text);
  });
});
