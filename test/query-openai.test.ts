import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../src/core/ports/logger.ts";
import { OpenAiQueryParser } from "../src/core/query/openai-query-parser.ts";
import { type ParsedQuery, type SearchQueryInput, searchQuerySchema } from "../src/core/search-query.ts";
import { type FakeOpenAi, startFakeOpenAi } from "./fakes/fake-openai.ts";

const NOW = new Date("2026-09-21T12:00:00.000Z");
/** The grammar's default window for NOW: the last 7 days ending today (São Paulo). */
const DEFAULT_PERIOD = { from: "2026-09-15", to: "2026-09-21" };

function base(
  fields: Partial<SearchQueryInput>,
  unrecognized: string[],
  recognized: ParsedQuery["recognized"] = [],
): ParsedQuery {
  return {
    query: searchQuerySchema.parse({ ...DEFAULT_PERIOD, ...fields }),
    recognized,
    unrecognized,
    notes: [],
  };
}

/** An LLM answer with every field "not said", overridden by `fields`. */
function answer(fields: Record<string, unknown>) {
  return {
    content: {
      terms: [],
      sector: null,
      ufs: [],
      from: null,
      to: null,
      modalidades: [],
      minValue: null,
      maxValue: null,
      openOnly: null,
      statuses: [],
      esferas: [],
      municipios: [],
      orgaos: [],
      sort: null,
      unrecognized: [],
      ...fields,
    },
  };
}

let fake: FakeOpenAi;
const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
const logger = {
  warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }),
} as unknown as Logger;

beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  warnings.length = 0;
});

const parser = (timeoutMs = 2_000) =>
  new OpenAiQueryParser({
    apiKey: "sk-test",
    model: "gpt-test-mini",
    baseURL: fake.baseURL,
    timeoutMs,
    logger,
  });

/** Every object node of a strict schema must forbid extra keys and require all its properties. */
function assertStrict(node: unknown, path = "$"): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      assertStrict(n, `${path}[${i}]`);
    });
    return;
  }
  if (!node || typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  if (obj.type === "object") {
    expect(obj.additionalProperties, path).toBe(false);
    expect([...(obj.required as string[])].sort(), path).toEqual(
      Object.keys(obj.properties as object).sort(),
    );
  }
  for (const [key, value] of Object.entries(obj)) assertStrict(value, `${path}.${key}`);
}

describe("OpenAiQueryParser against the fake OpenAI", () => {
  it("fills what the grammar could not read and notes it", async () => {
    fake.setResponse(
      answer({
        terms: ["limpeza", "conservação predial"],
        ufs: ["BA", "PE", "CE"],
        from: "2026-08-22",
        to: "2026-09-21",
        unrecognized: [],
      }),
    );
    const text = "limpeza no nordeste no último mês";
    const result = await parser().parse(
      text,
      NOW,
      base({ terms: ["limpeza"] }, ["nordeste", "no último mês"]),
    );

    expect(result).toEqual({
      query: searchQuerySchema.parse({
        terms: ["limpeza", "conservação predial"],
        ufs: ["BA", "PE", "CE"],
        from: "2026-08-22",
        to: "2026-09-21",
      }),
      recognized: ["uf", "period"],
      unrecognized: [],
      notes: ['Interpretado com IA: "nordeste", "no último mês".'],
    });
    expect(warnings).toEqual([]);
  });

  it("sends the model, a strict json_schema and the text; keeps what the grammar set", async () => {
    fake.setResponse(
      answer({
        ufs: ["RJ"],
        minValue: 5,
        from: "2026-01-01",
        to: "2026-01-31",
        modalidades: [8],
        sort: "value_desc",
        unrecognized: ["coisa inventada", "bla"],
      }),
    );
    const grammar = base(
      { ufs: ["SP"], minValue: 100_000, from: "2026-09-01", to: "2026-09-21" },
      ["bla"],
      ["uf", "period", "value"],
    );
    const result = await parser().parse("uniformes SP acima de 100 mil bla os maiores", NOW, grammar);

    expect(result?.query).toEqual(
      searchQuerySchema.parse({
        ufs: ["SP"],
        minValue: 100_000,
        from: "2026-09-01",
        to: "2026-09-21",
        modalidades: [8],
        sort: "value_desc",
      }),
    );
    expect(result?.unrecognized).toEqual(["bla"]);
    expect(result?.notes).toEqual([]);
    // The grammar's kinds stay; the modalidade and sort the LLM filled are added, in the fixed order.
    expect(result?.recognized).toEqual(["uf", "period", "value", "modalidade", "sort"]);

    const body = fake.requests[0]!.body;
    expect(body.model).toBe("gpt-test-mini");
    expect(body.response_format.json_schema.strict).toBe(true);
    assertStrict(body.response_format.json_schema.schema);
    expect(JSON.parse(body.messages.at(-1).content).pedido).toBe(
      "uniformes SP acima de 100 mil bla os maiores",
    );
    expect(body.messages[0].content).toContain("Hoje é 2026-09-21");
  });

  it("ignores impossible dates from the LLM and keeps the grammar's period", async () => {
    fake.setResponse(answer({ from: "2026-02-30", to: "2026-03-10", terms: ["café"] }));
    const result = await parser().parse("café xyz", NOW, base({}, ["xyz"]));
    expect(result?.query.from).toBe(DEFAULT_PERIOD.from);
    expect(result?.query.to).toBe(DEFAULT_PERIOD.to);
    expect(result?.query.terms).toEqual(["café"]);
  });

  it("does not call the LLM when the grammar read everything", async () => {
    fake.setResponse(answer({}));
    expect(await parser().parse("uniformes SC", NOW, base({ ufs: ["SC"] }, []))).toBeNull();
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ["invalid JSON", "invalid_json" as const, "invalid_json"],
    ["a UF outside the enum", answer({ ufs: ["XX"] }), "schema_mismatch"],
    ["min above max", answer({ minValue: 10, maxValue: 5 }), "invalid_query"],
    ["HTTP 500", "http_500" as const, "http_500"],
  ])("returns null on %s and logs query_llm_failed", async (_name, mode, reason) => {
    fake.setResponse(mode);
    expect(await parser().parse("algo estranho", NOW, base({}, ["algo estranho"]))).toBeNull();
    expect(warnings).toEqual([{ fields: { reason, model: "gpt-test-mini" }, msg: "query_llm_failed" }]);
  });

  it("returns null when the server hangs past the timeout", async () => {
    fake.setResponse("hang");
    expect(await parser(300).parse("algo estranho", NOW, base({}, ["algo estranho"]))).toBeNull();
    expect(warnings.map((w) => w.fields.reason)).toEqual(["timeout"]);
  });
});
