/**
 * Numbers as Brazilians write them in a search: digits ("50", "1,5", "200.000,00", "50k"), words
 * ("quinze", "cinquenta mil", "um milhão e meio", "dois milhões e trezentos mil") and mixes
 * ("2 milhões e 300 mil", "1 milhão e meio"). Every table is a `Map`, so a user word such as
 * "constructor" is never read as an object property.
 *
 * Decisions:
 * - "e" joins pieces only in the order Portuguese writes them (cento e vinte e cinco, mil e
 *   quinhentos); "dez e cinquenta mil" stops after "dez", so ranges ("entre dez e cinquenta mil") read.
 * - A group after millions without "mil" is read as thousands, as people say money aloud: "um milhão
 *   e duzentos" = 1.200.000 (the formal "um milhão e duzentos mil" gives the same).
 */
import type { QueryToken } from "./query-tokens.ts";

const UNITS = new Map([
  ["um", 1],
  ["uma", 1],
  ["dois", 2],
  ["duas", 2],
  ["tres", 3],
  ["quatro", 4],
  ["cinco", 5],
  ["seis", 6],
  ["sete", 7],
  ["oito", 8],
  ["nove", 9],
]);
const TEENS = new Map([
  ["dez", 10],
  ["onze", 11],
  ["doze", 12],
  ["treze", 13],
  ["quatorze", 14],
  ["catorze", 14],
  ["quinze", 15],
  ["dezesseis", 16],
  ["dezasseis", 16],
  ["dezessete", 17],
  ["dezassete", 17],
  ["dezoito", 18],
  ["dezenove", 19],
  ["dezanove", 19],
]);
const TENS = new Map([
  ["vinte", 20],
  ["trinta", 30],
  ["quarenta", 40],
  ["cinquenta", 50],
  ["cincoenta", 50],
  ["sessenta", 60],
  ["setenta", 70],
  ["oitenta", 80],
  ["noventa", 90],
]);
const HUNDREDS = new Map([
  ["cento", 100],
  ["duzentos", 200],
  ["duzentas", 200],
  ["trezentos", 300],
  ["trezentas", 300],
  ["quatrocentos", 400],
  ["quatrocentas", 400],
  ["quinhentos", 500],
  ["quinhentas", 500],
  ["seiscentos", 600],
  ["seiscentas", 600],
  ["setecentos", 700],
  ["setecentas", 700],
  ["oitocentos", 800],
  ["oitocentas", 800],
  ["novecentos", 900],
  ["novecentas", 900],
]);

/** Multipliers, as words or short forms; also accepted glued to digits ("50k", "1,5mi"). */
export const SCALES: ReadonlyMap<string, number> = new Map([
  ["k", 1e3],
  ["mil", 1e3],
  ["mi", 1e6],
  ["mm", 1e6],
  ["milhao", 1e6],
  ["milhoes", 1e6],
  ["bi", 1e9],
  ["bilhao", 1e9],
  ["bilhoes", 1e9],
  ["tri", 1e12],
  ["trilhao", 1e12],
  ["trilhoes", 1e12],
]);
const HALF = new Set(["meio", "meia"]);

