/**
 * Text normalization shared by the matcher, the filters and the query parser, so that a keyword,
 * a user term and a PNCP `objetoCompra` are compared in the same alphabet.
 *
 * It runs on every record of every search (100k+ texts of ~400 characters), so it is one pass over
 * the characters with a precomputed table for Latin-1 and Latin Extended-A/B, instead of chained
 * `normalize()`/regex calls; the table itself is built with NFKD, so the result is the same.
 */

const COMBINING_MARKS = /\p{M}+/gu;
const TABLE_SIZE = 0x250;

/** Folded form of one character: lowercase [a-z0-9] letters without accents, or "" for a separator. */
function foldChar(char: string): string {
  const folded = char.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase();
  return /^[a-z0-9]+$/.test(folded) ? folded : "";
}

const TABLE: readonly string[] = Array.from({ length: TABLE_SIZE }, (_, code) =>
  foldChar(String.fromCharCode(code)),
);

const isApostrophe = (code: number) => code === 0x27 || code === 0x2019 || code === 0xb4 || code === 0x60;
const isCombiningMark = (code: number) => code >= 0x300 && code <= 0x36f;

const rareCache = new Map<number, string>();

/** Fold of a code point outside the table (cached: "’", "–", "“" are common in PNCP texts). */
function foldCodePoint(cp: number): string {
  let folded = rareCache.get(cp);
  if (folded === undefined) {
    folded = foldChar(String.fromCodePoint(cp));
    if (rareCache.size < 10_000) rareCache.set(cp, folded);
  }
  return folded;
}

function foldAt(text: string, i: number): string {
  const code = text.charCodeAt(i);
  return code < TABLE_SIZE ? TABLE[code]! : foldCodePoint(text.codePointAt(i)!);
}

/**
 * Lowercase, accents stripped (NFKD, so "º"/"ª" become "o"/"a" too), every run of punctuation or
 * whitespace turned into one space, trimmed. Only `[a-z0-9 ]` remains:
 * `"Aquisição de UNIFORMES (camisetas) p/ ACS"` → `"aquisicao de uniformes camisetas p acs"`.
 * An apostrophe before a final s is a (wrong) plural mark, not a break: "EPI´S" → "epis".
 */
export function normalizeText(text: string): string {
  let out = "";
  let pendingSpace = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (isCombiningMark(code)) continue;
    let folded: string;
    if (code < TABLE_SIZE) {
      folded = TABLE[code]!;
    } else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      folded = foldCodePoint(cp);
    }
    if (folded === "") {
      if (isApostrophe(code) && !pendingSpace && out.length > 0 && isPluralS(text, i + 1)) continue;
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += " ";
      pendingSpace = false;
    }
    out += folded;
  }
  return out;
}

/** True when `text[i]` is an s/S ending a word. */
function isPluralS(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code !== 0x73 && code !== 0x53) return false;
  return i + 1 >= text.length || foldAt(text, i + 1) === "";
}

/** Lowercase and accents stripped but punctuation kept: for parsing "01/10/2026" or "R$ 1,5". */
export function foldAccents(text: string): string {
  return text.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase();
}

/** Normalized text split into tokens (empty array for blank text). */
export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === "" ? [] : normalized.split(" ");
}
