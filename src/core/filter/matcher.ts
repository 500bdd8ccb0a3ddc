/**
 * A precompiled keyword matcher: one character trie per keyword list (per sector, per set of user
 * terms), run over raw text in ONE pass that folds accents while it walks — no normalized string, no
 * token array of strings, no Map lookup per token. It runs on every record of every search (object and
 * complementary text), so it is the filter's hot loop.
 *
 * Rules (the product rules; `reference-matcher.ts` is the previous implementation of the same rules and
 * the differential tests in test/filter/ hold both to the same answer on every fixture text and sector):
 * - Text and patterns are read as `normalizeText` reads them (`text-fold.ts`: lowercase, no accents,
 *   punctuation → word break, "EPI´S" → "epis"); the fold of each character comes from that module's
 *   table (`foldUnit`), so the parser, the index and the matcher share one alphabet.
 * - A pattern is a word or a phrase, matched on whole tokens (word boundaries). Each token also matches
 *   its regular pt-BR plural/singular forms (`wordForms`), and de/do/da/dos/das (em/no/na…) are
 *   interchangeable inside a phrase. A token written with a trailing `*` is a prefix: `odontolog*`.
 * - At each position the longest pattern wins and matches do not overlap (leftmost-longest); between
 *   patterns of the same length the first compiled wins.
 * - Exclusions MASK, they do not veto: exclusion phrases are found first, the tokens they cover are
 *   masked, and keywords are then matched on the rest. A keyword occurrence that overlaps a masked token
 *   does not count. So "malha viária" hides "malha" there, while "uniformes escolares e roupa de cama"
 *   still matches on "uniformes". A whole-bid veto would throw away real bids that merely mention an
 *   ambiguous phrase next to the real object.
 *
 * How: every surface form of every pattern token (its `wordForms`, or the prefix) is a path in a trie
 * over [a-z0-9]. Walking a word down the trie ends on a node (or falls off it); each node knows, ahead
 * of time, which pattern tokens a word ending there stands for (its "class": exact forms, then prefixes
 * on the path) and which phrases can start with it. A word that leaves the trie is only skipped to its
 * end. The pass stores one small integer per word in a reused buffer; a text in which no keyword and no
 * exclusion can start is answered right after the pass.
 */
import {
  FOLD_APOSTROPHE,
  FOLD_MARK,
  FOLD_SEPARATOR,
  foldedText,
  foldUnit,
  isPluralS,
  tokenize,
} from "../text-fold.ts";
import { wordForms } from "./word-forms.ts";

/** Keywords (and optional exclusions) to compile; pt-BR text, accents and case are irrelevant. */
export interface MatcherSpec {
  keywords: readonly string[];
  exclusions?: readonly string[];
}

/** Outcome of matching one text. `hits` are the distinct keywords found, as written in the spec. */
export interface MatchResult {
  matched: boolean;
  /** True when at least one exclusion phrase occurred (and masked part of the text). */
  excluded: boolean;
  hits: string[];
  /** Sum over keyword occurrences of the phrase length in tokens (a 3-word phrase hit counts 3). */
  score: number;
  /** Number of tokens (words) in the text, as `tokenize` counts them: `score / tokens` is the density. */
  tokens: number;
}

/** One keyword occurrence, in token positions of the normalized text (`end` exclusive). */
export interface MatchSpan {
  start: number;
  end: number;
  keyword: string;
}

/** A compiled keyword list. Immutable, reusable and safe to share. */
export interface Matcher {
  /** Number of distinct keyword patterns. */
  readonly size: number;
  match(text: string): MatchResult;
  /** Keyword occurrences (after exclusion masking) in the tokens of `normalizeText(text)`. */
  find(text: string): MatchSpan[];
}

const MIN_PREFIX = 3;
// Local copies: an imported binding can be a getter under a loader (tsx), too slow for the hot loop.
const SEPARATOR = FOLD_SEPARATOR;
const APOSTROPHE = FOLD_APOSTROPHE;
const MARK = FOLD_MARK;
/** Trie alphabet: a–z → 0–25, 0–9 → 26–35. */
const ALPHABET = 36;

/** Folded character code ([a-z0-9]) → trie symbol + 1; 0 for anything else (never produced). */
const SYMBOL = new Int8Array(128);
for (let c = 0; c < 26; c++) SYMBOL[0x61 + c] = c + 1;
for (let d = 0; d < 10; d++) SYMBOL[0x30 + d] = 26 + d + 1;

