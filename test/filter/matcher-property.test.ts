/**
 * Property: on generated texts the one-pass matcher answers exactly as the reference matcher — texts
 * that mix real sector keywords (re-cased, re-accented with precomposed and combining marks, written in
 * full-width letters, with "´S" plurals) with punctuation and hard Unicode: combining marks outside
 * U+0300..U+036F, ligatures and compatibility characters that fold to several letters (ﬁ, ㎏, ǆ, ½),
 * emoji and other astral characters, lone surrogates, ordinals (º), digits. Matchers are the sectors' and
 * generated keyword/exclusion lists (phrases, connectors, `prefix*`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMatcher, compileMatchers, type MatcherSpec } from "../../src/core/filter/matcher.ts";
import { compileReferenceMatcher } from "../../src/core/filter/reference-matcher.ts";
import { SECTORS } from "../../src/core/filter/sectors.ts";
import { SECTOR_IDS } from "../../src/core/sectors.ts";
import { tokenize } from "../../src/core/text-fold.ts";

const ALL_KEYWORDS = SECTOR_IDS.flatMap((id) => [...SECTORS[id].keywords, ...SECTORS[id].exclusions]);
const WORDS = ["de", "da", "dos", "em", "na", "e", "para", "aquisição", "serviço", "material", "epi", "kit"];

/** Characters that stress the fold: separators, apostrophes, marks, several-letter folds, astral, lone. */
const ODD = [
  " ",
  "  ",
  "-",
  "/",
  ",",
  ".",
  "(",
  ")",
  "\t",
  "\n",
  "'",
  "’",
  "´",
  "`",
  "´S",
  "'s",
  "’S ",
  "º",
  "ª",
  "\u0301",
  "\u0345",
  "\u036f",
  "\u0327",
  "\u0303",
  "\u20d0",
  "\u1ab0",
  "\ufe20",
  "ﬁ",
  "ﬂ",
  "㎏",
  "ǆ",
  "Ĳ",
  "½",
  "①",
  "ß",
  "😀",
  "👩‍⚕️",
  "𝐀",
  "𝒂",
  "\ud800",
  "\udc00",
  "\ud83d",
  "x\ud800s",
  "\u200b",
  "\u00a0",
  "–",
  "“",
  "”",
  "…",
  "€",
  "R$ 1.500,00",
  "1º",
  "nº",
  "İ",
  "Ø",
  "æ",
  "Ω",
  "ñ",
  "ü",
  "ç",
  "ã",
  "é",
];

const fullWidth = (text: string) =>
  text.replace(/[a-z0-9]/gi, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const combining = (text: string) => text.normalize("NFD");
const variants = [
  (t: string) => t,
  (t: string) => t.toUpperCase(),
  combining,
  (t: string) => combining(t.toUpperCase()),
  fullWidth,
  (t: string) => `${t}´S`,
  (t: string) => `${t}s`,
  (t: string) => `${t}es`,
  (t: string) => t.slice(0, Math.max(1, t.length - 1)),
  (t: string) => t.replace(/ /g, " - "),
];

const keyword = fc
  .tuple(fc.constantFrom(...ALL_KEYWORDS), fc.integer({ min: 0, max: variants.length - 1 }))
  .map(([k, v]) => variants[v]!(k.replace(/\*$/, "")));
const fragment = fc.oneof(
  { weight: 4, arbitrary: keyword },
  { weight: 2, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
);
const text = fc
  .array(fc.tuple(fragment, fc.constantFrom(" ", "", ", ", "-", "\u0301", "'")), { maxLength: 14 })
  .map((parts) => parts.map(([f, sep]) => f + sep).join(""));

const pattern = fc
  .array(fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...ALL_KEYWORDS), fc.constantFrom(...ODD)), {
    minLength: 1,
    maxLength: 3,
  })
  .chain((words) =>
    fc.boolean().map((prefix) => (prefix ? `${words.join(" ").slice(0, 6)}*` : words.join(" "))),
  );
const spec: fc.Arbitrary<MatcherSpec> = fc.oneof(
  fc.constantFrom(...SECTOR_IDS).map((id) => ({
    keywords: SECTORS[id].keywords,
    exclusions: SECTORS[id].exclusions,
  })),
  fc.record({
    keywords: fc.array(pattern, { maxLength: 8 }),
    exclusions: fc.array(pattern, { maxLength: 4 }),
  }),
);

describe("one-pass matcher vs reference matcher on generated texts", () => {
  it("same match (hits, order, score, excluded, tokens) and same spans", () => {
    fc.assert(
      fc.property(spec, fc.array(text, { minLength: 1, maxLength: 6 }), (matcherSpec, texts) => {
        const fast = compileMatcher(matcherSpec);
        const reference = compileReferenceMatcher(matcherSpec);
        expect(fast.size).toBe(reference.size);
        for (const t of texts) {
          expect(fast.match(t)).toEqual(reference.match(t));
          expect(fast.find(t)).toEqual(reference.find(t));
          expect(fast.match(t).tokens).toBe(tokenize(t).length);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("matchers compiled as a group (one trie) answer as each alone, in any call order", () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(text, fc.nat()), { minLength: 1, maxLength: 8 }),
        (specs, calls) => {
          const grouped = compileMatchers(specs);
          const alone = specs.map((s) => compileReferenceMatcher(s));
          for (const [t, pick] of calls) {
            const k = pick % specs.length;
            expect(grouped[k]!.match(t)).toEqual(alone[k]!.match(t));
            expect(grouped[k]!.find(t)).toEqual(alone[k]!.find(t));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("generated texts do hit keywords and exclusions (the property is not vacuous)", () => {
    const vestuario = compileReferenceMatcher(SECTORS.vestuario);
    const samples = fc.sample(text, { numRuns: 300, seed: 7 });
    const all = SECTOR_IDS.map((id) => compileReferenceMatcher(SECTORS[id]));
    expect(samples.filter((t) => all.some((m) => m.match(t).matched)).length).toBeGreaterThan(100);
    expect(samples.filter((t) => all.some((m) => m.match(t).excluded)).length).toBeGreaterThan(5);
    expect(vestuario.size).toBeGreaterThan(0);
  });

  it("agrees on the hard cases by name", () => {
    const m = { keywords: ["epi", "luva", "odontolog*", "kit lanche"], exclusions: ["luva de pedreiro"] };
    const fast = compileMatcher(m);
    const reference = compileReferenceMatcher(m);
    for (const t of [
      "AQUISIÇÃO DE EPI´S E LUVAS",
      "EPI'S, EPI’s e EPI`S",
      "ＥＰＩ e ＬＵＶＡ",
      "lu\u0301va odontolo\u0301gica",
      "luva\u20d0 kit😀lanche",
      "luva\ud800 de pedreiro",
      "ﬁ luva ㎏ kit lanche ǆ",
      "odontologia odontólogos odonto",
      "epi´",
      "´s epi ´s",
    ]) {
      expect(fast.match(t)).toEqual(reference.match(t));
      expect(fast.find(t)).toEqual(reference.find(t));
    }
  });
});
