import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeBid, SAMPLE_NOW, sampleBids } from "../../../test/fakes/sample-bids.ts";
import { closingSoonBids, computeTotals } from "./totals.ts";

describe("computeTotals", () => {
  it("counts the real sample: sum of known values in cents, 3 closing within 7 days", () => {
    expect(computeTotals(sampleBids(), SAMPLE_NOW)).toEqual({
      count: 6,
      totalValue: 3127325.28,
      withValue: 6,
      closingSoon: 3,
    });
  });

  it("leaves null (não informado) and 0 (sigiloso) out of the sum and of the known-value count", () => {
    const bids = [
      makeBid({ id: "a", estimatedValue: null }),
      makeBid({ id: "b", estimatedValue: 0 }),
      makeBid({ id: "c", estimatedValue: 0.1 }),
      makeBid({ id: "d", estimatedValue: 0.2 }),
    ];
    expect(computeTotals(bids, SAMPLE_NOW)).toEqual({
      count: 4,
      totalValue: 0.3,
      withValue: 2,
      closingSoon: 0,
    });
  });

  it("sums whole cents: exact for 2-decimal values and the same in any order (as the index's SQL sum)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 99_999_999_999 }), { maxLength: 60 }), (cents) => {
        const bids = cents.map((c, i) => makeBid({ id: `b${i}`, estimatedValue: c / 100 }));
        const exact = cents.reduce((sum, c) => sum + c, 0) / 100;
        expect(computeTotals(bids, SAMPLE_NOW).totalValue).toBe(exact);
        expect(computeTotals([...bids].reverse(), SAMPLE_NOW).totalValue).toBe(exact);
      }),
    );
  });

  it("is all zeros for no bids", () => {
    expect(computeTotals([], SAMPLE_NOW)).toEqual({ count: 0, totalValue: 0, withValue: 0, closingSoon: 0 });
  });
});

describe("closingSoonBids", () => {
  const now = new Date("2026-11-17T13:00:00.000Z");
  const at = (iso: string | null, id: string) => makeBid({ id, proposalsCloseAt: iso });

  it("keeps deadlines after now and up to exactly 7 days later, soonest first", () => {
    const bids = [
      at("2026-11-24T13:00:00.000Z", "edge"),
      at("2026-11-24T13:00:01.000Z", "too-late"),
      at("2026-11-17T13:00:00.000Z", "now-is-closed"),
      at("2026-11-17T12:59:00.000Z", "past"),
      at(null, "no-date"),
      at("2026-11-18T10:00:00.000Z", "first"),
    ];
    expect(closingSoonBids(bids, now).map((b) => b.id)).toEqual(["first", "edge"]);
  });
});
