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
 * (negative); UNKNOWN = not computed yet (a negative sentinel, so the hot checks need no extra test).
 * Derived lazily from `foldUnit`, shared by every matcher.
 */
const UNKNOWN = -6;
const UNIT_SYMBOL = new Int8Array(0x10000).fill(UNKNOWN);

for (let code = 0; code < 0x250; code++) unitSymbol(code); // Latin: no lazy fill in the common case

function unitSymbol(code: number): number {
  const folded = foldUnit(code);
  const value = folded > 0 ? SYMBOL[folded]! : folded;
  UNIT_SYMBOL[code] = value;
  return value;
}

interface Phrase {
  label: string;
  /** Pattern-token ids (shared numbering) of each word of the phrase. */
  ids: number[];
}

/** One text read by a trie: each word's class, and where the words that can start a phrase are. */
interface Reading {
  text: string | null;
  count: number;
  words: Int32Array;
  /** Positions (ascending) of the words whose class can start a phrase of some list of the group. */
  starts: Int32Array;
  startCount: number;
}

const newReading = (): Reading => ({
  text: null,
  count: 0,
  words: new Int32Array(256),
  starts: new Int32Array(256),
  startCount: 0,
});

/** Scratch buffers of a scan (nothing is called out while they are in use, so sharing is safe). */
let maskBuffer = new Uint8Array(1024);
let spanStarts = new Int32Array(256);
const spanPhrases: Phrase[] = [];

const NO_IDS: readonly number[] = [];

/** Compiles keywords and exclusions into one trie. Blank patterns are ignored. */
export function compileMatcher(spec: MatcherSpec): Matcher {
  return compileMatchers([spec])[0]!;
}

/**
 * Compiles several keyword lists over ONE shared trie (the sectors: keywords and vetoes of each). A text
 * is then read once for all of them — the group remembers its last few texts — and each list only scans
 * the words' classes, so asking ten lists about the same object costs one pass over its characters.
 * Every matcher answers exactly as if compiled alone.
 */
export function compileMatchers(specs: readonly MatcherSpec[]): Matcher[] {
  const shared = new Vocabulary();
  const lists = specs.map((spec) => {
    const local = new Vocabulary();
    const keywords = buildIndex(spec.keywords, local);
    const exclusions = buildIndex(spec.exclusions ?? [], local);
    // Local ids (the order a list compiled alone would try its patterns in) → shared ids.
    const toShared = local.keys.map((key) => shared.idOfKey(key));
    return { keywords, exclusions, toShared };
  });
  const trie = new SharedTrie(shared);
  const group = new ReadingCache(trie);
  const matchers = lists.map(
    ({ keywords, exclusions, toShared }) =>
      new TrieMatcher(group, trie, shared, keywords, exclusions, toShared),
  );
  trie.canStart = Uint8Array.from(trie.classIds, (_, cls) =>
    matchers.some((matcher) => matcher.startBits[cls] !== 0) ? 1 : 0,
  );
  return matchers;
}

/** The trie over every surface form of every pattern token of a group, and the classes of its words. */
class SharedTrie {
  /** Child node of (node, symbol) at `node * ALPHABET + symbol`; 0 = none (the root is nobody's child). */
  readonly next: Int32Array;
  /** Class of a word that ends exactly on the node / that falls off the trie below the node. */
  readonly endClass: Int32Array;
  readonly fallClass: Int32Array;
  /** Per class: the shared ids of the exact pattern tokens, then of the prefixes, a word of it stands for. */
  readonly classExact: (readonly number[])[];
  readonly classPrefixes: (readonly number[])[];
  /** Per class: every id it stands for (for phrase membership). */
  readonly classIds: (readonly number[])[];
  /** Per class: 1 when some list of the group has a phrase starting with it (set once the lists exist). */
  canStart: Uint8Array = new Uint8Array(0);

  constructor(vocabulary: Vocabulary) {
    const trie = buildTrie(vocabulary);
    this.next = trie.next;
    const nodes = trie.exact.length;
    this.endClass = new Int32Array(nodes);
    this.fallClass = new Int32Array(nodes);
    const classes = new ClassTable();
    for (let node = 0; node < nodes; node++) {
      const onPath = trie.prefixesOnPath[node]!;
      this.endClass[node] = classes.of(trie.exact[node] ?? NO_IDS, onPath);
      this.fallClass[node] = classes.of(NO_IDS, onPath);
    }
    this.classExact = classes.exact;
    this.classPrefixes = classes.prefixes;
    this.classIds = classes.exact.map((exact, cls) => {
      const prefixes = classes.prefixes[cls]!;
      return prefixes.length === 0 ? exact : exact.length === 0 ? prefixes : [...exact, ...prefixes];
    });
    this.classesOf = Array.from({ length: vocabulary.size }, () => [] as number[]);
    this.classIds.forEach((ids, cls) => {
      for (const id of ids) this.classesOf[id]!.push(cls);
    });
  }

