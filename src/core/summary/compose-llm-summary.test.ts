import { describe, expect, it } from "vitest";
import { SAMPLE_NOW, sampleBids } from "../../../test/fakes/sample-bids.ts";
import { searchQuerySchema } from "../search-query.ts";
import { composeLlmSummary, statesNumber } from "./compose-llm-summary.ts";
import { computeTotals } from "./totals.ts";

describe("statesNumber", () => {
  it.each([
    "São 999 licitações",
    "somando R$ mil",
    "cerca de 40% do total",
    "três órgãos dominam",
    "Quinhentos mil reais",
    "metade é de saúde",
    "dezenas de prefeituras",
    "\uFF17 itens",
  ])("flags %j", (text) => expect(statesNumber(text)).toBe(true));

  it.each([
    "Predominam compras de materiais de saúde por prefeituras paulistas.",
    "Um órgão federal concentra os maiores valores.",
    "Serviços de limpeza e manutenção aparecem com frequência.",
  ])("lets %j through", (text) => expect(statesNumber(text)).toBe(false));
});

describe("composeLlmSummary", () => {
  const bids = sampleBids();
  const input = {
    query: searchQuerySchema.parse({ from: "2026-09-15", to: "2026-09-21", ufs: ["SP"] }),
    bids,
    totals: computeTotals(bids, SAMPLE_NOW),
    now: SAMPLE_NOW,
  };

  it("keeps number-free prose, drops numeric sentences and highlights, and appends our facts to refs", () => {
    const summary = composeLlmSummary(
      {
        overview:
          "Foram 42 licitações somando R$ 9,9 bilhões. Predominam compras federais de materiais e serviços.",
        highlights: [
          { bid: 3, text: "Compra de equipamentos de informática do Exército" },
          { bid: null, text: "Quarenta por cento são dispensas" },
          { bid: 99, text: "Serviços de limpeza em várias cidades" },
        ],
      },
      input,
      bids,
    );
    expect(summary).toEqual({
      text: "Encontramos 6 licitações, somando R$ 3.127.325,28 em valor estimado. Predominam compras federais de materiais e serviços.",
      highlights: [
        "Compra de equipamentos de informática do Exército (COMANDO DO EXERCITO, Taubaté/SP; R$ 2.520.388,51; encerra em 29/10/2026 às 10:00).",
        "Serviços de limpeza em várias cidades.",
      ],
      alert: "⚠️ 3 licitações encerram propostas nos próximos 7 dias; a primeira em 21/09/2026 às 17:30.",
      source: "openai",
    });
  });

  it("tops highlights up to 2 from the fallback and returns null when no prose survives", () => {
    const topped = composeLlmSummary({ overview: "Perfil variado de compras", highlights: [] }, input, bids);
    expect(topped?.text).toBe(
      "Encontramos 6 licitações, somando R$ 3.127.325,28 em valor estimado. Perfil variado de compras.",
    );
    expect(topped?.highlights).toHaveLength(2);
    expect(topped?.highlights[0]).toMatch(/^Maior valor: R\$ 2\.520\.388,51 — /);
    expect(composeLlmSummary({ overview: "Há 7 licitações.", highlights: [] }, input, bids)).toBeNull();
  });
});