/**
 * Per BMP code unit: trie symbol + 1 (1..36) when it folds to one character, else its FOLD_* class
 * (negative); 0 = not computed yet. Derived lazily from `foldUnit`, shared by every matcher.
 */
const UNIT_SYMBOL = new Int8Array(0x10000);

for (let code = 0; code < 0x250; code++) unitSymbol(code); // Latin: no lazy fill in the common case

function unitSymbol(code: number): number {
  const folded = foldUnit(code);
  const value = folded > 0 ? SYMBOL[folded]! : folded;
  UNIT_SYMBOL[code] = value;
  return value;
}

interface Phrase {
  label: string;
  ids: number[];
}

/** Scratch buffers of the pass (the matcher never calls out while using them, so sharing is safe). */
let tokenBuffer = new Int32Array(1024);
let maskBuffer = new Uint8Array(1024);
let spanStarts = new Int32Array(256);
const spanPhrases: Phrase[] = [];

const NO_IDS: readonly number[] = [];

/** Compiles keywords and exclusions into one trie. Blank patterns are ignored. */
export function compileMatcher(spec: MatcherSpec): Matcher {
  return new TrieMatcher(spec);
}

class TrieMatcher implements Matcher {
  readonly size: number;
  /** Child node of (node, symbol) at `node * ALPHABET + symbol`; 0 = none (the root is nobody's child). */
  private readonly next: Int32Array;
  /** Class of a word that ends exactly on the node / that falls off the trie below the node. */
  private readonly endClass: Int32Array;
  private readonly fallClass: Int32Array;
  /** Pattern-token ids a word of each class stands for (class 0 = none). */
  private readonly classIds: (readonly number[])[];
  /** Phrases that can start with a word of each class, in the order they are tried; null = none. */
  private readonly keywordStarts: (readonly Phrase[] | null)[];
  private readonly exclusionStarts: (readonly Phrase[] | null)[];
  /** Bit 1: a keyword can start with the class; bit 2: an exclusion can. */
  private readonly startBits: Uint8Array;

  constructor(spec: MatcherSpec) {
    const vocabulary = new Vocabulary();
    const keywords = buildIndex(spec.keywords, vocabulary);
    const exclusions = buildIndex(spec.exclusions ?? [], vocabulary);
    this.size = keywords.count;

    const trie = buildTrie(vocabulary);
    this.next = trie.next;
    const classes = new ClassTable();
    const nodes = trie.exact.length;
    this.endClass = new Int32Array(nodes);
    this.fallClass = new Int32Array(nodes);
    for (let node = 0; node < nodes; node++) {
      const onPath = trie.prefixesOnPath[node]!;
      this.endClass[node] = classes.of([...(trie.exact[node] ?? NO_IDS), ...onPath]);
      this.fallClass[node] = classes.of(onPath);
    }
    this.classIds = classes.lists;
    this.keywordStarts = classes.lists.map((ids) => startsOf(ids, keywords.byFirst));
    this.exclusionStarts = classes.lists.map((ids) => startsOf(ids, exclusions.byFirst));
    this.startBits = Uint8Array.from(
      classes.lists,
      (_, cls) => (this.keywordStarts[cls] ? 1 : 0) | (this.exclusionStarts[cls] ? 2 : 0),
    );
  }

  match(text: string): MatchResult {
    const tokens = this.readWords(text);
    const starts = lastStarts;
    if (starts === 0) return { matched: false, excluded: false, hits: [], score: 0, tokens };
    const { count, excluded } = this.scan(tokens, starts);
    const hits: string[] = [];
    let score = 0;
    for (let s = 0; s < count; s++) {
      const phrase = spanPhrases[s]!;
      score += phrase.ids.length;
      if (!hits.includes(phrase.label)) hits.push(phrase.label);
    }
    return { matched: hits.length > 0, excluded, hits, score, tokens };
  }

  find(text: string): MatchSpan[] {
    const tokens = this.readWords(text);
    const starts = lastStarts;
    if (starts === 0) return [];
    const { count } = this.scan(tokens, starts);
    const spans: MatchSpan[] = new Array(count);
    for (let s = 0; s < count; s++) {
      const phrase = spanPhrases[s]!;
      spans[s] = { start: spanStarts[s]!, end: spanStarts[s]! + phrase.ids.length, keyword: phrase.label };
    }
    return spans;
  }

  /** `readWords` with this trie; `lastStarts` then holds the words' start bits (0 = nothing can match). */
  private readWords(text: string): number {
    return readWords(text, this.next, this.endClass, this.fallClass, this.startBits);
  }

