import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { openDataFinal, PROPOSTA_PATH, PUBLICACAO_PATH, planSlices, selectPages } from "./slice-plan.ts";

const options = { pageSize: 50, maxWindowDays: 365, openHorizonDays: 180, today: "2026-09-21" };

describe("planSlices", () => {
  it("makes one slice per UF × modalidade with PNCP's parameter names and formats", () => {
    const slices = planSlices(
      { ufs: ["sp", "RJ"], modalidades: [6, 8], from: "2026-09-15", to: "2026-09-21", openOnly: false },
      options,
    );
    expect(slices.map((s) => [s.uf, s.modalidade])).toEqual([
      ["SP", 6],
      ["SP", 8],
      ["RJ", 6],
      ["RJ", 8],
    ]);
    expect(slices[0]).toMatchObject({
      index: 0,
      path: PUBLICACAO_PATH,
      from: "2026-09-15",
      to: "2026-09-21",
      params: {
        dataInicial: "20260915",
        dataFinal: "20260921",
        codigoModalidadeContratacao: "6",
        uf: "SP",
        tamanhoPagina: "50",
      },
    });
  });

  it("omits uf for a national search", () => {
    const [slice] = planSlices(
      { ufs: [], modalidades: [6], from: "2026-09-15", to: "2026-09-21", openOnly: false },
      options,
    );
    expect(slice!.uf).toBeNull();
    expect(slice!.params).not.toHaveProperty("uf");
  });

  it("multiplies slices by windows when the range is over 365 days", () => {
    const slices = planSlices(
      { ufs: ["MG"], modalidades: [6, 4], from: "2025-01-01", to: "2026-09-21", openOnly: false },
      options,
    );
    expect(slices).toHaveLength(4);
    expect(slices.map((s) => [s.params.dataInicial, s.params.dataFinal])).toEqual([
      ["20250922", "20260921"],
      ["20250922", "20260921"],
      ["20250101", "20250921"],
      ["20250101", "20250921"],
    ]);
  });

  it("uses /proposta with dataFinal only for openOnly", () => {
    const [slice] = planSlices(
      { ufs: ["SP"], modalidades: [6], from: "2026-09-14", to: "2026-09-21", openOnly: true },
      options,
    );
    expect(slice!.path).toBe(PROPOSTA_PATH);
    expect(slice!.params).not.toHaveProperty("dataInicial");
    expect(slice!.params.dataFinal).toBe("20270320");
  });

  it("rejects requests PNCP would refuse", () => {
    const bad = [
      { ufs: ["SP"], modalidades: [], from: "2026-09-15", to: "2026-09-21", openOnly: false },
      { ufs: ["São Paulo"], modalidades: [6], from: "2026-09-15", to: "2026-09-21", openOnly: false },
      { ufs: ["SP"], modalidades: [6.5], from: "2026-09-15", to: "2026-09-21", openOnly: false },
      { ufs: ["SP"], modalidades: [6], from: "2026-09-22", to: "2026-09-21", openOnly: false },
      { ufs: ["SP"], modalidades: [6], from: "2026-09-22", to: "21/09/2026", openOnly: true },
    ];
    for (const request of bad) {
      expect(() => planSlices(request, options)).toThrow(AppError);
    }
  });
});

describe("openDataFinal", () => {
  it("sends a future `to` as the closing bound and widens a past or present one", () => {
    expect(openDataFinal("2026-10-31", options)).toBe("2026-10-31");
    expect(openDataFinal("2026-09-21", options)).toBe("2027-03-20");
    expect(openDataFinal("2026-09-01", { today: "2026-09-21", openHorizonDays: 30 })).toBe("2026-10-21");
  });
});

describe("selectPages", () => {
  it("fetches every page when the slice fits under the cap", () => {
    expect(selectPages(0, 20)).toEqual({ pages: [], skipped: 0 });
    expect(selectPages(1, 20)).toEqual({ pages: [], skipped: 0 });
    expect(selectPages(4, 4)).toEqual({ pages: [2, 3, 4], skipped: 0 });
  });

  it("over the cap keeps page 1 and the newest pages", () => {
    expect(selectPages(10, 4)).toEqual({ pages: [8, 9, 10], skipped: 6 });
    expect(selectPages(170, 1)).toEqual({ pages: [], skipped: 169 });
  });
});
