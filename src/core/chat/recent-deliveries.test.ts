import { describe, expect, it } from "vitest";
import { RecentDeliveries } from "./recent-deliveries.ts";

const T0 = new Date("2026-11-10T12:00:00Z");

describe("RecentDeliveries", () => {
  it("accepts a delivery once per source, for 24 hours by default", () => {
    const recent = new RecentDeliveries();
    expect(recent.firstSeen("telegram", "1", T0)).toBe(true);
    expect(recent.firstSeen("telegram", "1", T0)).toBe(false);
    expect(recent.firstSeen("slack", "1", T0)).toBe(true);
    expect(recent.firstSeen("telegram", "1", new Date(T0.getTime() + 23 * 3_600_000))).toBe(false);
    expect(recent.firstSeen("telegram", "1", new Date(T0.getTime() + 48 * 3_600_000))).toBe(true);
  });

  it("keeps at most its bound of ids (10,000 by default)", () => {
    const recent = new RecentDeliveries();
    for (let i = 0; i < 12_000; i++) recent.firstSeen("whatsapp", `wamid.${i}`, T0);
    expect(recent.size).toBe(10_000);
    expect(recent.firstSeen("whatsapp", "wamid.11999", T0)).toBe(false);
  });
});
