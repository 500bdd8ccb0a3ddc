/**
 * The LLM arbiter for the grey zone, against the loopback OpenAI fake: batches with structured output,
 * verdicts cached per bid and sector version (memory store; the SQL one in verdict-store-sql.test.ts), and every failure — timeout, HTTP
 * error, malformed or partial answer, invented ids — leaves the deterministic decision standing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitrateBids } from "../../src/core/filter/arbiter/arbitrate.ts";
import { OpenAiSectorArbiter } from "../../src/core/filter/arbiter/openai-sector-arbiter.ts";
import { MemoryVerdictStore } from "../../src/core/filter/arbiter/verdict-store.ts";
import { filterBids } from "../../src/core/filter/filter.ts";
import { makeBid } from "../../src/core/filter/fixture-bids.testing.ts";
import { decideSector } from "../../src/core/filter/sector-decision.ts";
import { SECTORS } from "../../src/core/filter/sectors.ts";
import type { Logger } from "../../src/core/ports/logger.ts";
import { searchQuerySchema } from "../../src/core/search-query.ts";
import { type FakeOpenAi, type FakeOpenAiRequest, startFakeOpenAi } from "../fakes/fake-openai.ts";

const events: { level: string; event: string }[] = [];
const logger = {
  debug: (_o: unknown, event: string) => events.push({ level: "debug", event }),
  info: (_o: unknown, event: string) => events.push({ level: "info", event }),
  warn: (_o: unknown, event: string) => events.push({ level: "warn", event }),
  error: (_o: unknown, event: string) => events.push({ level: "error", event }),
  child: () => logger,
} as unknown as Logger;

// Grey zone for Vestuário: an ambiguous word alone ("botas"), evidence only in the details.
const weakBoots = makeBid({ id: "boots", object: "Aquisição de botas para a equipe de campo" });
const detailsOnly = makeBid({
  id: "details",
  object: "Registro de preços para aquisição de materiais conforme termo de referência",
  details: "Itens: camisetas, bermudas e agasalhos",
});
const clear = makeBid({ id: "clear", object: "Aquisição de uniformes escolares" });
const none = makeBid({ id: "none", object: "Aquisição de cimento e areia" });
const BIDS = [weakBoots, detailsOnly, clear, none];

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake.close();
});

function arbiter(timeoutMs = 2_000) {
  return new OpenAiSectorArbiter({ apiKey: "test-key", baseURL: fake.baseURL, timeoutMs });
}

/** Answers "yes" for every id in the request (as the model would, structurally). */
function yesToAll(req: FakeOpenAiRequest) {
  const { licitacoes } = JSON.parse(req.body.messages[1].content) as { licitacoes: { id: string }[] };
  return {
    content: { verdicts: licitacoes.map((b) => ({ id: b.id, in_sector: true, reason: "Calçados." })) },
  };
}

