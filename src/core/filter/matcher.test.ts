import { describe, expect, it } from "vitest";
import { normalizeText, tokenize } from "../text-fold.ts";
import { compileMatcher } from "./matcher.ts";
import { wordForms } from "./word-forms.ts";

describe("normalizeText", () => {
  it.each([
    ["Aquisição de UNIFORMES (camisetas) p/ ACS", "aquisicao de uniformes camisetas p acs"],
    ["MATERIAIS MÉDICO-HOSPITALARES", "materiais medico hospitalares"],
    ["CAIXAS D’ÁGUA\tE  CISTERNAS\r\n", "caixas d agua e cisternas"],
    ["AQUISIÇÃO DE UNIFORMES E EPI´S", "aquisicao de uniformes e epis"],
    ["1º e 2º pavimentos", "1o e 2o pavimentos"],
    ["R$ 1.500,00", "r 1 500 00"],
    ["  ...  ", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it("tokenizes into words, and blank text into nothing", () => {
    expect(tokenize("Gêneros Alimentícios!")).toEqual(["generos", "alimenticios"]);
    expect(tokenize(" - ")).toEqual([]);
  });
});

describe("wordForms", () => {
  it.each([
    ["uniforme", "uniformes"],
    ["papel", "papeis"],
    ["material", "materiais"],
    ["feijao", "feijoes"],
    ["pao", "paes"],
    ["item", "itens"],
    ["lencol", "lencois"],
    ["gas", "gases"],
    ["notebook", "notebooks"],
    ["portatil", "portateis"],
  ])("%s has the plural %s, and the plural leads back to it", (singular, pluralForm) => {
    expect(wordForms(singular)).toContain(pluralForm);
    expect(wordForms(pluralForm)).toContain(singular);
  });

  it("makes de/do/da/dos/das interchangeable and leaves numbers alone", () => {
    expect(wordForms("de").sort()).toEqual(["da", "das", "de", "do", "dos"]);
    expect(wordForms("a4")).toEqual(["a4"]);
  });
});

describe("compileMatcher", () => {
  const vestuario = compileMatcher({
    keywords: ["uniforme", "uniforme escolar", "malha", "roupa", "camisa em malha"],
    exclusions: ["malha viária", "roupa de cama", "uniformização de procedimentos"],
  });

  it("matches whole words with plurals and accents ignored", () => {
    const r = vestuario.match("AQUISIÇÃO DE UNIFORMES PARA A GUARDA");
    expect(r).toEqual({ matched: true, excluded: false, hits: ["uniforme"], score: 1, tokens: 6 });
  });

  it("does not match inside other words", () => {
    expect(vestuario.match("Uniformização de procedimentos administrativos").matched).toBe(false);
    expect(vestuario.match("Aquisição de roupeiros de aço").matched).toBe(false);
  });

  it("prefers the longest phrase at a position and scores it by length", () => {
    const r = vestuario.match("Aquisição de uniformes escolares e camisas em malha");
    expect(r.hits).toEqual(["uniforme escolar", "camisa em malha"]);
    expect(r.score).toBe(5);
  });

  it("masks only the span an exclusion covers: the rest of the text still matches", () => {
    const r = vestuario.match("Aquisição de uniformes escolares e roupa de cama");
    expect(r).toMatchObject({ matched: true, excluded: true, hits: ["uniforme escolar"] });
  });

  it("drops a keyword whose only occurrence is inside an exclusion", () => {
    expect(vestuario.match("Recuperação da malha viária urbana")).toEqual({
      matched: false,
      excluded: true,
      hits: [],
      score: 0,
      tokens: 5,
    });
    expect(vestuario.match("Enxoval: roupas de cama e banho").matched).toBe(false);
  });

  it("treats connectors as interchangeable inside phrases", () => {
    const m = compileMatcher({ keywords: ["locação de veículo"] });
    expect(m.match("LOCAÇÃO DOS VEÍCULOS DA FROTA").hits).toEqual(["locação de veículo"]);
    expect(m.match("locação de ônibus").matched).toBe(false);
  });

  it("supports prefix patterns with a trailing *", () => {
    const m = compileMatcher({ keywords: ["odontolog*"] });
    expect(m.match("Insumos odontológicos e equipamentos").matched).toBe(true);
    expect(m.match("Odontologia").matched).toBe(true);
    expect(m.match("Oncologia").matched).toBe(false);
  });

  it("matches user plurals against singular text", () => {
    const m = compileMatcher({ keywords: ["jalecos", "papéis"] });
    expect(m.match("Registro de preços para aquisição de jaleco e papel").hits).toEqual([
      "jalecos",
      "papéis",
    ]);
  });

  it("finds keyword spans in token positions", () => {
    const m = compileMatcher({ keywords: ["merenda escolar", "kit lanche"] });
    expect(m.find("merenda escolar e kit lanche")).toEqual([
      { start: 0, end: 2, keyword: "merenda escolar" },
      { start: 3, end: 5, keyword: "kit lanche" },
    ]);
  });

  it("an empty keyword list matches nothing", () => {
    const m = compileMatcher({ keywords: [" ", ""] });
    expect(m.size).toBe(0);
    expect(m.match("qualquer coisa").matched).toBe(false);
  });
});
