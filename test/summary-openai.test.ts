import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Bid } from "../src/core/bid.ts";
import type { Logger } from "../src/core/ports/logger.ts";
import { searchQuerySchema } from "../src/core/search-query.ts";
import { FallbackSummarizer } from "../src/core/summary/fallback-summarizer.ts";
import { OpenAiSummarizer } from "../src/core/summary/openai-summarizer.ts";
import type { SummaryInput } from "../src/core/summary/summarizer.ts";
import { computeTotals } from "../src/core/summary/totals.ts";
import { type FakeOpenAi, startFakeOpenAi } from "./fakes/fake-openai.ts";
import { makeBid, SAMPLE_NOW, sampleBids } from "./fakes/sample-bids.ts";

/** A Logger stand-in that records warn calls (the only level the summarizer's failures use). */
function recordingLogger() {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }),
    debug: () => {},
    info: () => {},
    error: () => {},
  } as unknown as Logger;
  return { logger, warnings };
}

const query = searchQuerySchema.parse({
  from: "2026-09-15",
  to: "2026-09-21",
  ufs: ["SP"],
  terms: ["hidráulica"],
});
const input = (bids: Bid[] = sampleBids()): SummaryInput => ({
  query,
  bids,
  totals: computeTotals(bids, SAMPLE_NOW),
  now: SAMPLE_NOW,
});

const LYING_ANSWER = {
  overview:
    "Foram encontradas 999 licitações somando R$ 9.999.999,00. Há forte presença de órgãos federais e compras de materiais.",
  highlights: [
    { bid: 3, text: "Equipamentos de informática e CFTV para a aviação do Exército" },
    { bid: 1, text: "Insumos de hidráulica custam R$ 1,00 segundo o edital" },
    { bid: 2, text: "Limpeza com mão de obra uniformizada em diversas cidades" },
  ],
};

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

function summarizer(logger: Logger, timeoutMs = 2_000) {
  return new OpenAiSummarizer({
    apiKey: "sk-test",
    model: "gpt-test-mini",
    baseURL: fake.baseURL,
    timeoutMs,
    logger,
    fallback: new FallbackSummarizer(),
  });
}