  /** Exclusions, then the mask, then keywords; keyword spans land in `spanStarts`/`spanPhrases`. */
  private scan(n: number, starts: number): { count: number; excluded: boolean } {
    let mask: Uint8Array | null = null;
    let excluded = false;
    if (starts & 2) {
      const found = this.phrases(n, this.exclusionStarts, null);
      if (found > 0) {
        excluded = true;
        if (maskBuffer.length < n) maskBuffer = new Uint8Array(n + 1024);
        mask = maskBuffer;
        mask.fill(0, 0, n);
        for (let s = 0; s < found; s++)
          mask.fill(1, spanStarts[s]!, spanStarts[s]! + spanPhrases[s]!.ids.length);
      }
    }
    const count = starts & 1 ? this.phrases(n, this.keywordStarts, mask) : 0;
    return { count, excluded };
  }

  /** Leftmost-longest, non-overlapping phrase occurrences; masked words can take part in none. */
  private phrases(n: number, startsOf: (readonly Phrase[] | null)[], mask: Uint8Array | null): number {
    const words = tokenBuffer;
    let count = 0;
    let i = 0;
    while (i < n) {
      const candidates = mask?.[i] ? null : startsOf[words[i]!]!;
      let best: Phrase | null = null;
      if (candidates) {
        for (const phrase of candidates) {
          if (this.fitsAt(i, n, phrase.ids, mask)) {
            best = phrase;
            break;
          }
        }
      }
      if (best) {
        if (count >= spanStarts.length) {
          const grown = new Int32Array(spanStarts.length * 2);
          grown.set(spanStarts);
          spanStarts = grown;
        }
        spanStarts[count] = i;
        spanPhrases[count] = best;
        count++;
        i += best.ids.length;
      } else {
        i++;
      }
    }
    return count;
  }

  private fitsAt(i: number, n: number, phrase: readonly number[], mask: Uint8Array | null): boolean {
    if (i + phrase.length > n) return false;
    const words = tokenBuffer;
    for (let k = 1; k < phrase.length; k++) {
      if (mask?.[i + k]) return false;
      if (!this.classIds[words[i + k]!]!.includes(phrase[k]!)) return false;
    }
    return true;
  }
}

/** Start bits of every word of the last `readWords` (0 = nothing can match). */
let lastStarts = 0;
/** Index after the character read by the last `foldedAt` (a surrogate pair is two units). */
let rareEnd = 0;

/** Folded text of a character that is not one [a-z0-9] letter (several letters, astral, lone surrogate). */
function foldedAt(text: string, i: number): string {
  const code = text.charCodeAt(i);
  const codePoint = code >= 0xd800 && code <= 0xdbff ? text.codePointAt(i)! : code;
  rareEnd = codePoint > 0xffff ? i + 2 : i + 1;
  return foldedText(codePoint);
}

/** Walks `folded` down from `node` (> 0, or 0 = root); returns the node reached, or -deepest if it fell off. */
function walk(next: Int32Array, node: number, folded: string): number {
  for (let k = 0; k < folded.length; k++) {
    const child = next[node * ALPHABET + SYMBOL[folded.charCodeAt(k)]! - 1]!;
    if (child === 0) return -node;
    node = child;
  }
  return node;
}

/**
 * The one pass: folds each character, walks its word down the trie, and writes each word's class into
 * `tokenBuffer` (and the union of their start bits into `lastStarts`). Word breaks are exactly
 * `normalizeText`'s. Returns the number of words.
 */
function readWords(
  text: string,
  next: Int32Array,
  endClass: Int32Array,
  fallClass: Int32Array,
  startBits: Uint8Array,
): number {
  const n = text.length;
  if (tokenBuffer.length <= n) tokenBuffer = new Int32Array(n + 1024);
  const out = tokenBuffer;
  let count = 0;
  let starts = 0;
  let i = 0;
  while (i < n) {
    // Between words: find the first character of the next one.
    let code = text.charCodeAt(i);
    let symbol = UNIT_SYMBOL[code]!;
    if (symbol === 0) symbol = unitSymbol(code);
    let node = 0;
    if (symbol <= 0) {
      if (symbol === SEPARATOR || symbol === APOSTROPHE || symbol === MARK) {
        i++;
        continue;
      }
      const folded = foldedAt(text, i);
      i = rareEnd;
      if (folded === "") continue;
      node = walk(next, 0, folded);
    } else {
      node = next[symbol - 1]!;
      i++;
    }
    // Inside a word: walk the trie while it has a path (node > 0), then only find the word's end.
    while (i < n) {
      code = text.charCodeAt(i);
      symbol = UNIT_SYMBOL[code]!;
      if (symbol === 0) symbol = unitSymbol(code);
      if (symbol > 0) {
        if (node > 0) node = next[node * ALPHABET + symbol - 1]! || -node;
        i++;
        continue;
      }
      if (symbol === SEPARATOR) break;
      if (symbol === MARK) {
        i++;
        continue;
      }
      if (symbol === APOSTROPHE) {
        if (!isPluralS(text, i + 1)) break;
        i++;
        continue;
      }
      const folded = foldedAt(text, i);
      if (folded === "") break;
      i = rareEnd;
      if (node > 0) node = walk(next, node, folded);
    }
    // node > 0: the word ends on that node; node <= 0: it fell off below node -node (0 = the root).
    const cls = node > 0 ? endClass[node]! : fallClass[-node]!;
    out[count++] = cls;
    starts |= startBits[cls]!;
  }
  lastStarts = starts;
  return count;
}

