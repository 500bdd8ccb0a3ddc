/**
 * What Brazilians write: number words and periods, the `recognized` kinds, the note for a sector word
 * next to other words, and the notes about corrected periods.
 */
import { describe, expect, it } from "vitest";
import { type RecognizedKind, type SearchQuery, searchQuerySchema } from "../search-query.ts";
import { parseQuery } from "./parse-query.ts";

// Sunday 22/11/2026, noon in São Paulo.
const NOW = new Date("2026-11-22T12:00:00-03:00");
const parse = (text: string) => parseQuery(text, { now: NOW });

type Case = [text: string, expected: Partial<SearchQuery>];

const PERIODS: Case[] = [
  ["últimas duas semanas", { from: "2026-11-09", to: "2026-11-22" }],
  ["ultimas duas semanas", { from: "2026-11-09" }],
  ["ÚLTIMAS DUAS SEMANAS", { from: "2026-11-09" }],
  ["nas últimas 2 semanas", { from: "2026-11-09" }],
  ["duas semanas", { from: "2026-11-09" }],
  ["3 semanas", { from: "2026-11-02" }],
  ["três semanas", { from: "2026-11-02" }],
  ["uma semana", { from: "2026-11-16" }],
  ["nos últimos quinze dias", { from: "2026-11-08", to: "2026-11-22" }],
  ["nos ultimos quinze dias", { from: "2026-11-08" }],
  ["últimos vinte e cinco dias", { from: "2026-10-29" }],
  ["quinze dias", { from: "2026-11-08" }],
  ["até quinze dias", { from: "2026-11-08" }],
  ["15dias", { from: "2026-11-08" }],
  ["quinzena", { from: "2026-11-08" }],
  ["última quinzena", { from: "2026-11-08" }],
  ["ultima quinzena", { from: "2026-11-08" }],
  ["quinzena passada", { from: "2026-11-08" }],
  ["2 quinzenas", { from: "2026-10-24" }],
  ["duas quinzenas", { from: "2026-10-24" }],
  ["2 meses", { from: "2026-09-24" }],
  ["dois meses", { from: "2026-09-24" }],
  ["últimos dois meses", { from: "2026-09-24" }],
  ["nos últimos 2 meses", { from: "2026-09-24" }],
  ["três meses", { from: "2026-08-25" }],
  ["trimestre", { from: "2026-08-25" }],
  ["último trimestre", { from: "2026-08-25" }],
  ["semestre", { from: "2026-05-27" }],
  ["último semestre", { from: "2026-05-27" }],
  ["ultimo semestre", { from: "2026-05-27" }],
  ["semestre passado", { from: "2026-05-27" }],
  ["6 meses", { from: "2026-05-27" }],
  ["seis meses", { from: "2026-05-27" }],
  ["um ano", { from: "2025-11-23" }],
  ["mês passado", { from: "2026-10-01", to: "2026-10-31" }],
  ["mes passado", { from: "2026-10-01", to: "2026-10-31" }],
  ["uniformes SC últimas duas semanas", { sector: "vestuario", ufs: ["SC"], from: "2026-11-09" }],
];

const VALUES: Case[] = [
  ["acima de cinquenta mil", { minValue: 50_000, maxValue: null }],
  ["acima de cem mil", { minValue: 100_000 }],
  ["acima de mil reais", { minValue: 1_000 }],
  ["mais de cinquenta mil", { minValue: 50_000 }],
  ["até cem mil", { maxValue: 100_000 }],
  ["acima de um milhão e meio", { minValue: 1_500_000 }],
  ["abaixo de um milhão e meio", { maxValue: 1_500_000 }],
  ["até dois milhões e trezentos mil", { maxValue: 2_300_000 }],
  ["acima de 1 milhão e meio", { minValue: 1_500_000 }],
  ["abaixo de R$ 2 milhões e 500 mil", { maxValue: 2_500_000 }],
  ["acima de cento e vinte e cinco mil", { minValue: 125_000 }],
  ["valor mínimo de duzentos mil reais", { minValue: 200_000 }],
  ["entre dez e cinquenta mil", { minValue: 10_000, maxValue: 50_000 }],
  ["entre cem mil e um milhão", { minValue: 100_000, maxValue: 1_000_000 }],
  ["entre um milhão e dois milhões", { minValue: 1_000_000, maxValue: 2_000_000 }],
  ["de um a dois milhões", { minValue: 1_000_000, maxValue: 2_000_000 }],
  ["de quinhentos mil a um milhão e meio", { minValue: 500_000, maxValue: 1_500_000 }],
  // a count in words after a weak lead is not money
  ["mais de dois", { minValue: null }],
];

