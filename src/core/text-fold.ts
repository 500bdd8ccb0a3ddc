/**
 * Text normalization shared by the matcher, the filters and the query parser, so that a keyword,
 * a user term and a PNCP `objetoCompra` are compared in the same alphabet.
 *
 * It runs on every record of every search (100k+ texts of ~400 characters), so it is one pass over
 * the characters with a precomputed table for Latin-1 and Latin Extended-A/B, instead of chained
 * `normalize()`/regex calls; the table itself is built with NFKD, so the result is the same.
 * Scanners that fold while they walk (the keyword matcher) read the same fold one code unit at a time
 * through `foldUnit`/`foldedText`/`isPluralS`, so they split words exactly where `normalizeText` does.
 */

const COMBINING_MARKS = /\p{M}+/gu;
const TABLE_SIZE = 0x250;
const SPACE = 0x20;

/** Folded form of one character: lowercase [a-z0-9] letters without accents, or "" for a separator. */
function foldChar(char: string): string {
  const folded = char.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase();
  return /^[a-z0-9]+$/.test(folded) ? folded : "";
}

/** Latin-1 and Latin Extended-A/B: the folded string of each code ("" = separator). */
const TABLE: readonly string[] = Array.from({ length: TABLE_SIZE }, (_, code) =>
  foldChar(String.fromCharCode(code)),
);
/** The same table as char codes when the fold is one character; 0 = separator, -1 = several characters. */
const CODES = Int32Array.from(TABLE, (folded) =>
  folded.length === 1 ? folded.charCodeAt(0) : folded === "" ? 0 : -1,
);

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

const isApostrophe = (code: number) => code === 0x27 || code === 0x2019 || code === 0xb4 || code === 0x60;
const isCombiningMark = (code: number) => code >= 0x300 && code <= 0x36f;

/** True when `text[i]` is an s/S ending a word. */
export function isPluralS(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code !== 0x73 && code !== 0x53) return false;
  return i + 1 >= text.length || foldAt(text, i + 1) === "";
}

/**
 * Fold classes of one UTF-16 code unit, for scanners that fold while they walk (the matcher) and must
 * read text exactly as `normalizeText` does. `foldUnit(code)` is the folded character code ([a-z0-9])
 * when the unit folds to one character, or one of these (negative) classes.
 */
/** Punctuation, space, symbol, lone surrogate: ends a word. */
export const FOLD_SEPARATOR = -1;
/** An apostrophe (' ’ ´ `): a separator, except before a word-final s ("EPI´S" → "epis", `isPluralS`). */
export const FOLD_APOSTROPHE = -2;
/** A combining mark U+0300..U+036F: dropped, the word goes on ("e" + U+0301 = "e"). */
export const FOLD_MARK = -3;
/** Folds to several characters ("ﬁ" → "fi", "㎏" → "kg"): read them with `foldedText(code)`. */
export const FOLD_SEVERAL = -4;
/** A high surrogate: the code point is `text.codePointAt(i)` (fold it with `foldedText`). */
export const FOLD_HIGH_SURROGATE = -5;

/** Lazily filled class of every BMP code unit (0 = not computed yet); the same fold as the tables above. */
const UNITS = new Int32Array(0x10000);

function computeUnit(code: number): number {
  let value: number;
  if (code >= 0xd800 && code <= 0xdbff) value = FOLD_HIGH_SURROGATE;
  else if (isCombiningMark(code)) value = FOLD_MARK;
  else {
    const folded = code < TABLE_SIZE ? TABLE[code]! : foldCodePoint(code);
    if (folded === "") value = isApostrophe(code) ? FOLD_APOSTROPHE : FOLD_SEPARATOR;
    else value = folded.length === 1 ? folded.charCodeAt(0) : FOLD_SEVERAL;
  }
  UNITS[code] = value;
  return value;
}

/** The folded character code of a UTF-16 code unit, or its FOLD_* class (see above). */
export function foldUnit(code: number): number {
  const value = UNITS[code]!;
  return value !== 0 ? value : computeUnit(code);
}

/** The folded text of one code point ([a-z0-9]*; "" = separator), as `normalizeText` writes it. */
export function foldedText(codePoint: number): string {
  return codePoint < TABLE_SIZE ? TABLE[codePoint]! : foldCodePoint(codePoint);
}

let buffer = new Uint16Array(4096);

/**
 * Lowercase, accents stripped (NFKD, so "º"/"ª" become "o"/"a" too), every run of punctuation or
 * whitespace turned into one space, trimmed. Only `[a-z0-9 ]` remains:
 * `"Aquisição de UNIFORMES (camisetas) p/ ACS"` → `"aquisicao de uniformes camisetas p acs"`.
 * An apostrophe before a final s is a (wrong) plural mark, not a break: "EPI´S" → "epis".
 */
export function normalizeText(text: string): string {
  const n = text.length;
  if (buffer.length < n * 4 + 8) buffer = new Uint16Array(n * 4 + 8); // NFKD can expand a character
  const buf = buffer;
  let len = 0;
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    let single = code < TABLE_SIZE ? CODES[code]! : -1;
    let folded = "";
    if (single === -1) {
      if (isCombiningMark(code)) continue;
      const cp = code < TABLE_SIZE ? code : text.codePointAt(i)!;
      folded = code < TABLE_SIZE ? TABLE[code]! : foldCodePoint(cp);
      if (cp > 0xffff) i++;
      if (folded.length === 1) single = folded.charCodeAt(0);
      else if (folded === "") single = 0;
    }
    if (single === 0) {
      if (!(isApostrophe(code) && !pendingSpace && len > 0 && isPluralS(text, i + 1))) pendingSpace = len > 0;
      continue;
    }
    if (pendingSpace) {
      buf[len++] = SPACE;
      pendingSpace = false;
    }
    if (single > 0) buf[len++] = single;
    else for (let k = 0; k < folded.length; k++) buf[len++] = folded.charCodeAt(k);
  }
  let out = "";
  for (let k = 0; k < len; k += 4096) {
    out += String.fromCharCode.apply(null, buf.subarray(k, Math.min(len, k + 4096)) as unknown as number[]);
  }
  return out;
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
