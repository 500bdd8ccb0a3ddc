/**
 * The accent-folded text the index keeps per bid, and the LIKE patterns that find candidates for user
 * terms in it. Folding is `normalizeText`, the matcher's own, so it needs no `unaccent` in SQL.
 *
 * Candidates are a SUPERSET of what the matcher accepts: a term matches only when each of its tokens
 * occurs as a whole word in one of that token's forms (`wordForms`: plurals, singulars, de/do/da…) or, for
 * `prefix*`, as a word starting with the prefix. So a text the matcher accepts contains, as a substring,
 * some form of the term's most selective token; the patterns are those forms (minus any that contain a
 * shorter one). The matcher then decides exactly (`filterBids`).
 */
import type { Bid } from "../bid.ts";
import { cleanTerms } from "../filter/terms.ts";
import { wordForms } from "../filter/word-forms.ts";
import { normalizeText, tokenize } from "../text-fold.ts";

/** `normalizeText(object) + " " + normalizeText(details)`: what term candidates are searched in. */
export function searchText(bid: Pick<Bid, "object" | "details">): string {
  const details = bid.details ? normalizeText(bid.details) : "";
  return details === "" ? normalizeText(bid.object) : `${normalizeText(bid.object)} ${details}`;
}

/** Escapes LIKE wildcards (folded text has none, but a pattern must never widen by accident). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Substring alternatives for one term: some form of its most selective token occurs in every match. */
function termAlternatives(term: string): string[] {
  const pieces = term.trim().split(/\s+/);
  let best: string[] | null = null;
  for (const piece of pieces) {
    const isPrefix = piece.endsWith("*");
    const tokens = tokenize(isPrefix ? piece.slice(0, -1) : piece);
    tokens.forEach((token, i) => {
      const prefix = isPrefix && i === tokens.length - 1;
      // A prefix token matches words starting with it; an exact one (even a short "prefix") any of its forms.
      const forms = prefix ? [token, ...wordForms(token)] : wordForms(token);
      const minimal = forms.filter((form) => !forms.some((other) => other !== form && form.includes(other)));
      const unique = [...new Set(minimal)];
      const shortest = Math.min(...unique.map((form) => form.length));
      const bestShortest = best ? Math.min(...best.map((form) => form.length)) : -1;
      if (!best || shortest > bestShortest || (shortest === bestShortest && unique.length < best.length)) {
        best = unique;
      }
    });
  }
  return best ?? [];
}

/**
 * LIKE patterns (`%form%`) over `searchText`: a bid the matcher accepts for any of `terms` matches one.
 * Empty when the terms have nothing searchable (every bid is then a candidate).
 */
export function termPatterns(terms: readonly string[]): string[] {
  const patterns = new Set<string>();
  for (const term of cleanTerms(terms)) {
    const alternatives = termAlternatives(term);
    if (alternatives.length === 0) return [];
    for (const form of alternatives) patterns.add(`%${likeLiteral(form)}%`);
  }
  return [...patterns];
}
