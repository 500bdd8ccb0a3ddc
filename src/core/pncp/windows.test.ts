import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { addDays, inclusiveDays } from "../time.ts";
import { MAX_WINDOW_DAYS, splitWindow } from "./windows.ts";

/** Windows must tile [from, to] exactly: contiguous, no overlap, none longer than max. */
function expectTiling(windows: { from: string; to: string }[], from: string, to: string, max: number): void {
  const ascending = [...windows].reverse();
  expect(ascending[0]!.from).toBe(from);
  expect(ascending.at(-1)!.to).toBe(to);
  for (let i = 0; i < ascending.length; i++) {
    const w = ascending[i]!;
    expect(w.from <= w.to).toBe(true);
    expect(inclusiveDays(w.from, w.to)).toBeLessThanOrEqual(max);
    if (i > 0) expect(w.from).toBe(addDays(ascending[i - 1]!.to, 1));
  }
  const total = windows.reduce((sum, w) => sum + inclusiveDays(w.from, w.to), 0);
  expect(total).toBe(inclusiveDays(from, to));
}

describe("splitWindow", () => {
  it("keeps a window of up to 365 days whole", () => {
    expect(splitWindow("2026-09-15", "2026-09-21")).toEqual([{ from: "2026-09-15", to: "2026-09-21" }]);
    expect(splitWindow("2026-09-21", "2026-09-21")).toEqual([{ from: "2026-09-21", to: "2026-09-21" }]);
    const year = splitWindow("2025-01-01", "2025-12-31");
    expect(year).toHaveLength(1);
    expect(inclusiveDays(year[0]!.from, year[0]!.to)).toBe(MAX_WINDOW_DAYS);
  });

  it("splits 366 days into two windows, newest first", () => {
    const windows = splitWindow("2025-01-01", "2026-01-01");
    expect(windows).toEqual([
      { from: "2025-01-02", to: "2026-01-01" },
      { from: "2025-01-01", to: "2025-01-01" },
    ]);
  });

  it("tiles long ranges exactly, across leap years, for any chunk size", () => {
    for (const [from, to, max] of [
      ["2023-02-10", "2026-09-21", 365],
      ["2024-01-01", "2024-12-31", 31],
      ["2025-06-15", "2026-06-15", 31],
      ["2026-01-01", "2026-03-31", 7],
    ] as const) {
      const windows = splitWindow(from, to, max);
      expectTiling(windows, from, to, max);
      expect(windows.length).toBe(Math.ceil(inclusiveDays(from, to) / max));
    }
  });

  it("never exceeds PNCP's 365-day limit even if asked to", () => {
    const windows = splitWindow("2024-01-01", "2025-12-31", 1000);
    expectTiling(windows, "2024-01-01", "2025-12-31", MAX_WINDOW_DAYS);
  });

  it("rejects reversed and malformed dates with INVALID_QUERY", () => {
    for (const [from, to] of [
      ["2026-09-22", "2026-09-21"],
      ["2026-02-30", "2026-03-01"],
      ["21/09/2026", "2026-09-22"],
      ["2026-09-01", ""],
    ] as const) {
      try {
        splitWindow(from, to);
        expect.unreachable(`${from}…${to} should be rejected`);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe("INVALID_QUERY");
      }
    }
  });
});
