import { describe, expect, it } from "vitest";
import { tokenizeQuery } from "./query-tokens.ts";
import { numberAt } from "./read-numbers.ts";

const read = (text: string) => {
  const n = numberAt(tokenizeQuery(text), 0);
  return n && { value: n.value, length: n.length, words: n.words };
};

describe("numberAt: numbers in digits and in words", () => {
  it.each([
    ["quinze", 15, 1],
    ["duas", 2, 1],
    ["Três", 3, 1],
    ["vinte e cinco", 25, 3],
    ["cento e vinte e cinco", 125, 5],
    ["cento e quinze", 115, 3],
    ["cem", 100, 1],
    ["cinquenta mil", 50_000, 2],
    ["cem mil", 100_000, 2],
    ["mil", 1_000, 1],
    ["mil e quinhentos", 1_500, 3],
    ["duzentos e cinquenta mil", 250_000, 4],
    ["um milhão", 1_000_000, 2],
    ["um milhão e meio", 1_500_000, 4],
    ["dois milhões e meio", 2_500_000, 4],
    ["dois milhões e trezentos mil", 2_300_000, 5],
    ["um milhão duzentos mil", 1_200_000, 4],
    ["um milhão e duzentos", 1_200_000, 4],
    ["dois bilhões", 2e9, 2],
    ["UM MILHÃO E MEIO", 1_500_000, 4],
    ["um milhao e meio", 1_500_000, 4],
  ])("%j = %d (%d tokens, words)", (text, value, length) => {
    expect(read(text)).toEqual({ value, length, words: true });
  });

  it.each([
    ["50", 50, 1],
    ["50 mil", 50_000, 2],
    ["50k", 50_000, 1],
    ["1,5 milhão", 1_500_000, 2],
    ["1 milhão e meio", 1_500_000, 4],
    ["2 milhões e 300 mil", 2_300_000, 5],
    ["R$200.000,00", 200_000, 1],
  ])("%j = %d (%d tokens, digits)", (text, value, length) => {
    expect(read(text)).toEqual({ value, length, words: false });
  });

  it.each([
    // "e" joins only in Portuguese order, so ranges stay readable
    ["dez e cinquenta mil", 10, 1],
    ["um e dois milhões", 1, 1],
    ["cem e duzentos", 100, 1],
    ["vinte e dez", 20, 1],
    ["um milhão e dois milhões", 1_000_000, 2],
    ["cem mil e um milhão", 100_000, 2],
    ["mil e dois mil", 1_000, 1],
    ["10 mil e 500", 10_000, 2],
    ["cinquenta e SP", 50, 1],
  ])("%j stops early: %d (%d tokens)", (text, value, length) => {
    expect(read(text)).toMatchObject({ value, length });
  });

  it.each(["constructor", "__proto__", "toString", "meio", "e", "banana", "-5", "1e999", '"quinze"'])(
    "%j is not a number",
    (text) => {
      expect(read(text)).toBeNull();
    },
  );
});