describe("parseQuery: number words and periods", () => {
  it.each([...PERIODS, ...VALUES])("%j", (text, expected) => {
    const parsed = parse(text);
    expect(parsed.query).toMatchObject(expected);
    expect(parsed.unrecognized).toEqual([]);
    expect(searchQuerySchema.parse(parsed.query)).toEqual(parsed.query);
  });

  it.each([
    ["um milhão e meio", "um milhão e meio"],
    ["vinte e cinco mil", "vinte e cinco mil"],
  ])("bare money in words (%j) is echoed like a bare '50 mil'", (text, piece) => {
    expect(parse(text).unrecognized).toEqual([piece]);
  });

  it("keeps town names that start with a number word", () => {
    expect(parse("obras em Sete Lagoas").query).toMatchObject({ municipios: ["Sete Lagoas"] });
    expect(parse("Três Rios").query.from).toBe("2026-11-16");
  });
});

const RECOGNIZED: [text: string, kinds: RecognizedKind[]][] = [
  ["asdfgh qwerty", []],
  ["obrigado!", []],
  ["jalecos camisetas", []],
  ["", []],
  ["constructor __proto__ toString", []],
  ["uniformes", ["sector"]],
  ["setor:saude", ["sector"]],
  ["SP", ["uf"]],
  ["são paulo", ["uf"]],
  ["todo o Brasil", ["uf"]],
  ["15d", ["period"]],
  ["últimas duas semanas", ["period"]],
  ["acima de 50 mil", ["value"]],
  ["min:50mil", ["value"]],
  ["pregão", ["modalidade"]],
  ["modalidade:8", ["modalidade"]],
  ["abertas", ["open"]],
  ["encerradas", ["status"]],
  ["mais recentes", ["sort"]],
  ["municipal", ["esfera"]],
  ["em Campinas", ["municipio"]],
  ["prefeitura de Vitória", ["esfera", "municipio"]],
  ["cnpj:18715383000140", ["orgao"]],
  ['"kit lanche"', ["quoted_term"]],
  ['"de"', []],
  [
    "uniformes SC PR 15d acima de 50 mil pregão abertas",
    ["sector", "uf", "period", "value", "modalidade", "open"],
  ],
  ["notebook SP", ["uf"]],
  // a sector name searched as a term still shows the text is a search
  ["uniformes jalecos", ["sector"]],
  // unreadable pieces are not recognised
  ["acima de banana", []],
  ["32/13/2026", []],
  ["setor:xyz", []],
  ["jalecos pe", []],
];

describe("parseQuery: recognized", () => {
  it.each(RECOGNIZED)("%j → %j", (text, kinds) => {
    expect(parse(text).recognized).toEqual(kinds);
  });

  it("does not count defaults as recognised", () => {
    const parsed = parseQuery("jalecos", { now: NOW, defaults: { ufs: ["SC"], sector: "saude" } });
    expect(parsed.query.ufs).toEqual(["SC"]);
    expect(parsed.recognized).toEqual([]);
  });
});

describe("parseQuery: a sector word next to other words", () => {
  it("searches it as a term and says how to ask for the sector", () => {
    const parsed = parse("uniformes xyz");
    expect(parsed.query).toMatchObject({ sector: null, terms: ["uniformes", "xyz"] });
    expect(parsed.notes).toEqual([
      "“uniformes” foi buscado como termo junto com “xyz”; para o setor Vestuário e Uniformes, use setor:vestuario.",
    ]);
  });

  it("names every other term (up to three) and every sector word", () => {
    const notes = parse("informática notebooks, tablets, monitores, mouses").notes;
    expect(notes).toEqual([
      "“informática” foi buscado como termo junto com “notebooks”, “tablets”, “monitores” e mais 1; para o setor Informática e Equipamentos de TI, use setor:informatica.",
    ]);
    expect(parse("uniformes informática").notes).toHaveLength(2);
  });

  it("says nothing when the sector was chosen, the word was quoted or stands alone", () => {
    expect(parse("uniformes SC").notes).toEqual([]);
    expect(parse("setor:saude uniformes xyz").notes).toEqual([]);
    expect(parse('"uniformes" xyz').notes).toEqual([]);
  });
});

describe("parseQuery: corrected periods are described as searched", () => {
  it("names the swapped dates", () => {
    expect(parse("de 31/10/2026 a 01/10/2026").notes).toEqual([
      "Datas invertidas: usei 01/10/2026 a 31/10/2026.",
    ]);
  });

  it("clamps a future start first, then swaps: the note names the period searched", () => {
    const parsed = parse("de 30/12/2026 a 01/11/2026");
    expect(parsed.query).toMatchObject({ from: "2026-11-01", to: "2026-11-22" });
    expect(parsed.notes).toEqual([
      "Data inicial no futuro: usei hoje (22/11/2026).",
      "Datas invertidas: usei 01/11/2026 a 22/11/2026.",
    ]);
  });

  it("a period wholly in the future becomes today, with a note", () => {
    const parsed = parse("12/2027");
    expect(parsed.query).toMatchObject({ from: "2026-11-22", to: "2026-11-22" });
    expect(parsed.notes).toEqual(["Período no futuro: usei hoje (22/11/2026)."]);
  });

  it("reads a two-digit year as the nearest past century", () => {
    expect(parse("01/10/99").query).toMatchObject({ from: "1999-10-01", to: "1999-10-01" });
    expect(parse("01/10/26").query).toMatchObject({ from: "2026-10-01" });
  });
});
