/**
 * Tokenizer of the query grammar: what a user typed → tokens that keep the raw text (for echoing
 * unreadable pieces back), a folded form (for dates and money: "01/10/2026", "r$", "1,5") and a
 * word key (for vocabulary: "pré-qualificação" → "pre-qualificacao").
 */
import { foldAccents, normalizeText } from "../text-fold.ts";

/** One piece of the user's text. */
export interface QueryToken {
  raw: string;
  /** Lowercase, accents stripped, punctuation kept (trailing sentence punctuation removed). */
  fold: string;
  /** `normalizeText(raw)` with inner spaces as "-" (one vocabulary key per token); symbols as typed. */
  key: string;
  /** A "quoted phrase": always a search term, never vocabulary. */
  quoted: boolean;
  /** `key:value` form (`setor:saude`, `orgao:"prefeitura de x"`). */
  field?: { name: string; value: string };
  /** A comma or semicolon came right before this token: phrases never span it. */
  breakBefore: boolean;
}

const TOKEN_PATTERN =
  /(\p{L}[\p{L}_]*):(?:"([^"]*)"|“([^”]*)”|([^\s"“”]+))|"([^"]*)"|“([^”]*)”|((?:\d,(?=\d)|[^\s,;"“”])+)|([,;])/gu;

/** Splits user text into tokens; commas between digits stay inside numbers ("1,5 milhão"). */
export function tokenizeQuery(text: string): QueryToken[] {
  const tokens: QueryToken[] = [];
  let breakBefore = false;
  for (const m of text.matchAll(TOKEN_PATTERN)) {
    const [raw, name, fq1, fq2, fplain, q1, q2, word, separator] = m;
    if (separator) {
      breakBefore = true;
      continue;
    }
    if (name !== undefined) {
      const value = (fq1 ?? fq2 ?? fplain ?? "").trim();
      tokens.push({ ...wordToken(raw, breakBefore), field: { name: normalizeText(name), value } });
    } else if (q1 !== undefined || q2 !== undefined) {
      const phrase = (q1 ?? q2 ?? "").trim();
      if (phrase !== "") tokens.push({ ...wordToken(phrase, breakBefore), raw, quoted: true });
    } else if (word !== undefined) {
      for (const piece of splitWord(word)) tokens.push(wordToken(piece, breakBefore));
    }
    breakBefore = false;
  }
  return tokens;
}

/** "SP/RJ" → ["SP", "RJ"]; "(pregão)" → ["pregão"]; dates and money are left whole. */
function splitWord(word: string): string[] {
  const trimmed = word.replace(/^[([{'`´]+/, "").replace(/[.!?:)\]}'`´]+$/, "");
  if (trimmed === "") return [word];
  if (/^\p{L}+(\/\p{L}+)+$/u.test(trimmed)) return trimmed.split("/");
  return [trimmed];
}

function wordToken(raw: string, breakBefore: boolean): QueryToken {
  return {
    raw,
    fold: foldAccents(raw).trim(),
    key: wordKey(raw),
    quoted: false,
    breakBefore,
  };
}

/** Vocabulary key of one word: "Pré-Qualificação" → "pre-qualificacao"; pure symbols stay as typed (">="). */
function wordKey(word: string): string {
  return normalizeText(word).replaceAll(" ", "-") || word.trim();
}

/** A vocabulary entry: words as typed ("pregão eletrônico") turned into token keys. */
export function phraseKeys(phrase: string): string[] {
  return phrase
    .split(/\s+/)
    .map(wordKey)
    .filter((key) => key !== "");
}

/** A phrase table compiled for longest-first matching on token keys. */
export interface PhraseTable<T> {
  entries: { keys: string[]; value: T }[];
}

/** Builds a phrase table from `[phrase, value]` pairs (longest phrases tried first). */
export function phraseTable<T>(pairs: readonly (readonly [string, T])[]): PhraseTable<T> {
  const entries = pairs.map(([phrase, value]) => ({ keys: phraseKeys(phrase), value }));
  if (entries.some((e) => e.keys.length === 0)) throw new Error("empty phrase in a phrase table");
  entries.sort((a, b) => b.keys.length - a.keys.length);
  return { entries };
}

/**
 * The longest entry of `table` whose words start at `tokens[i]`, or null. Quoted and key:value tokens
 * never match, and a phrase does not cross a comma.
 */
export function matchPhrase<T>(
  tokens: readonly QueryToken[],
  i: number,
  table: PhraseTable<T>,
): { value: T; length: number } | null {
  for (const { keys, value } of table.entries) {
    if (i + keys.length > tokens.length) continue;
    let ok = true;
    for (let k = 0; k < keys.length && ok; k++) {
      const token = tokens[i + k]!;
      ok = !token.quoted && !token.field && token.key === keys[k] && (k === 0 || !token.breakBefore);
    }
    if (ok) return { value, length: keys.length };
  }
  return null;
}

/** Raw text of `tokens[i..i+length)`, for unrecognized pieces. */
export function rawSpan(tokens: readonly QueryToken[], i: number, length: number): string {
  return tokens
    .slice(i, i + length)
    .map((t) => t.raw)
    .join(" ");
}