  /** Per shared id: the classes that stand for it, ascending. */
  readonly classesOf: number[][];
}

/** The last texts a group read (object and complementary text of a bid alternate). */
class ReadingCache {
  private readonly readings = [newReading(), newReading(), newReading()];
  private victim = 0;

  constructor(private readonly trie: SharedTrie) {}

  read(text: string): Reading {
    const readings = this.readings;
    for (let k = 0; k < readings.length; k++) if (readings[k]!.text === text) return readings[k]!;
    const reading = readings[this.victim]!;
    this.victim = (this.victim + 1) % readings.length;
    readWords(text, this.trie, reading);
    return reading;
  }
}

class TrieMatcher implements Matcher {
  readonly size: number;
  /** Per class: phrases that can start with a word of it, in the order they are tried; null = none. */
  private readonly keywordStarts: (readonly Phrase[] | null)[];
  private readonly exclusionStarts: (readonly Phrase[] | null)[];
  /** Per class — bit 1: a keyword can start with it; bit 2: an exclusion can. */
  readonly startBits: Uint8Array;
  private readonly classIds: (readonly number[])[];

  constructor(
    private readonly cache: ReadingCache,
    trie: SharedTrie,
    shared: Vocabulary,
    keywords: PhraseIndex,
    exclusions: PhraseIndex,
    toShared: readonly number[],
  ) {
    this.size = keywords.count;
    this.classIds = trie.classIds;
    const toLocal = new Int32Array(shared.size).fill(-1);
    toShared.forEach((sharedId, localId) => {
      toLocal[sharedId] = localId;
    });
    const sharedPhrase = (phrase: Phrase): Phrase => ({
      label: phrase.label,
      ids: phrase.ids.map((id) => toShared[id]!),
    });
    const keywordFirst = remap(keywords.byFirst, sharedPhrase);
    const exclusionFirst = remap(exclusions.byFirst, sharedPhrase);
    const classes = trie.classIds.length;
    this.keywordStarts = new Array(classes).fill(null);
    this.exclusionStarts = new Array(classes).fill(null);
    this.startBits = new Uint8Array(classes);
    const own = new Set<number>();
    for (const sharedId of toShared) for (const cls of trie.classesOf[sharedId]!) own.add(cls);
    for (const cls of own) {
      // The word's pattern tokens in this list's own order: exact forms, then prefixes, each by local id.
      const local = [
        ...localIds(trie.classExact[cls]!, toLocal),
        ...localIds(trie.classPrefixes[cls]!, toLocal),
      ];
      const kw = startsOf(local, keywordFirst);
      const ex = startsOf(local, exclusionFirst);
      this.keywordStarts[cls] = kw;
      this.exclusionStarts[cls] = ex;
      this.startBits[cls] = (kw ? 1 : 0) | (ex ? 2 : 0);
    }
  }

  match(text: string): MatchResult {
    const reading = this.cache.read(text);
    const tokens = reading.count;
    const count = this.scan(reading);
    if (count < 0) return { matched: false, excluded: count === -2, hits: [], score: 0, tokens };
    const hits: string[] = [];
    let score = 0;
    for (let s = 0; s < count; s++) {
      const phrase = spanPhrases[s]!;
      score += phrase.ids.length;
      if (!hits.includes(phrase.label)) hits.push(phrase.label);
    }
    return { matched: hits.length > 0, excluded: this.excluded, hits, score, tokens };
  }

  find(text: string): MatchSpan[] {
    const count = this.scan(this.cache.read(text));
    if (count <= 0) return [];
    const spans: MatchSpan[] = new Array(count);
    for (let s = 0; s < count; s++) {
      const phrase = spanPhrases[s]!;
      spans[s] = { start: spanStarts[s]!, end: spanStarts[s]! + phrase.ids.length, keyword: phrase.label };
    }
    return spans;
  }

  /** Whether the last `scan` found an exclusion. */
  private excluded = false;