/** Digits in pt-BR notation, with an optional glued multiplier: "200.000,00", "1,5", "50k", "2mi". */
const AMOUNT =
  /^(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(k|mil|mi|mm|milhao|milhoes|bi|bilhao|bilhoes)?$/;

/** A number read at a token position. */
export interface NumberRead {
  value: number;
  length: number;
  /** The largest multiplier applied ("mil", "milhões", "k"…), when any. */
  multiplier?: number;
  /** True when no digit was typed ("quinze", "cinquenta mil"). */
  words: boolean;
}

interface Group {
  value: number;
  end: number;
  /** Typed as digits after a multiplier ("2 milhões e 300 mil"): only joins when a multiplier follows. */
  digits?: boolean;
}

const keyAt = (tokens: readonly QueryToken[], j: number): string => {
  const token = tokens[j];
  return token && !token.quoted && !token.field ? token.key : "";
};

/** One piece of a word group: its value, its place (100, 10) or 1 when nothing may follow it. */
function piece(key: string): { value: number; place: number } | null {
  const hundred = HUNDREDS.get(key);
  if (hundred !== undefined) return { value: hundred, place: 100 };
  const ten = TENS.get(key);
  if (ten !== undefined) return { value: ten, place: 10 };
  const small = TEENS.get(key) ?? UNITS.get(key);
  if (small !== undefined) return { value: small, place: 1 };
  return key === "cem" ? { value: 100, place: 1 } : null;
}

/** A number below 1000 in words: "cento e vinte e cinco", "quinze", "duzentos". */
function wordGroup(tokens: readonly QueryToken[], j: number): Group | null {
  const first = piece(keyAt(tokens, j));
  if (!first) return null;
  let { value, place } = first;
  let end = j + 1;
  while (place > 1 && keyAt(tokens, end) === "e") {
    const next = piece(keyAt(tokens, end + 1));
    if (!next || next.value >= place) break;
    value += next.value;
    place = next.place;
    end += 2;
  }
  return { value, end };
}

/** A group that may follow a multiplier: words or plain digits (1–999), or an implicit 1 before "mil". */
function nextGroup(tokens: readonly QueryToken[], j: number, lastScale: number): Group | null {
  const words = wordGroup(tokens, j);
  if (words) return words;
  const key = keyAt(tokens, j);
  if (/^\d{1,3}$/.test(key) && tokens[j]!.fold === key)
    return { value: Number(key), end: j + 1, digits: true };
  if (key === "mil" && lastScale > 1e3) return { value: 1, end: j };
  return null;
}

/**
 * The number starting at `tokens[i]`, or null. The value may be huge or non-finite for absurd
 * input ("9999…9 mil"): callers decide what is readable.
 */
export function numberAt(tokens: readonly QueryToken[], i: number): NumberRead | null {
  const token = tokens[i];
  if (!token || token.quoted || token.field) return null;
  let total = 0;
  let lastScale = Number.POSITIVE_INFINITY;
  let end: number;
  let words = false;
  const digits = AMOUNT.exec(token.fold.startsWith("r$") ? token.fold.slice(2) : token.fold);
  let group: Group | null;
  if (digits) {
    const glued = digits[2] ? SCALES.get(digits[2]) : undefined;
    const value = parseAmount(digits[1]!);
    if (glued === undefined) group = { value, end: i + 1 };
    else {
      total = value * glued;
      lastScale = glued;
      group = null;
    }
    end = i + 1;
  } else {
    words = true;
    group = wordGroup(tokens, i) ?? (keyAt(tokens, i) === "mil" ? { value: 1, end: i } : null);
    if (!group) return null;
    end = group.end;
  }
  let multiplier = Number.isFinite(lastScale) ? lastScale : undefined;
  while (true) {
    if (group) {
      const scale = SCALES.get(keyAt(tokens, group.end));
      if (scale === undefined || scale >= lastScale) {
        // A trailing group: units after "mil", thousands after millions ("um milhão e duzentos").
        total +=
          Number.isFinite(lastScale) && lastScale >= 1e6 ? group.value * (lastScale / 1e3) : group.value;
        end = group.end;
        break;
      }
      total += group.value * scale;
      lastScale = scale;
      multiplier ??= scale;
      end = group.end + 1;
    }
    if (keyAt(tokens, end) === "e" && HALF.has(keyAt(tokens, end + 1))) {
      total += lastScale / 2;
      end += 2;
      break;
    }
    const start = keyAt(tokens, end) === "e" ? end + 1 : end;
    const next = nextGroup(tokens, start, lastScale);
    if (!next) break;
    const nextScale = SCALES.get(keyAt(tokens, next.end));
    if (nextScale !== undefined && nextScale >= lastScale) break;
    if (nextScale === undefined && (next.digits || (start === end && lastScale < 1e6))) break;
    group = next;
  }
  const read: NumberRead = { value: total, length: end - i, words };
  if (multiplier !== undefined) read.multiplier = multiplier;
  return read;
}

/** pt-BR number: "200.000,00" → 200000; "1,5" → 1.5; "1.5" → 1.5; "1.500" → 1500. */
export function parseAmount(text: string): number {
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(text)) return Number(text.replaceAll(".", "").replace(",", "."));
  return Number(text.replace(",", "."));
}