describe("OpenAiSummarizer against the fake OpenAI", () => {
  it("uses a valid answer but keeps our numbers, even when the LLM's text has wrong ones", async () => {
    fake.setResponse({ content: LYING_ANSWER });
    const { logger, warnings } = recordingLogger();
    const summary = await summarizer(logger).summarize(input());

    expect(summary.source).toBe("openai");
    expect(summary.text).toBe(
      "Encontramos 6 licitações, somando R$ 3.127.325,28 em valor estimado. " +
        "Há forte presença de órgãos federais e compras de materiais.",
    );
    expect(summary.highlights).toEqual([
      "Equipamentos de informática e CFTV para a aviação do Exército (COMANDO DO EXERCITO, Taubaté/SP; R$ 2.520.388,51; encerra em 29/10/2026 às 10:00).",
      "Limpeza com mão de obra uniformizada em diversas cidades (MINISTERIO PUBLICO DA UNIAO, São Paulo/SP; R$ 97.627,03; encerra em 29/09/2026 às 09:30).",
    ]);
    expect(summary.alert).toBe(
      "⚠️ 3 licitações encerram propostas nos próximos 7 dias; a primeira em 21/09/2026 às 17:30.",
    );
    const everything = [summary.text, ...summary.highlights, summary.alert].join("\n");
    expect(everything).not.toMatch(/999|9\.999|R\$ 1,00/);
    expect(warnings).toEqual([]);
  });

  it("tells the model a 0 value is sigiloso and null is unknown, and keeps both out of the totals it sees", async () => {
    fake.setResponse({ content: LYING_ANSWER });
    const bids = [
      makeBid({ id: "a", object: "Obra", agency: "A", estimatedValue: 0 }),
      makeBid({ id: "b", object: "Obra", agency: "B", estimatedValue: null }),
      makeBid({ id: "c", object: "Obra", agency: "C", estimatedValue: 250 }),
    ];
    const summary = await summarizer(recordingLogger().logger).summarize(input(bids));
    const payload = JSON.parse(fake.requests[0]!.body.messages.at(-1).content);
    expect(payload.licitacoes.map((b: { valor: unknown }) => b.valor)).toEqual(["sigiloso", null, 250]);
    expect(payload.totais).toEqual({ licitacoes: 3, comValor: 1, encerramEm7Dias: 0 });
    expect(summary.text).toMatch(
      /^Encontramos 3 licitações, somando R\$ 250,00 em valor estimado \(1 com valor informado\)\./,
    );
    // LYING_ANSWER highlights bid 3 (R$ 250) and bid 2 (null); its bid-1 line is dropped for its number.
    expect(summary.highlights).toEqual([
      "Equipamentos de informática e CFTV para a aviação do Exército (C, SP; R$ 250,00).",
      "Limpeza com mão de obra uniformizada em diversas cidades (B, SP; Valor não informado).",
    ]);
    expect([summary.text, ...summary.highlights].join("\n")).not.toContain("R$ 0,00");
  });

  it("sends the model, a strict json_schema, at most 50 bids with objects cut to 200 chars, and our totals", async () => {
    fake.setResponse({ content: LYING_ANSWER });
    const long = "Aquisição de ".concat("materiais diversos ".repeat(40));
    const bids = Array.from({ length: 80 }, (_, i) =>
      makeBid({
        id: `b${i}`,
        object: `${i} ${long}`,
        agency: "ORGAO",
        estimatedValue: 10,
        details: "x".repeat(5000),
      }),
    );
    await summarizer(recordingLogger().logger).summarize(input(bids));

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.path).toBe("/v1/chat/completions");
    expect(request!.headers.authorization).toBe("Bearer sk-test");
    const body = request!.body;
    expect(body.model).toBe("gpt-test-mini");
    expect(body.response_format.type).toBe("json_schema");
    expect(body.response_format.json_schema.strict).toBe(true);
    expect(body.response_format.json_schema.schema.additionalProperties).toBe(false);
    const payload = JSON.parse(body.messages.at(-1).content);
    expect(payload.licitacoes).toHaveLength(50);
    expect(payload.totais).toEqual({ licitacoes: 80, comValor: 80, encerramEm7Dias: 0 });
    for (const bid of payload.licitacoes) {
      expect(bid.objeto.length).toBeLessThanOrEqual(200);
      expect(Object.keys(bid).sort()).toEqual(
        ["encerramento", "modalidade", "municipio", "n", "objeto", "orgao", "situacao", "uf", "valor"].sort(),
      );
    }
    expect(body.messages.at(-1).content).not.toContain("xxxxx");
  });

  it.each([
    ["invalid JSON", "invalid_json", "invalid_json"],
    ["a schema mismatch", "schema_mismatch", "schema_mismatch"],
    ["a refusal", "refusal", "refusal"],
    ["HTTP 500", "http_500", "http_500"],
    ["HTTP 429", "http_429", "http_429"],
  ] as const)("falls back on %s and logs summary_llm_failed", async (_name, mode, reason) => {
    fake.setResponse(mode);
    const { logger, warnings } = recordingLogger();
    const summary = await summarizer(logger).summarize(input());

    expect(summary).toEqual(await new FallbackSummarizer().summarize(input()));
    expect(summary.source).toBe("fallback");
    expect(warnings).toEqual([
      { fields: expect.objectContaining({ reason, model: "gpt-test-mini" }), msg: "summary_llm_failed" },
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it("falls back when the server hangs past the timeout", async () => {
    fake.setResponse("hang");
    const { logger, warnings } = recordingLogger();
    const summary = await summarizer(logger, 300).summarize(input());

    expect(summary.source).toBe("fallback");
    expect(warnings.map((w) => [w.msg, w.fields.reason])).toEqual([["summary_llm_failed", "timeout"]]);
  });

  it("falls back when every sentence of the answer states a number", async () => {
    fake.setResponse({ content: { overview: "São 6 licitações. Somam três milhões.", highlights: [] } });
    const { logger, warnings } = recordingLogger();
    const summary = await summarizer(logger).summarize(input());

    expect(summary.source).toBe("fallback");
    expect(warnings[0]?.fields.reason).toBe("no_usable_text");
  });

  it("never calls the API for zero results", async () => {
    fake.setResponse({ content: LYING_ANSWER });
    const summary = await summarizer(recordingLogger().logger).summarize(input([]));

    expect(summary.source).toBe("empty");
    expect(summary.text).toMatch(/^Nenhuma licitação encontrada para o termo "hidráulica" em SP/);
    expect(fake.requests).toHaveLength(0);
  });
});
