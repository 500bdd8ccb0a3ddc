import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatBRL,
  formatDate,
  formatDateTime,
  formatIsoDate,
  formatValueOrMissing,
  plural,
} from "./format.ts";
import {
  addDays,
  brasiliaLocalToIso,
  inclusiveDays,
  isValidIsoDate,
  saoPauloDate,
  saoPauloOffsetMs,
  saoPauloWallToUtcMs,
  toPncpDate,
} from "./time.ts";

describe("pt-BR formatting", () => {
  it("formats money as R$ 1.234,56 with a plain space", () => {
    expect(formatBRL(1234.56)).toBe("R$ 1.234,56");
    expect(formatBRL(0)).toBe("R$ 0,00");
    expect(formatBRL(1_497)).toBe("R$ 1.497,00");
    expect(formatValueOrMissing(null)).toBe("Valor não informado");
    expect(formatValueOrMissing(0)).toBe("Valor sigiloso");
    expect(formatValueOrMissing(-5)).toBe("Valor não informado");
    expect(formatValueOrMissing(Number.NaN)).toBe("Valor não informado");
    expect(formatValueOrMissing(0.004)).toBe("R$ 0,00"); // a real, tiny value is still a value
    expect(formatValueOrMissing(14785.32)).toBe("R$ 14.785,32");
  });

  it("formats instants in São Paulo time", () => {
    expect(formatDate("2026-12-01T02:30:00Z")).toBe("30/11/2026");
    expect(formatDateTime("2026-09-21T21:00:00.000Z")).toBe("21/09/2026 18:00");
    expect(formatIsoDate("2026-10-01")).toBe("01/10/2026");
    expect(plural(1, "licitação", "licitações")).toBe("1 licitação");
    expect(plural(1200, "licitação", "licitações")).toBe("1.200 licitações");
  });

  it("uses the zone rules of the date: a 2018 summer instant is −02:00", () => {
    expect(formatDateTime("2018-01-15T14:00:00.000Z")).toBe("15/01/2018 12:00");
    expect(formatDate("2018-01-15T01:30:00.000Z")).toBe("14/01/2018");
    expect(formatDate("2018-01-15T02:00:00.000Z")).toBe("15/01/2018");
    // DST began 2018-11-04 00:00 (→ 01:00) and ended 2019-02-17 00:00 (→ 23:00 on the 16th).
    expect(formatDateTime("2018-11-04T02:59:00Z")).toBe("03/11/2018 23:59");
    expect(formatDateTime("2018-11-04T03:00:00Z")).toBe("04/11/2018 01:00");
    expect(formatDateTime("2019-02-17T01:59:00Z")).toBe("16/02/2019 23:59");
    expect(formatDateTime("2019-02-17T02:00:00Z")).toBe("16/02/2019 23:00");
  });

  it("shows an unreadable instant as a dash, never Invalid Date", () => {
    expect(formatDate("string")).toBe("—");
    expect(formatDateTime(new Date(Number.NaN))).toBe("—");
  });

  it("agrees with Intl hour by hour through the last three DST transitions (2017–2019)", () => {
    const intl = new Intl.DateTimeFormat("pt-BR", {
      timeZone: "America/Sao_Paulo",
      dateStyle: "short",
      timeStyle: "short",
      hourCycle: "h23",
    });
    const mismatches: string[] = [];
    for (let ms = Date.UTC(2017, 9, 1); ms < Date.UTC(2019, 2, 1); ms += 3_600_000) {
      const ours = formatDateTime(new Date(ms));
      if (ours !== intl.format(ms).replace(", ", " ")) mismatches.push(new Date(ms).toISOString());
    }
    expect(mismatches).toEqual([]);
  });

  it("agrees with Intl's own São Paulo formatting for any instant from 1915 to 2100", () => {
    const intl = new Intl.DateTimeFormat("pt-BR", {
      timeZone: "America/Sao_Paulo",
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const instants = fc.integer({ min: Date.UTC(1915, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instants, (ms) => {
        expect(formatDateTime(new Date(ms))).toBe(intl.format(ms).replace(", ", " "));
      }),
      { numRuns: 500 },
    );
  });
});

describe("time helpers", () => {
  it("reads PNCP's Brasília local times", () => {
    expect(brasiliaLocalToIso("2026-09-21T18:00:00")).toBe("2026-09-21T21:00:00.000Z");
    expect(brasiliaLocalToIso("2026-09-21")).toBe("2026-09-21T03:00:00.000Z");
    expect(brasiliaLocalToIso("")).toBeNull();
    expect(brasiliaLocalToIso("string")).toBeNull();
  });

  it("reads pre-2019 summer times with the −02:00 offset of that date", () => {
    expect(brasiliaLocalToIso("2018-01-15T12:00:00")).toBe("2018-01-15T14:00:00.000Z");
    expect(brasiliaLocalToIso("2018-07-15T12:00:00")).toBe("2018-07-15T15:00:00.000Z");
    // 00:30 on 2018-11-04 never happened (clocks jumped to 01:00): moved forward by the gap.
    expect(brasiliaLocalToIso("2018-11-04T00:30:00")).toBe("2018-11-04T03:30:00.000Z");
    expect(brasiliaLocalToIso("2018-11-04")).toBe("2018-11-04T03:00:00.000Z");
    // 23:30 on 2018-02-17 happened twice: the first (summer) one.
    expect(brasiliaLocalToIso("2018-02-17T23:30:00")).toBe("2018-02-18T01:30:00.000Z");
    expect(brasiliaLocalToIso("2018-02-18T00:30:00")).toBe("2018-02-18T03:30:00.000Z");
  });

  it("rejects impossible calendar dates and times", () => {
    for (const bad of ["2026-02-31", "2026-13-01", "2026-00-10", "2026-09-21T24:00:00", "2026-09-21T10:60"]) {
      expect(brasiliaLocalToIso(bad)).toBeNull();
    }
  });

  it("round-trips every São Paulo wall time that exists, 1915–2100", () => {
    const instants = fc.integer({ min: Date.UTC(1915, 0, 2), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instants, (raw) => {
        const ms = Math.floor(raw / 1000) * 1000;
        const wall = ms + saoPauloOffsetMs(ms);
        const back = saoPauloWallToUtcMs(wall);
        // An hour repeated at the end of DST maps to its first occurrence; everything else exactly back.
        if (back !== ms) expect(back).toBe(ms - 3_600_000);
        expect(back + saoPauloOffsetMs(back)).toBe(wall);
        expect(brasiliaLocalToIso(new Date(wall).toISOString().slice(0, 19))).toBe(
          new Date(back).toISOString(),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("computes São Paulo dates and day arithmetic", () => {
    expect(saoPauloDate(new Date("2026-12-01T02:59:00Z"))).toBe("2026-11-30");
    expect(saoPauloDate(new Date("2026-12-01T03:00:00Z"))).toBe("2026-12-01");
    expect(saoPauloDate(new Date("2018-12-01T01:59:00Z"))).toBe("2018-11-30");
    expect(saoPauloDate(new Date("2018-12-01T02:00:00Z"))).toBe("2018-12-01");
    expect(addDays("2026-02-27", 2)).toBe("2026-03-01");
    expect(inclusiveDays("2026-11-16", "2026-11-22")).toBe(7);
    expect(toPncpDate("2026-09-17")).toBe("20260917");
    expect(isValidIsoDate("2026-02-29")).toBe(false);
    expect(isValidIsoDate("2028-02-29")).toBe(true);
  });
});