  /**
   * Exclusions, then the mask, then keywords; keyword spans land in `spanStarts`/`spanPhrases`. Returns
   * their count, or -1 (nothing of this list can start here) / -2 (only exclusions, and they were found).
   */
  private scan(reading: Reading): number {
    const { words, starts, startCount, count: n } = reading;
    const startBits = this.startBits;
    let bits = 0;
    for (let k = 0; k < startCount; k++) bits |= startBits[words[starts[k]!]!]!;
    this.excluded = false;
    if (bits === 0) return -1;
    let mask: Uint8Array | null = null;
    if (bits & 2) {
      const found = this.phrases(reading, this.exclusionStarts, null);
      if (found > 0) {
        this.excluded = true;
        if (maskBuffer.length < n) maskBuffer = new Uint8Array(n + 1024);
        mask = maskBuffer;
        mask.fill(0, 0, n);
        for (let s = 0; s < found; s++)
          mask.fill(1, spanStarts[s]!, spanStarts[s]! + spanPhrases[s]!.ids.length);
      }
    }
    if (bits & 1) return this.phrases(reading, this.keywordStarts, mask);
    return this.excluded ? -2 : -1;
  }

  /**
   * Leftmost-longest, non-overlapping phrase occurrences; masked words can take part in none. Only the
   * words that can start something are tried (the others would just be stepped over).
   */
  private phrases(reading: Reading, startsOf: (readonly Phrase[] | null)[], mask: Uint8Array | null): number {
    const { words, starts, startCount, count: n } = reading;
    let count = 0;
    let free = 0; // first word not inside an earlier occurrence
    for (let k = 0; k < startCount; k++) {
      const i = starts[k]!;
      if (i < free || mask?.[i]) continue;
      const candidates = startsOf[words[i]!];
      if (!candidates) continue;
      for (const phrase of candidates) {
        if (this.fitsAt(words, i, n, phrase.ids, mask)) {
          if (count >= spanStarts.length) {
            const grown = new Int32Array(spanStarts.length * 2);
            grown.set(spanStarts);
            spanStarts = grown;
          }
          spanStarts[count] = i;
          spanPhrases[count] = phrase;
          count++;
          free = i + phrase.ids.length;
          break;
        }
      }
    }
    return count;
  }

  private fitsAt(
    words: Int32Array,
    i: number,
    n: number,
    phrase: readonly number[],
    mask: Uint8Array | null,
  ): boolean {
    if (i + phrase.length > n) return false;
    for (let k = 1; k < phrase.length; k++) {
      if (mask?.[i + k]) return false;
      if (!this.classIds[words[i + k]!]!.includes(phrase[k]!)) return false;
    }
    return true;
  }
}

function localIds(sharedIds: readonly number[], toLocal: Int32Array): number[] {
  const out: number[] = [];
  for (const id of sharedIds) if (toLocal[id]! >= 0) out.push(toLocal[id]!);
  return out.sort((a, b) => a - b);
}

function remap(byFirst: Map<number, Phrase[]>, map: (phrase: Phrase) => Phrase): Map<number, Phrase[]> {
  return new Map([...byFirst].map(([first, list]) => [first, list.map(map)]));
}

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
 * `reading.words`, and the positions of the words some phrase of some list can start with into
 * `reading.starts`. Word breaks are exactly `normalizeText`'s.
 */
