/** `isoFromMs` writes exactly what `Date.prototype.toISOString` writes (the index reader relies on it). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoFromMs } from "../../src/stores/bid-index/iso-from-ms.ts";

describe("isoFromMs", () => {
  it("equals toISOString over years 0000–9999 and just outside them", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000 - 1000, max: 253_402_300_799_999 + 1000 }), (ms) => {
        expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it("equals toISOString around day, leap-day and century boundaries", () => {
    const days = ["1970-01-01", "2000-02-29", "2100-03-01", "1900-02-28", "2024-12-31", "0000-03-01"];
    for (const day of days) {
      const base = Date.parse(`${day}T00:00:00.000Z`);
      for (const delta of [-86_400_000, -1, 0, 1, 999, 59_999, 86_399_999]) {
        expect(isoFromMs(base + delta)).toBe(new Date(base + delta).toISOString());
      }
    }
  });
});
