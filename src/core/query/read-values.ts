/**
 * Money expressions of the query grammar, in pt-BR notation: "50 mil", "50k", "R$ 200.000,00",
 * "1,5 milhão", "cinquenta mil", "um milhão e meio", "entre 10 e 100 mil" (the last multiplier applies
 * to both ends). Amounts above {@link MAX_VALUE} or not finite are unreadable (echoed back), never
 * `Infinity`.
 */
import { matchPhrase, phraseTable, type QueryToken } from "./query-tokens.ts";
import { numberAt } from "./read-numbers.ts";

/** A value bound read from the text, or a value phrase whose amount could not be read. */
export type ValueRead =
  | { length: number; min: number | null; max: number | null }
  | { length: number; error: true };

/** An amount: `explicit` when it carried "R$" or a multiplier (so it is clearly money, not a count). */
export interface Money {
  value: number;
  length: number;
  explicit: boolean;
  multiplied: boolean;
  /** Factor of "mil" / "milhão" / "k"…, when present. */
  multiplier?: number;
  /** Written only in words ("cinquenta mil"). */
  words: boolean;
  /** Typed as money but not a usable amount (beyond {@link MAX_VALUE}, "9999…9" with 400 digits). */
  invalid?: true;
}

/** The largest amount we read (R$ 1 quatrilhão); above it a value is echoed back as unreadable. */
export const MAX_VALUE = 1e15;

const LEADS = phraseTable<true>(
  ["valor", "valores", "com valor", "com valores", "de valor"].map((p) => [p, true] as const),
);
type Bound = "min" | "max";
const STRONG = phraseTable<Bound>([
  ["acima de", "min"],
  ["acima", "min"],
  ["maior que", "min"],
  ["maior do que", "min"],
  ["superior a", "min"],
  ["mínimo", "min"],
  ["mínimo de", "min"],
  ["no mínimo", "min"],
  ["min", "min"],
  [">", "min"],
  [">=", "min"],
  ["abaixo de", "max"],
  ["abaixo", "max"],
  ["menor que", "max"],
  ["menor do que", "max"],
  ["inferior a", "max"],
  ["máximo", "max"],
  ["máximo de", "max"],
  ["no máximo", "max"],
  ["max", "max"],
  ["<", "max"],
  ["<=", "max"],
]);
const WEAK = phraseTable<Bound>([
  ["mais de", "min"],
  ["a partir de", "min"],
  ["até", "max"],
  ["menos de", "max"],
]);
const RANGE_LEADS = phraseTable<"strong" | "weak">([
  ["entre", "strong"],
  ["de", "weak"],
]);
const RANGE_SEPARATORS = new Set(["e", "a", "ate"]);

/** Reads a value bound or range at `tokens[i]`, or null when there is none. */
export function readValue(tokens: readonly QueryToken[], i: number): ValueRead | null {
  const lead = matchPhrase(tokens, i, LEADS)?.length ?? 0;
  const range = readRange(tokens, i + lead);
  if (range) return { ...range, length: lead + range.length };
  for (const [table, strong] of [
    [STRONG, true],
    [WEAK, false],
  ] as const) {
    const bound = matchPhrase(tokens, i + lead, table);
    if (!bound) continue;
    let money = moneyAt(tokens, i + lead + bound.length);
    // "mais de um ano", "até dois": a number in words after a weak lead is not money unless it says so.
    if (money && !strong && lead === 0 && isPlainWords(money)) money = null;
    const length = lead + bound.length + (money?.length ?? 0);
    if (money?.invalid) return { length, error: true };
    const announced = tokens[i + lead + bound.length]?.fold;
    if (!money && announced?.startsWith("r$")) {
      // "até R$ -100", "mais de R$ banana": money was announced but cannot be read.
      const amount = announced === "r$" ? 2 : 1;
      return { length: Math.min(lead + bound.length + amount, tokens.length - i), error: true };
    }
    if (money) {
      return bound.value === "min"
        ? { length, min: money.value, max: null }
        : { length, min: null, max: money.value };
    }
    if (strong || lead > 0) return { length: Math.min(length + 1, tokens.length - i), error: true };
  }
  return null;
}

/** "quinze", "dois": words that could be a count as well as money. */
const isPlainWords = (money: Money) => money.words && !money.explicit;

function readRange(tokens: readonly QueryToken[], i: number): ValueRead | null {
  const lead = matchPhrase(tokens, i, RANGE_LEADS);
  if (!lead) return null;
  const low = moneyAt(tokens, i + lead.length);
  if (!low) return null;
  const sep = tokens[i + lead.length + low.length];
  if (!sep || !RANGE_SEPARATORS.has(sep.key)) return null;
  const high = moneyAt(tokens, i + lead.length + low.length + 1);
  if (!high) return null;
  const length = lead.length + low.length + 1 + high.length;
  // "de 10 a 50" without R$ or "mil" is too vague to be money ("de 10 a 50 unidades").
  if (lead.value === "weak" && !low.explicit && !high.explicit) return null;
  if (isPlainWords(low) && isPlainWords(high)) return null;
  if (low.invalid || high.invalid) return { length, error: true };
  let min = low.value;
  if (!low.multiplied && high.multiplier !== undefined) min *= high.multiplier;
  if (min > MAX_VALUE) return { length, error: true };
  return { length, min, max: high.value };
}

/** An amount at `tokens[i]`: optional "R$", a number (digits or words) with its multiplier, "reais". */
export function moneyAt(tokens: readonly QueryToken[], i: number): Money | null {
  let j = i;
  let explicit = false;
  if (tokens[j]?.fold === "r$") {
    explicit = true;
    j++;
  }
  const token = tokens[j];
  if (!token || token.quoted || token.field) return null;
  if (token.fold.startsWith("r$")) explicit = true;
  const number = numberAt(tokens, j);
  if (!number) return null;
  j += number.length;
  if (tokens[j]?.key === "reais") j++;
  else if (tokens[j]?.key === "de" && tokens[j + 1]?.key === "reais") j += 2;
  const multiplied = number.multiplier !== undefined;
  const money: Money = {
    value: number.value,
    length: j - i,
    explicit: explicit || multiplied,
    multiplied,
    words: number.words,
  };
  if (number.multiplier !== undefined) money.multiplier = number.multiplier;
  if (!Number.isFinite(money.value) || money.value > MAX_VALUE) money.invalid = true;
  return money;
}
