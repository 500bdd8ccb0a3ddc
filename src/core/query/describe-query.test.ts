import { describe, expect, it } from "vitest";
import { searchQuerySchema } from "../search-query.ts";
import { describeQuery } from "./describe-query.ts";
import { parseQuery } from "./parse-query.ts";

const NOW = new Date("2026-11-22T12:00:00-03:00");

describe("describeQuery", () => {
  it("echoes sector, UFs, period, value and modalidades in one line", () => {
    const { query } = parseQuery("uniformes SC PR 15d acima de 50 mil", { now: NOW });
    expect(describeQuery(query)).toBe(
      "Vestuário e Uniformes · SC, PR · 08/11/2026 a 22/11/2026 · acima de R$ 50.000,00 · Pregão Eletrônico, Concorrência Eletrônica, Dispensa",
    );
  });

  it("shows the terms used, the whole country, a single day and the extra filters", () => {
    const query = searchQuerySchema.parse({
      terms: ["merenda escolar", "de"],
      from: "2026-11-22",
      to: "2026-11-22",
      modalidades: [6, 7],
      maxValue: 1_500_000,
      openOnly: true,
      esferas: ["M"],
      municipios: ["Campinas"],
      orgaos: ["18715383000140"],
      sort: "closing_soon",
    });
    expect(describeQuery(query)).toBe(
      "“merenda escolar” · todo o Brasil · 22/11/2026 · até R$ 1.500.000,00 · Pregão Eletrônico, Pregão Presencial · recebendo propostas · esfera municipal · município: Campinas · órgão: 18715383000140 · ordem: encerrando antes",
    );
  });

  it("prefers the filter's termsUsed and names the sector whose exclusions apply", () => {
    const query = searchQuerySchema.parse({
      sector: "saude",
      terms: ["x"],
      from: "2026-11-01",
      to: "2026-11-22",
      minValue: 10_000,
      maxValue: 20_000,
      statuses: ["encerrada"],
    });
    expect(describeQuery(query, ["seringas", "luvas"])).toBe(
      "Saúde, Medicamentos e Material Hospitalar: “seringas”, “luvas” · todo o Brasil · 01/11/2026 a 22/11/2026 · de R$ 10.000,00 a R$ 20.000,00 · Pregão Eletrônico, Concorrência Eletrônica, Dispensa · encerradas",
    );
  });

  it("says 'todas as licitações' without sector or terms", () => {
    const { query } = parseQuery("", { now: NOW });
    expect(
      describeQuery(query).startsWith("todas as licitações · todo o Brasil · 16/11/2026 a 22/11/2026"),
    ).toBe(true);
  });
});