/**
 * The phrases a word of one class can start, in the order the reference tries them: longest first, then
 * by the word's pattern-token order (exact forms, then prefixes), then by compile order.
 */
function startsOf(ids: readonly number[], byFirst: Map<number, Phrase[]>): readonly Phrase[] | null {
  const out: Phrase[] = [];
  for (const id of ids) {
    const list = byFirst.get(id);
    if (list) out.push(...list);
  }
  if (out.length === 0) return null;
  return out.sort((a, b) => b.ids.length - a.ids.length); // stable
}

/** Distinct id lists, numbered; list 0 is the empty one. */
class ClassTable {
  readonly lists: (readonly number[])[] = [NO_IDS];
  private readonly byKey = new Map<string, number>([["", 0]]);

  of(ids: readonly number[]): number {
    const key = ids.join(",");
    let cls = this.byKey.get(key);
    if (cls === undefined) {
      cls = this.lists.length;
      this.lists.push([...ids]);
      this.byKey.set(key, cls);
    }
    return cls;
  }
}

/** Pattern tokens (`word` or `prefix*`) numbered in first-seen order, with their surface forms. */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  /** Surface form → ids of the exact pattern tokens it stands for, ascending. */
  readonly exact = new Map<string, number[]>();
  /** Prefix patterns, ascending id. */
  readonly prefixes: { prefix: string; id: number }[] = [];

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
    return id;
  }
}

interface Trie {
  next: Int32Array;
  /** Per node: exact ids of the form spelled by the path to it (undefined = none). */
  exact: (readonly number[] | undefined)[];
  /** Per node: prefix ids whose prefix is the path to it or part of it, ascending id. */
  prefixesOnPath: (readonly number[])[];
}

function buildTrie(vocabulary: Vocabulary): Trie {
  const next: number[] = new Array(ALPHABET).fill(0);
  const exact: (readonly number[] | undefined)[] = [undefined];
  const ownPrefixes: number[][] = [[]];
  const parent: number[] = [-1];
  const insert = (word: string): number => {
    let node = 0;
    for (let k = 0; k < word.length; k++) {
      const symbol = SYMBOL[word.charCodeAt(k)]! - 1;
      if (symbol < 0) throw new Error(`matcher: unexpected character in pattern form "${word}"`);
      let child = next[node * ALPHABET + symbol]!;
      if (child === 0) {
        child = exact.length;
        exact.push(undefined);
        ownPrefixes.push([]);
        parent.push(node);
        for (let s = 0; s < ALPHABET; s++) next.push(0);
        next[node * ALPHABET + symbol] = child;
      }
      node = child;
    }
    return node;
  };
  for (const [form, ids] of vocabulary.exact) exact[insert(form)] = ids;
  for (const { prefix, id } of vocabulary.prefixes) ownPrefixes[insert(prefix)]!.push(id);
  // Children are always created after their parent, so one forward sweep sees every parent first.
  const prefixesOnPath: (readonly number[])[] = new Array(exact.length);
  for (let node = 0; node < exact.length; node++) {
    const inherited = node === 0 ? NO_IDS : prefixesOnPath[parent[node]!]!;
    const own = ownPrefixes[node]!;
    prefixesOnPath[node] = own.length === 0 ? inherited : [...inherited, ...own].sort((a, b) => a - b);
  }
  return { next: Int32Array.from(next), exact, prefixesOnPath };
}

interface PhraseIndex {
  count: number;
  /** First-token id → phrases starting with it, longest first (compile order among equals). */
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
