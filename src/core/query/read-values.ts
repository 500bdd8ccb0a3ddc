/**
 * Money expressions of the query grammar, in pt-BR notation: "50 mil", "50k", "R$ 200.000,00",
 * "1,5 milhão", "entre 10 e 100 mil" (the last multiplier applies to both ends).
 */
import { matchPhrase, phraseTable, type QueryToken } from "./query-tokens.ts";

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
}

const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  mil: 1e3,
  mi: 1e6,
  mm: 1e6,
  milhao: 1e6,
  milhoes: 1e6,
  bi: 1e9,
  bilhao: 1e9,
  bilhoes: 1e9,
};
const AMOUNT =
  /^(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(k|mil|mi|mm|milhao|milhoes|bi|bilhao|bilhoes)?$/;

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
    const money = moneyAt(tokens, i + lead + bound.length);
    const length = lead + bound.length + (money?.length ?? 0);
    if (money) {
      return bound.value === "min"
        ? { length, min: money.value, max: null }
        : { length, min: null, max: money.value };
    }
    if (strong || lead > 0) return { length: Math.min(length + 1, tokens.length - i), error: true };
  }
  return null;
}

function readRange(
  tokens: readonly QueryToken[],
  i: number,
): { length: number; min: number; max: number } | null {
  const lead = matchPhrase(tokens, i, RANGE_LEADS);
  if (!lead) return null;
  const low = moneyAt(tokens, i + lead.length);
  if (!low) return null;
  const sep = tokens[i + lead.length + low.length];
  if (!sep || !RANGE_SEPARATORS.has(sep.key)) return null;
  const high = moneyAt(tokens, i + lead.length + low.length + 1);
  if (!high) return null;
  // "de 10 a 50" without R$ or "mil" is too vague to be money ("de 10 a 50 unidades").
  if (lead.value === "weak" && !low.explicit && !high.explicit) return null;
  let min = low.value;
  if (!low.multiplied && high.multiplier !== undefined) min *= high.multiplier;
  return { length: lead.length + low.length + 1 + high.length, min, max: high.value };
}

/** An amount at `tokens[i]`: optional "R$", number, optional multiplier and "reais". */
export function moneyAt(tokens: readonly QueryToken[], i: number): Money | null {
  let j = i;
  let explicit = false;
  if (tokens[j]?.fold === "r$") {
    explicit = true;
    j++;
  }
  const token = tokens[j];
  if (!token || token.quoted || token.field) return null;
  let text = token.fold;
  if (text.startsWith("r$")) {
    explicit = true;
    text = text.slice(2);
  }
  const m = AMOUNT.exec(text);
  if (!m) return null;
  j++;
  let multiplier = m[2] ? MULTIPLIERS[m[2]] : undefined;
  if (multiplier === undefined) {
    const next = tokens[j];
    const factor = next && !next.quoted ? MULTIPLIERS[next.key] : undefined;
    if (factor !== undefined) {
      multiplier = factor;
      j++;
    }
  }
  if (tokens[j]?.key === "reais") j++;
  else if (tokens[j]?.key === "de" && tokens[j + 1]?.key === "reais") j += 2;
  const value = parseAmount(m[1]!) * (multiplier ?? 1);
  const multiplied = multiplier !== undefined;
  const money: Money = { value, length: j - i, explicit: explicit || multiplied, multiplied };
  if (multiplier !== undefined) money.multiplier = multiplier;
  return money;
}

/** pt-BR number: "200.000,00" → 200000; "1,5" → 1.5; "1.5" → 1.5; "1.500" → 1500. */
export function parseAmount(text: string): number {
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(text)) return Number(text.replaceAll(".", "").replace(",", "."));
  return Number(text.replace(",", "."));
}
