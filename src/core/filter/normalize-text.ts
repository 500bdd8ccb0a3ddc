/**
 * Text normalization shared by the matcher, the filters and the query parser, so that a keyword,
 * a user term and a PNCP `objetoCompra` are compared in the same alphabet.
 */

const COMBINING_MARKS = /\p{M}+/gu;
// "EPI´S", "KIT’S": an apostrophe before a final s is a (wrong) plural mark, not a word break.
const APOSTROPHE_PLURAL = /([\p{L}\p{N}])['’´`]s(?![\p{L}\p{N}])/giu;
const NON_ALNUM = /[^a-z0-9]+/g;

/**
 * Lowercase, accents stripped (NFKD, so "º"/"ª" become "o"/"a" too), every run of punctuation or
 * whitespace turned into one space, trimmed. Only `[a-z0-9 ]` remains:
 * `"Aquisição de UNIFORMES (camisetas) p/ ACS"` → `"aquisicao de uniformes camisetas p acs"`.
 */
export function normalizeText(text: string): string {
  return text
    .replace(APOSTROPHE_PLURAL, "$1s")
    .normalize("NFKD")
    .replace(COMBINING_MARKS, "")
    .toLowerCase()
    .replace(NON_ALNUM, " ")
    .trim();
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
