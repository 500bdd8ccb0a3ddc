import { describe, expect, it } from "vitest";
import { makeBid, SAMPLE_NOW, sampleBids } from "../../../test/fakes/sample-bids.ts";
import { type SearchQuery, searchQuerySchema } from "../search-query.ts";
import { FallbackSummarizer } from "./fallback-summarizer.ts";
import type { SummaryInput } from "./summarizer.ts";
import { computeTotals } from "./totals.ts";

const query = searchQuerySchema.parse({ from: "2026-09-15", to: "2026-09-21", ufs: ["SP"] });

function input(bids = sampleBids(), q: SearchQuery = query, now = SAMPLE_NOW): SummaryInput {
  return { query: q, bids, totals: computeTotals(bids, now), now };
}

describe("FallbackSummarizer with results", () => {
  it("writes the real sample's summary with our counts, R$ values and São Paulo dates", async () => {
    const summary = await new FallbackSummarizer().summarize(input());
    expect(summary).toEqual({
      text: "Encontramos 6 licitações, somando R$ 3.127.325,28 em valor estimado. Todas em SP; 6 órgãos diferentes.",
      highlights: [
        "Maior valor: R$ 2.520.388,51 — 2 BAvEx Eventual aquisição de materiais e equipamentos de informática e de CFTV para as… (COMANDO DO EXERCITO, Taubaté/SP).",
        "Encerramento mais próximo: 21/09/2026 às 17:30 — AQUISIÇÃO DE BRINQUEDOS PEDAGÓGICOS EDUCATIVOS DESTINADOS AS SALAS DE ATENDIMENTO… (MUNICIPIO DE RANCHARIA, Rancharia/SP).",
        "Modalidades: Pregão - Eletrônico (5) e Dispensa (1).",
        "Situação: 5 recebendo propostas e 1 encerrada.",
      ],
      alert: "⚠️ 3 licitações encerram propostas nos próximos 7 dias; a primeira em 21/09/2026 às 17:30.",
      source: "fallback",
    });
  });

  it("names the most frequent órgão and município, ranks UFs and counts values partially known", async () => {
    const bids = [
      makeBid({
        id: "1",
        agency: "MUNICIPIO DE X",
        municipality: "Curitiba",
        uf: "PR",
        estimatedValue: 1000,
      }),
      makeBid({
        id: "2",
        agency: "MUNICIPIO DE X",
        municipality: "Curitiba",
        uf: "PR",
        estimatedValue: 234.56,
      }),
      makeBid({
        id: "3",
        agency: "ESTADO DE SC",
        municipality: "Florianópolis",
        uf: "SC",
        estimatedValue: null,
      }),
    ];
    const summary = await new FallbackSummarizer().summarize(input(bids));
    expect(summary.text).toBe(
      "Encontramos 3 licitações, somando R$ 1.234,56 em valor estimado (2 com valor informado). " +
        "Por UF: PR (2) e SC (1); órgão mais frequente: MUNICIPIO DE X (2).",
    );
    expect(summary.highlights).toContain("Órgão com mais licitações: MUNICIPIO DE X (2).");
    expect(summary.highlights).toContain("Município com mais licitações: Curitiba/PR (2).");
    expect(summary.highlights.length).toBeLessThanOrEqual(5);
    expect(summary.alert).toBeNull();
  });

  it("says when no value is known and uses the singular for one closing bid", async () => {
    const bids = [
      makeBid({
        id: "1",
        agency: "A",
        object: "Uniformes escolares",
        proposalsCloseAt: "2026-11-24T13:00:00.000Z",
      }),
      makeBid({ id: "2", agency: "B" }),
    ];
    const summary = await new FallbackSummarizer().summarize(
      input(bids, query, new Date("2026-11-20T12:00:00Z")),
    );
    expect(summary.text).toBe(
      "Encontramos 2 licitações, nenhuma com valor estimado informado. Todas em SP; 2 órgãos diferentes.",
    );
    expect(summary.alert).toBe(
      "⚠️ 1 licitação encerra propostas nos próximos 7 dias, em 24/11/2026 às 10:00.",
    );
    expect(summary.highlights[0]).toBe(
      "Encerramento mais próximo: 24/11/2026 às 10:00 — Uniformes escolares (A, SP).",
    );
  });

  it("gives at least 2 highlights for a single bid", async () => {
    const summary = await new FallbackSummarizer().summarize(input([sampleBids()[5]!]));
    expect(summary.text).toBe(
      "Encontramos 1 licitação, com valor estimado de R$ 320,00. Órgão: SAECIL-SUPERINT.DE AGUA E ESGOTO DA CIDADE DE LEME (Leme/SP).",
    );
    expect(summary.highlights).toEqual([
      "Valor estimado: R$ 320,00 — Aquisição de lona impermeável, de alta resistência, com dimensões de 8,00 m x 4,00 m… (SAECIL-SUPERINT.DE AGUA E ESGOTO DA CIDADE DE LEME, Leme/SP).",
      "Modalidades: Dispensa (1).",
      "Situação: 1 encerrada.",
    ]);
  });
});

describe("FallbackSummarizer with zero results", () => {
  const empty = (q: SearchQuery) => new FallbackSummarizer().summarize(input([], q));

  it("says what was searched (terms, UFs, period, filters) and how to widen it", async () => {
    const q = searchQuerySchema.parse({
      from: "2026-09-15",
      to: "2026-09-21",
      ufs: ["SC", "PR"],
      terms: ["merenda escolar", "hortifruti"],
      minValue: 100000,
      modalidades: [6],
    });
    expect(await empty(q)).toEqual({
      text:
        'Nenhuma licitação encontrada para os termos "merenda escolar" e "hortifruti" em SC e PR, publicada entre ' +
        "15/09/2026 e 21/09/2026, com valor mínimo R$ 100.000,00; modalidades Pregão - Eletrônico. " +
        'Para ampliar, tente incluir mais estados (ou "todos os estados"), um período maior (ex.: "últimos 30 dias"), ' +
        "menos filtros e outros termos ou sinônimos.",
      highlights: [],
      alert: null,
      source: "empty",
    });
  });

  it("uses the sector name it is given and the open-only wording", async () => {
    const q = searchQuerySchema.parse({
      from: "2026-09-01",
      to: "2026-09-30",
      sector: "saude",
      openOnly: true,
    });
    const summary = await new FallbackSummarizer({ sectorName: () => "Saúde" }).summarize(input([], q));
    expect(summary.text).toBe(
      "Nenhuma licitação encontrada para o setor Saúde em todo o Brasil, recebendo propostas (consulta até 30/09/2026). " +
        'Para ampliar, tente incluir as já encerradas (sem "abertas") e outros termos ou outro setor.',
    );
  });

  it("suggests 90 days when the period is already 30 days or more, and no state tip nationwide", async () => {
    const q = searchQuerySchema.parse({ from: "2026-08-23", to: "2026-09-21" });
    expect((await empty(q)).text).toBe(
      "Nenhuma licitação encontrada em todo o Brasil, publicada entre 23/08/2026 e 21/09/2026. " +
        'Para ampliar, tente um período maior (ex.: "últimos 90 dias") e outros termos ou outro setor.',
    );
  });
});
