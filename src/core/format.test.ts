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
  toPncpDate,
} from "./time.ts";

describe("pt-BR formatting", () => {
  it("formats money as R$ 1.234,56 with a plain space", () => {
    expect(formatBRL(1234.56)).toBe("R$ 1.234,56");
    expect(formatBRL(0)).toBe("R$ 0,00");
    expect(formatBRL(1_497)).toBe("R$ 1.497,00");
    expect(formatValueOrMissing(null)).toBe("Valor não informado");
  });

  it("formats instants in São Paulo time", () => {
    expect(formatDate("2026-12-01T02:30:00Z")).toBe("30/11/2026");
    expect(formatDateTime("2026-09-21T21:00:00.000Z")).toBe("21/09/2026 18:00");
    expect(formatIsoDate("2026-10-01")).toBe("01/10/2026");
    expect(plural(1, "licitação", "licitações")).toBe("1 licitação");
    expect(plural(1200, "licitação", "licitações")).toBe("1.200 licitações");
  });
});

describe("time helpers", () => {
  it("reads PNCP's Brasília local times", () => {
    expect(brasiliaLocalToIso("2026-09-21T18:00:00")).toBe("2026-09-21T21:00:00.000Z");
    expect(brasiliaLocalToIso("2026-09-21")).toBe("2026-09-21T03:00:00.000Z");
    expect(brasiliaLocalToIso("")).toBeNull();
    expect(brasiliaLocalToIso("string")).toBeNull();
  });

  it("computes São Paulo dates and day arithmetic", () => {
    expect(saoPauloDate(new Date("2026-12-01T02:59:00Z"))).toBe("2026-11-30");
    expect(saoPauloDate(new Date("2026-12-01T03:00:00Z"))).toBe("2026-12-01");
    expect(addDays("2026-02-27", 2)).toBe("2026-03-01");
    expect(inclusiveDays("2026-11-16", "2026-11-22")).toBe(7);
    expect(toPncpDate("2026-09-17")).toBe("20260917");
    expect(isValidIsoDate("2026-02-29")).toBe(false);
    expect(isValidIsoDate("2028-02-29")).toBe(true);
  });
});