describe("sector arbiter", () => {
  it("marks the grey zone and leaves clear decisions alone", () => {
    expect(decideSector("vestuario", weakBoots)).toMatchObject({ matched: false, weak: "ambiguous_only" });
    expect(decideSector("vestuario", detailsOnly)).toMatchObject({ matched: false, weak: "details_only" });
    expect(decideSector("vestuario", clear)).toMatchObject({ matched: true, weak: null });
  });

  it("asks about weak bids only, in one structured batch, and its verdicts decide them", async () => {
    fake.requests.length = 0;
    fake.setResponse(yesToAll);
    const store = new MemoryVerdictStore();
    const verdicts = await arbitrateBids(BIDS, "vestuario", { arbiter: arbiter(), store, logger });
    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0]!.body;
    expect(body.response_format.type).toBe("json_schema");
    const sent = JSON.parse(body.messages[1].content).licitacoes.map((b: { id: string }) => b.id);
    expect(sent.sort()).toEqual(["boots", "details"]);
    expect(body.messages[0].content).toContain("Vestuário");
    const query = searchQuerySchema.parse({ from: "2026-11-01", to: "2026-11-22", sector: "vestuario" });
    const result = filterBids(BIDS, query, new Date("2026-11-22T12:00:00Z"), verdicts);
    expect(result.bids.map((b) => b.id).sort()).toEqual(["boots", "clear", "details"]);
    const stored = await store.get([
      { bidId: "boots", sector: "vestuario", version: SECTORS.vestuario.version },
    ]);
    expect(stored).toEqual([
      {
        bidId: "boots",
        sector: "vestuario",
        version: SECTORS.vestuario.version,
        inSector: true,
        reason: "Calçados.",
      },
    ]);
  });

  it("asks each bid once per sector version (cache), and again under another version", async () => {
    fake.requests.length = 0;
    fake.setResponse(yesToAll);
    const store = new MemoryVerdictStore();
    await arbitrateBids(BIDS, "vestuario", { arbiter: arbiter(), store, logger });
    await arbitrateBids(BIDS, "vestuario", { arbiter: arbiter(), store, logger });
    expect(fake.requests).toHaveLength(1);
    const stale = await store.get([{ bidId: "boots", sector: "vestuario", version: "older" }]);
    expect(stale).toEqual([]);
  });

  it("splits the grey zone into batches", async () => {
    fake.requests.length = 0;
    fake.setResponse(yesToAll);
    const many = Array.from({ length: 45 }, (_, i) =>
      makeBid({ id: `b${i}`, object: `Aquisição de botas lote ${i}` }),
    );
    const verdicts = await arbitrateBids(many, "vestuario", {
      arbiter: arbiter(),
      store: new MemoryVerdictStore(),
      logger,
      batchSize: 20,
    });
    expect(fake.requests).toHaveLength(3);
    expect(verdicts.size).toBe(45);
  });

  it.each([
    ["a timeout", "hang" as const],
    ["an HTTP 500", "http_500" as const],
    ["truncated JSON", "invalid_json" as const],
    ["the wrong shape", "schema_mismatch" as const],
    ["a refusal", "refusal" as const],
  ])("keeps the deterministic decision on %s", async (_name, mode) => {
    fake.requests.length = 0;
    events.length = 0;
    fake.setResponse(mode);
    const store = new MemoryVerdictStore();
    const verdicts = await arbitrateBids(BIDS, "vestuario", { arbiter: arbiter(300), store, logger });
    expect(verdicts.size).toBe(0);
    expect(decideSector("vestuario", weakBoots, verdicts).matched).toBe(false);
    expect(events.some((e) => e.event === "sector_arbiter_failed")).toBe(true);
    expect(
      await store.get([{ bidId: "boots", sector: "vestuario", version: SECTORS.vestuario.version }]),
    ).toEqual([]);
  });

  it("ignores ids it did not ask about and keeps the rule for ids it did not answer", async () => {
    fake.requests.length = 0;
    fake.setResponse({
      content: {
        verdicts: [
          { id: "clear", in_sector: false, reason: "Tentativa de mudar um caso claro." },
          { id: "invented", in_sector: true, reason: "Não existe." },
          { id: "details", in_sector: false, reason: "Só o complemento fala de roupas." },
        ],
      },
    });
    const verdicts = await arbitrateBids(BIDS, "vestuario", {
      arbiter: arbiter(),
      store: new MemoryVerdictStore(),
      logger,
    });
    expect(verdicts.get("clear", "vestuario")).toBeUndefined();
    expect(verdicts.get("invented", "vestuario")).toBeUndefined();
    expect(verdicts.get("details", "vestuario")).toBe(false);
    expect(verdicts.get("boots", "vestuario")).toBeUndefined();
    expect(decideSector("vestuario", clear, verdicts).matched).toBe(true);
  });

  it("without an arbiter uses stored verdicts only", async () => {
    fake.requests.length = 0;
    const store = new MemoryVerdictStore();
    await store.put([
      {
        bidId: "boots",
        sector: "vestuario",
        version: SECTORS.vestuario.version,
        inSector: true,
        reason: "ok",
      },
    ]);
    const verdicts = await arbitrateBids(BIDS, "vestuario", { arbiter: null, store, logger });
    expect(fake.requests).toHaveLength(0);
    expect(decideSector("vestuario", weakBoots, verdicts)).toMatchObject({ matched: true, arbitrated: true });
  });
});

describe("createSectorArbitration", () => {
  it("binds the ports once and answers per call", async () => {
    fake.requests.length = 0;
    fake.setResponse(yesToAll);
    const { createSectorArbitration } = await import("../../src/core/filter/arbiter/arbitrate.ts");
    const arbitrate = createSectorArbitration({
      arbiter: arbiter(),
      store: new MemoryVerdictStore(),
      logger,
    });
    const first = await arbitrate(BIDS, "vestuario");
    const second = await arbitrate(BIDS, "vestuario");
    expect(first.get("boots", "vestuario")).toBe(true);
    expect(second.get("boots", "vestuario")).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });
});
