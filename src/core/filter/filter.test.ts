import { describe, expect, it } from "vitest";
import { type SearchQuery, searchQuerySchema } from "../search-query.ts";
import { filterBids } from "./filter.ts";
import { loadFixtureBids, makeBid } from "./fixture-bids.testing.ts";

const NOW = new Date("2026-11-22T12:00:00-03:00");
const query = (over: Partial<SearchQuery> = {}): SearchQuery =>
  searchQuerySchema.parse({ from: "2026-11-16", to: "2026-11-22", modalidades: [6, 4, 8], ...over });
const ids = (bids: { id: string }[]) => bids.map((b) => b.id);

describe("filterBids: text", () => {
  const uniforms = makeBid({ id: "u", object: "Aquisição de uniformes escolares" });
  const jaleco = makeBid({ id: "j", object: "Registro de preços para aquisição de JALECOS" });
  const viaria = makeBid({ id: "v", object: "Recuperação da malha viária" });
  const details = makeBid({ id: "d", object: "Pregão 12/2026", details: "Objeto: fardamento para a guarda" });
  const all = [uniforms, jaleco, viaria, details];

  it("without sector and terms keeps every bid and reports no scores", () => {
    const r = filterBids(all, query(), NOW);
    expect(r.bids).toHaveLength(4);
    expect(r.termsUsed).toEqual([]);
    expect(r.scores).toBeUndefined();
  });

  it("matches the sector keywords on the object, honouring exclusions; details alone never decide", () => {
    const r = filterBids(all, query({ sector: "vestuario" }), NOW);
    expect(ids(r.bids).sort()).toEqual(["j", "u"]);
    expect(r.scores?.get("u")).toBeGreaterThan(0);
  });

  it("lets the user's terms replace the sector keywords, echoing them without stopwords", () => {
    const r = filterBids(
      all,
      query({ sector: "vestuario", terms: ["de", "jalecos", "Jalecos", "para"] }),
      NOW,
    );
    expect(ids(r.bids)).toEqual(["j"]);
    expect(r.termsUsed).toEqual(["jalecos"]);
  });

  it("keeps phrases whole", () => {
    const r = filterBids(all, query({ terms: ['"uniformes escolares"'] }), NOW);
    expect(ids(r.bids)).toEqual(["u"]);
    expect(r.termsUsed).toEqual(["uniformes escolares"]);
  });

  it("filters real fixture records by sector", () => {
    const fixtures = loadFixtureBids();
    const r = filterBids(fixtures, query({ sector: "saude", modalidades: [6] }), NOW);
    expect(r.bids.length).toBeGreaterThan(100);
    expect(r.bids.length).toBeLessThan(fixtures.length);
    expect(r.bids.every((b) => !/uso veterin/i.test(b.object))).toBe(true);
  });
});

