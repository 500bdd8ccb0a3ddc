/**
 * The parser never throws: absurd dates, periods and values are echoed back as unreadable pieces and
 * the rest of the text is searched. User words are never object keys. Regression examples of the
 * property test in `test/query-fuzz.test.ts` live here as plain tests.
 */
import { describe, expect, it } from "vitest";
import { parseCommand } from "../chat/parse-command.ts";
import { type SearchQuery, searchQuerySchema } from "../search-query.ts";
import { describeQuery } from "./describe-query.ts";
import { parseQuery } from "./parse-query.ts";

// Sunday 22/11/2026, noon in São Paulo.
const NOW = new Date("2026-11-22T12:00:00-03:00");
const DEFAULT_PERIOD = { from: "2026-11-16", to: "2026-11-22" };
const BAD = /NaN|Infinity|undefined|Invalid Date|null/;

type Case = [text: string, unrecognized: string[], expected?: Partial<SearchQuery>];

const UNREADABLE: Case[] = [
  ["12/9999", ["12/9999"], DEFAULT_PERIOD],
  ["até 01/01/0000", ["até 01/01/0000"], DEFAULT_PERIOD],
  ["desde 01/01/0001 SP", ["desde 01/01/0001"], { ...DEFAULT_PERIOD, ufs: ["SP"] }],
  ["31/02/2026", ["31/02/2026"], DEFAULT_PERIOD],
  ["10/0000", ["10/0000"]],
  ["out/0000", ["out/0000"]],
  ["outubro de 0000", ["outubro de 0000"]],
  ["outubro de 9999", ["outubro de 9999"]],
  ["2026-99-99", ["2026-99-99"]],
  ["desde 01/01/2030", ["desde 01/01/2030"], DEFAULT_PERIOD],
  ["uniformes 99999999999 dias", ["99999999999 dias"], { sector: "vestuario", ...DEFAULT_PERIOD }],
  ["99999 anos", ["99999 anos"], DEFAULT_PERIOD],
  ["últimos 99999999 meses", ["últimos 99999999 meses"], DEFAULT_PERIOD],
  ["300 anos", ["300 anos"], DEFAULT_PERIOD],
  ["-5d", ["-5d"], DEFAULT_PERIOD],
  ["−5d", ["−5d"], DEFAULT_PERIOD],
  ["-5 dias", ["-5 dias"], DEFAULT_PERIOD],
  ["últimos -5 dias", ["últimos -5 dias"], DEFAULT_PERIOD],
  ["0d", ["0d"], DEFAULT_PERIOD],
  [`acima de ${"9".repeat(400)}`, [`acima de ${"9".repeat(400)}`], { minValue: null }],
  [`abaixo de ${"9".repeat(400)} mil`, [`abaixo de ${"9".repeat(400)} mil`], { maxValue: null }],
  ["9".repeat(400), ["9".repeat(400)]],
  ["acima de 999999999999999999999 mil", ["acima de 999999999999999999999 mil"], { minValue: null }],
  ["acima de 1.000.000.000.000.000.000", ["acima de 1.000.000.000.000.000.000"], { minValue: null }],
  ["acima de 1e999 SP", ["acima de 1e999"], { minValue: null, ufs: ["SP"] }],
  ["acima de -5", ["acima de -5"], { minValue: null }],
  ["até R$ -100", ["até R$ -100"], { maxValue: null }],
  ["1e999 uniformes", ["1e999"], { sector: "vestuario", terms: [] }],
  ["entre 1 e 9e999 mil", ["1", "9e999", "mil"]],
  ["min:99999999999999999999999", ["min:99999999999999999999999"], { minValue: null }],
  ["modalidade 99999999999999999999", ["modalidade 99999999999999999999"]],
];

describe("parseQuery: unreadable pieces are echoed, the rest is searched", () => {
  it.each(UNREADABLE)("%j", (text, unrecognized, expected = {}) => {
    const parsed = parseQuery(text, { now: NOW });
    expect(parsed.unrecognized).toEqual(unrecognized);
    expect(parsed.query).toMatchObject(expected);
    expect(searchQuerySchema.parse(parsed.query)).toEqual(parsed.query);
    for (const shown of [...parsed.notes, describeQuery(parsed.query)]) expect(shown).not.toMatch(BAD);
  });
});

const PROTO_WORDS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype"];

describe("user words are never object keys", () => {
  it.each(PROTO_WORDS)("%j is an ordinary word everywhere in the grammar", (w) => {
    const texts = [
      w,
      `${w} SP`,
      `últimos ${w}`,
      `5 ${w}`,
      `acima de 5 ${w}`,
      `${w} dias`,
      `setor:${w}`,
      `uf:${w}`,
      `modalidade:${w}`,
      `ordem:${w}`,
      `esfera:${w}`,
      `status:${w}`,
      `min:${w}`,
      `${w}:x`,
      `modalidade ${w}`,
      `em ${w}`,
    ];
    for (const text of texts) {
      const parsed = parseQuery(text, { now: NOW });
      expect(searchQuerySchema.parse(parsed.query)).toEqual(parsed.query);
      expect(parsed.query).toMatchObject({ sector: null, ...DEFAULT_PERIOD });
      expect([null, 5]).toContain(parsed.query.minValue);
      for (const shown of [...parsed.notes, ...parsed.unrecognized, describeQuery(parsed.query)])
        expect(shown).not.toMatch(/NaN|Infinity|undefined|Invalid Date|function/);
    }
    expect(parseQuery(w, { now: NOW }).recognized).toEqual([]);
  });

  it.each(PROTO_WORDS)("/%s is an unknown command", (w) => {
    expect(parseCommand(`/${w}`, true)).toEqual({ name: "unknown", command: `/${w}` });
    expect(parseCommand(`/${w} uniformes`, false)).toEqual({ name: "unknown", command: `/${w}` });
  });
});
