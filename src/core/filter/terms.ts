/**
 * User search terms: stopword removal and de-duplication, shared by the filter (which echoes the terms
 * it used) and the query parser.
 */
import { normalizeText } from "../text-fold.ts";

/** pt-BR function words that carry no search meaning on their own (accent-free, lowercase). */
export const STOPWORDS: ReadonlySet<string> = new Set([
  "a",
  "o",
  "as",
  "os",
  "um",
  "uma",
  "uns",
  "umas",
  "de",
  "do",
  "da",
  "dos",
  "das",
  "d",
  "em",
  "no",
  "na",
  "nos",
  "nas",
  "num",
  "numa",
  "por",
  "pelo",
  "pela",
  "pelos",
  "pelas",
  "para",
  "pra",
  "pro",
  "p",
  "com",
  "sem",
  "sob",
  "sobre",
  "e",
  "ou",
  "que",
  "se",
  "ao",
  "aos",
  "ate",
  "entre",
  "como",
  "mais",
  "menos",
  "muito",
  "muita",
  "seu",
  "sua",
  "seus",
  "suas",
  "meu",
  "minha",
  "este",
  "esta",
  "esse",
  "essa",
  "isso",
  "isto",
  "aquele",
  "aquela",
  "qual",
  "quais",
  "todo",
  "toda",
  "todos",
  "todas",
  "tipo",
  "etc",
]);

/** True when every token of the (normalized) text is a stopword, or the text is blank. */
export function isOnlyStopwords(text: string): boolean {
  const normalized = normalizeText(text);
  return normalized === "" || normalized.split(" ").every((token) => STOPWORDS.has(token));
}

/**
 * The terms actually searched: trimmed, surrounding quotes removed, inner whitespace collapsed, terms
 * made only of stopwords dropped, duplicates (same normalized text) dropped. Stopwords INSIDE a phrase
 * are kept — "material de limpeza" needs its "de".
 */
export function cleanTerms(terms: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of terms) {
    const term = raw
      .trim()
      .replace(/^["“”']+|["“”']+$/g, "")
      .replace(/\s+/g, " ")
      .trim();
    if (isOnlyStopwords(term)) continue;
    const key = normalizeText(term);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(term);
  }
  return out;
}