describe("filterBids: fields", () => {
  it("filters by UF (a bid without UF fails)", () => {
    const bids = [
      makeBid({ id: "sp", uf: "SP" }),
      makeBid({ id: "rj", uf: "RJ" }),
      makeBid({ id: "x", uf: null }),
    ];
    expect(ids(filterBids(bids, query({ ufs: ["RJ", "MG"] }), NOW).bids)).toEqual(["rj"]);
  });

  it("treats null and 0 values as unknown: out with a minimum, in with a maximum", () => {
    const bids = [
      makeBid({ id: "big", estimatedValue: 500_000 }),
      makeBid({ id: "small", estimatedValue: 10_000 }),
      makeBid({ id: "null", estimatedValue: null }),
      makeBid({ id: "zero", estimatedValue: 0 }),
    ];
    expect(ids(filterBids(bids, query({ minValue: 50_000 }), NOW).bids)).toEqual(["big"]);
    // unknown values tie (sorted last), then fall back to newest and id
    expect(ids(filterBids(bids, query({ maxValue: 50_000, sort: "value_asc" }), NOW).bids)).toEqual([
      "small",
      "null",
      "zero",
    ]);
    expect(ids(filterBids(bids, query({ minValue: 5_000, maxValue: 100_000 }), NOW).bids)).toEqual(["small"]);
  });

  it("filters by modalidade, status, esfera", () => {
    const bids = [
      makeBid({ id: "a", modalityId: 6, status: "encerrada", esfera: "M" }),
      makeBid({ id: "b", modalityId: 8, status: "em_julgamento", esfera: "F" }),
      makeBid({ id: "c", modalityId: 7, status: "em_julgamento", esfera: null }),
    ];
    expect(ids(filterBids(bids, query({ modalidades: [6, 8] }), NOW).bids).sort()).toEqual(["a", "b"]);
    expect(
      ids(filterBids(bids, query({ modalidades: [6, 7, 8], statuses: ["em_julgamento"] }), NOW).bids).sort(),
    ).toEqual(["b", "c"]);
    expect(ids(filterBids(bids, query({ modalidades: [6, 7, 8], esferas: ["F", "E"] }), NOW).bids)).toEqual([
      "b",
    ]);
  });

  it("openOnly keeps bids receiving proposals whose closing is still ahead", () => {
    const bids = [
      makeBid({ id: "open", status: "recebendo_propostas", proposalsCloseAt: "2026-11-30T13:00:00.000Z" }),
      makeBid({ id: "stale", status: "recebendo_propostas", proposalsCloseAt: "2026-11-21T13:00:00.000Z" }),
      makeBid({ id: "closed", status: "encerrada", proposalsCloseAt: "2026-11-30T13:00:00.000Z" }),
    ];
    expect(ids(filterBids(bids, query({ openOnly: true }), NOW).bids)).toEqual(["open"]);
  });

  it("filters by município name (normalized, whole) or IBGE code", () => {
    const bids = [
      makeBid({ id: "sp", municipality: "São Paulo", ibgeCode: "3550308" }),
      makeBid({ id: "olivenca", municipality: "São Paulo de Olivença", ibgeCode: "1303908" }),
      makeBid({ id: "bh", municipality: "Belo Horizonte", ibgeCode: "3106200" }),
    ];
    expect(ids(filterBids(bids, query({ municipios: ["SAO PAULO"] }), NOW).bids)).toEqual(["sp"]);
    expect(ids(filterBids(bids, query({ municipios: ["3106200"] }), NOW).bids)).toEqual(["bh"]);
  });

  it("filters by órgão name fragment or CNPJ (full, formatted or root)", () => {
    const bids = [
      makeBid({ id: "bh", agency: "MUNICIPIO DE BELO HORIZONTE", cnpj: "18715383000140" }),
      makeBid({
        id: "vit",
        agency: "MUNICIPIO DE VITORIA",
        unit: "Secretaria de Saúde",
        cnpj: "27142058000126",
      }),
    ];
    expect(ids(filterBids(bids, query({ orgaos: ["município de Vitória"] }), NOW).bids)).toEqual(["vit"]);
    expect(ids(filterBids(bids, query({ orgaos: ["secretaria de saude"] }), NOW).bids)).toEqual(["vit"]);
    expect(ids(filterBids(bids, query({ orgaos: ["18.715.383/0001-40"] }), NOW).bids)).toEqual(["bh"]);
    expect(ids(filterBids(bids, query({ orgaos: ["27142058"] }), NOW).bids)).toEqual(["vit"]);
    expect(ids(filterBids(bids, query({ orgaos: ["horizon"] }), NOW).bids)).toEqual([]);
  });
});

describe("filterBids: sorting", () => {
  const a = makeBid({
    id: "a",
    publishedAt: "2026-11-18T12:00:00.000Z",
    estimatedValue: 300,
    proposalsCloseAt: "2026-11-20T12:00:00.000Z",
  });
  const b = makeBid({
    id: "b",
    publishedAt: "2026-11-21T12:00:00.000Z",
    estimatedValue: null,
    proposalsCloseAt: "2026-12-10T12:00:00.000Z",
  });
  const c = makeBid({
    id: "c",
    publishedAt: "2026-11-19T12:00:00.000Z",
    estimatedValue: 900,
    proposalsCloseAt: "2026-11-25T12:00:00.000Z",
  });
  const d = makeBid({ id: "d", publishedAt: null, estimatedValue: 100, proposalsCloseAt: null });
  const bids = [a, b, c, d];
  const sorted = (sort: SearchQuery["sort"]) => ids(filterBids(bids, query({ sort }), NOW).bids);

  it.each([
    ["newest", ["b", "c", "a", "d"]],
    ["oldest", ["a", "c", "b", "d"]],
    ["value_desc", ["c", "a", "d", "b"]],
    ["value_asc", ["d", "a", "c", "b"]],
    ["closing_soon", ["c", "b", "a", "d"]],
    ["relevance", ["b", "c", "a", "d"]],
  ] as const)("%s", (sort, expected) => {
    expect(sorted(sort)).toEqual(expected);
  });

  it("relevance ranks more and longer hits first, ties newest first", () => {
    const one = makeBid({
      id: "one",
      object: "Aquisição de camisetas",
      publishedAt: "2026-11-21T12:00:00.000Z",
    });
    const many = makeBid({
      id: "many",
      object: "Uniforme escolar: camisetas, bermudas e tênis",
      publishedAt: "2026-11-17T12:00:00.000Z",
    });
    const tie = makeBid({
      id: "tie",
      object: "Aquisição de bermudas",
      publishedAt: "2026-11-20T12:00:00.000Z",
    });
    const r = filterBids([one, tie, many], query({ sector: "vestuario" }), NOW);
    expect(ids(r.bids)).toEqual(["many", "one", "tie"]);
  });
});
