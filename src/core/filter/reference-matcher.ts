/**
 * The previous keyword matcher, kept as the REFERENCE the one-pass matcher (`matcher.ts`) must agree with
 * byte for byte: used only by the differential tests (test/filter/) and the filter bench, never by the app.
 * It normalizes the whole text into a string (`tokenize`), resolves each token to pattern-token ids with
 * a Map (plus a prefix scan), then finds phrases leftmost-longest over the id lists. Same rules as
 * `matcher.ts` (see there); do not "fix" it — a change here must be a change of the product rule, made
 * in both.
 */
import { tokenize } from "../text-fold.ts";
import type { Matcher, MatcherSpec, MatchSpan } from "./matcher.ts";
import { wordForms } from "./word-forms.ts";

interface Phrase {
  label: string;
  ids: number[];
}

const NO_IDS: readonly number[] = [];
const MEMO_LIMIT = 100_000;
const MIN_PREFIX = 3;

/** Compiles keywords and exclusions into one token/phrase index. Blank patterns are ignored. */
export function compileReferenceMatcher(spec: MatcherSpec): Matcher {
  const vocabulary = new Vocabulary();
  const keywords = buildIndex(spec.keywords, vocabulary);
  const exclusions = buildIndex(spec.exclusions ?? [], vocabulary);

  const scan = (text: string) => {
    const tokens = tokenize(text);
    const ids = tokens.map((token) => vocabulary.resolve(token));
    let mask: Uint8Array | null = null;
    const excludedSpans = exclusions.count > 0 ? scanIndex(ids, exclusions.byFirst, null) : [];
    if (excludedSpans.length > 0) {
      mask = new Uint8Array(ids.length);
      for (const span of excludedSpans) mask.fill(1, span.start, span.end);
    }
    const spans = keywords.count > 0 ? scanIndex(ids, keywords.byFirst, mask) : [];
    return { spans, excluded: excludedSpans.length > 0, tokens: tokens.length };
  };

  return {
    size: keywords.count,
    match(text) {
      const { spans, excluded, tokens } = scan(text);
      const hits: string[] = [];
      let score = 0;
      for (const span of spans) {
        score += span.end - span.start;
        if (!hits.includes(span.keyword)) hits.push(span.keyword);
      }
      return { matched: hits.length > 0, excluded, hits, score, tokens };
    },
    find(text) {
      return scan(text).spans;
    },
  };
}

/** Token → ids of the pattern tokens it can stand for (exact forms plus prefixes), memoized. */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  private readonly exact = new Map<string, number[]>();
  private readonly prefixes: { prefix: string; id: number }[] = [];
  private memo = new Map<string, readonly number[]>();

  /** Id of a pattern token (`word` or `prefix*`), registering its forms on first sight. */
  idOf(patternToken: string, isPrefix: boolean): number {
    const key = isPrefix ? `${patternToken}*` : patternToken;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.ids.size;
    this.ids.set(key, id);
    if (isPrefix) {
      this.prefixes.push({ prefix: patternToken, id });
    } else {
      for (const form of wordForms(patternToken)) {
        const list = this.exact.get(form);
        if (list) list.push(id);
        else this.exact.set(form, [id]);
      }
    }
    this.memo.clear();
    return id;
  }

  resolve(token: string): readonly number[] {
    const cached = this.memo.get(token);
    if (cached) return cached;
    let ids: readonly number[] = this.exact.get(token) ?? NO_IDS;
    for (const { prefix, id } of this.prefixes) {
      if (token.startsWith(prefix) && !ids.includes(id)) ids = [...ids, id];
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo = new Map();
    this.memo.set(token, ids);
    return ids;
  }
}

interface PhraseIndex {
  count: number;
  /** First-token id → phrases starting with it, longest first. */
  byFirst: Map<number, Phrase[]>;
}

function buildIndex(patterns: readonly string[], vocabulary: Vocabulary): PhraseIndex {
  const byFirst = new Map<number, Phrase[]>();
  const seen = new Set<string>();
  for (const pattern of patterns) {
    const ids = patternIds(pattern, vocabulary);
    if (ids.length === 0) continue;
    const key = ids.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    const phrase = { label: pattern.trim(), ids };
    const list = byFirst.get(ids[0]!);
    if (list) list.push(phrase);
    else byFirst.set(ids[0]!, [phrase]);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.ids.length - a.ids.length);
  return { count: seen.size, byFirst };
}

/** "odontolog* de uso médico-hospitalar" → ids of [odontolog*, de, uso, medico, hospitalar]. */
function patternIds(pattern: string, vocabulary: Vocabulary): number[] {
  const ids: number[] = [];
  for (const piece of pattern.trim().split(/\s+/)) {
    const isPrefix = piece.endsWith("*");
    const tokens = tokenize(isPrefix ? piece.slice(0, -1) : piece);
    tokens.forEach((token, i) => {
      const prefix = isPrefix && i === tokens.length - 1 && token.length >= MIN_PREFIX;
      ids.push(vocabulary.idOf(token, prefix));
    });
  }
  return ids;
}

/** Leftmost-longest, non-overlapping phrase occurrences; masked tokens can take part in none. */
function scanIndex(
  ids: readonly (readonly number[])[],
  byFirst: Map<number, Phrase[]>,
  mask: Uint8Array | null,
): MatchSpan[] {
  const spans: MatchSpan[] = [];
  const n = ids.length;
  let i = 0;
  while (i < n) {
    const best = mask?.[i] ? undefined : longestAt(ids, i, byFirst, mask);
    if (best) {
      spans.push({ start: i, end: i + best.ids.length, keyword: best.label });
      i += best.ids.length;
    } else {
      i++;
    }
  }
  return spans;
}

function longestAt(
  ids: readonly (readonly number[])[],
  i: number,
  byFirst: Map<number, Phrase[]>,
  mask: Uint8Array | null,
): Phrase | undefined {
  let best: Phrase | undefined;
  for (const id of ids[i]!) {
    const candidates = byFirst.get(id);
    if (!candidates) continue;
    for (const phrase of candidates) {
      if (best && phrase.ids.length <= best.ids.length) break;
      if (fitsAt(ids, i, phrase.ids, mask)) {
        best = phrase;
        break;
      }
    }
  }
  return best;
}

function fitsAt(
  ids: readonly (readonly number[])[],
  i: number,
  phrase: readonly number[],
  mask: Uint8Array | null,
): boolean {
  if (i + phrase.length > ids.length) return false;
  for (let k = 1; k < phrase.length; k++) {
    if (mask?.[i + k]) return false;
    if (!ids[i + k]!.includes(phrase[k]!)) return false;
  }
  return true;
}