function readWords(text: string, trie: SharedTrie, reading: Reading): void {
  const n = text.length;
  if (reading.words.length <= n) {
    reading.words = new Int32Array(n + 256);
    reading.starts = new Int32Array(n + 256);
  }
  const out = reading.words;
  const startsAt = reading.starts;
  const { next, endClass, fallClass, canStart } = trie;
  let count = 0;
  let starts = 0;
  let i = 0;
  while (i < n) {
    // Between words: find the first character of the next one.
    let symbol = UNIT_SYMBOL[text.charCodeAt(i)]!;
    let node = 0;
    if (symbol <= 0) {
      if (symbol === SEPARATOR || symbol === APOSTROPHE || symbol === MARK) {
        i++;
        continue;
      }
      if (symbol === UNKNOWN) {
        unitSymbol(text.charCodeAt(i));
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
      symbol = UNIT_SYMBOL[text.charCodeAt(i)]!;
      if (symbol > 0) {
        i++;
        if (node > 0) {
          node = next[node * ALPHABET + symbol - 1]! || -node;
          continue;
        }
        // Off the trie: only the word's end matters (a not-yet-classified unit stops the skip).
        while (i < n && UNIT_SYMBOL[text.charCodeAt(i)]! > 0) i++;
        continue;
      }
      if (symbol === SEPARATOR) {
        i++; // a separator only ends the word: consume it here
        break;
      }
      if (symbol === MARK) {
        i++;
        continue;
      }
      if (symbol === UNKNOWN) {
        unitSymbol(text.charCodeAt(i));
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
    if (canStart[cls]) startsAt[starts++] = count;
    out[count++] = cls;
  }
  reading.text = text;
  reading.count = count;
  reading.startCount = starts;
}

/**
 * The phrases a word can start, given its pattern tokens in the order a list compiled alone resolves
 * them, in the order the reference tries them: longest first, then by that token order, then by compile
 * order (the winner at a position is the first that fits).
 */
function startsOf(localIds: readonly number[], byFirst: Map<number, Phrase[]>): readonly Phrase[] | null {
  const out: Phrase[] = [];
  for (const id of localIds) {
    const list = byFirst.get(id);
    if (list) out.push(...list);
  }
  if (out.length === 0) return null;
  return out.sort((a, b) => b.ids.length - a.ids.length); // stable
}

/**
 * (exact ids, prefix ids) pairs, numbered; class 0 is the empty one. Deduplicated by array identity (the
 * trie hands out the vocabulary's own arrays), which is cheap and enough: equal classes are harmless.
 */
class ClassTable {
  readonly exact: (readonly number[])[] = [NO_IDS];
  readonly prefixes: (readonly number[])[] = [NO_IDS];
  private readonly byPrefixes = new Map<readonly number[], Map<readonly number[], number>>([
    [NO_IDS, new Map([[NO_IDS, 0]])],
  ]);

  of(exact: readonly number[], prefixes: readonly number[]): number {
    let byExact = this.byPrefixes.get(prefixes);
    if (!byExact) {
      byExact = new Map();
      this.byPrefixes.set(prefixes, byExact);
    }
    let cls = byExact.get(exact);
    if (cls === undefined) {
      cls = this.exact.length;
      this.exact.push(exact);
      this.prefixes.push(prefixes);
      byExact.set(exact, cls);
    }
    return cls;
  }
}

/** Pattern tokens (`word` or `prefix*`) numbered in first-seen order, with their surface forms. */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  /** Key of each id: the token, or `prefix*`. */
  readonly keys: string[] = [];
  /** Surface form → ids of the exact pattern tokens it stands for, ascending. */
  readonly exact = new Map<string, number[]>();
  /** Prefix patterns, ascending id. */
  readonly prefixes: { prefix: string; id: number }[] = [];

  get size(): number {
    return this.ids.size;
  }

  /** `idOf` by key (`word` or `prefix*`, as in `keys`). */
  idOfKey(key: string): number {
    return key.endsWith("*") ? this.idOf(key.slice(0, -1), true) : this.idOf(key, false);
  }

  idOf(patternToken: string, isPrefix: boolean): number {
    const key = isPrefix ? `${patternToken}*` : patternToken;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.ids.size;
    this.ids.set(key, id);
    this.keys.push(key);
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
  let next = new Int32Array(ALPHABET * 64);
  const exact: (readonly number[] | undefined)[] = [undefined];
  const ownPrefixes = new Map<number, number[]>();
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
        parent.push(node);
        if ((child + 1) * ALPHABET > next.length) {
          const grown = new Int32Array(next.length * 2);
          grown.set(next);
          next = grown;
        }
        next[node * ALPHABET + symbol] = child;
      }
      node = child;
    }
    return node;
  };
  for (const [form, ids] of vocabulary.exact) exact[insert(form)] = ids;
  for (const { prefix, id } of vocabulary.prefixes) {
    const node = insert(prefix);
    const own = ownPrefixes.get(node);
    if (own) own.push(id);
    else ownPrefixes.set(node, [id]);
  }
  // Children are always created after their parent, so one forward sweep sees every parent first; a node
  // without prefixes of its own shares its parent's list (the same array: classes dedupe by identity).
  const prefixesOnPath: (readonly number[])[] = new Array(exact.length);
  for (let node = 0; node < exact.length; node++) {
    const inherited = node === 0 ? NO_IDS : prefixesOnPath[parent[node]!]!;
    const own = ownPrefixes.get(node);
    prefixesOnPath[node] = own ? [...inherited, ...own].sort((a, b) => a - b) : inherited;
  }
  return { next: next.slice(0, exact.length * ALPHABET), exact, prefixesOnPath };
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
