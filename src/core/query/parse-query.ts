/**
 * The forgiving pt-BR query grammar: what a user types after /buscar → a validated `SearchQuery`.
 *
 * Decisions (see also the rule files):
 * - UFs: a 2-letter code in CAPITALS is always a UF. In lowercase it is a UF too ("sp", "rj"), except
 *   the codes that are also Portuguese words — se, to, ma, es, pe, pa, am, ap — which count only next to
 *   another UF ("sc pr se") or written in capitals; otherwise they are reported as unrecognized with a
 *   hint. State names work with or without accents; "Pará" needs its accent ("para" is a preposition).
 * - Sector vs terms: `setor:<id|nome>` always selects a sector. A sector's id, name or alias typed as
 *   the ONLY search word ("uniformes SC", "abertas informática SP") selects that sector too; typed next
 *   to other words ("uniformes jalecos") it stays an ordinary term, because terms replace the sector
 *   keywords and the user clearly listed what they want — and a note says so, naming `setor:<id>`.
 * - `recognized` lists the kinds of pieces read (sector, uf, period, value…): empty when the text was
 *   only plain words, which a private chat asks to confirm before searching.
 * - Terms: every free word is a term (terms are alternatives: a bid matching any of them is kept;
 *   relevance puts bids matching more terms first). Adjacent free words that form a known multi-word
 *   keyword of any sector ("merenda escolar", "material de limpeza", "kit lanche") stay one phrase.
 *   "Quoted phrases" are always one term. Stopwords and filler words ("licitações", "buscar") are dropped.
 * - Unreadable pieces (a malformed date, "acima de banana", an unknown `setor:`, a bare "50 mil", a lone
 *   number) go to `unrecognized`; they are never silently dropped and never become terms.
 * - Period: last DEFAULT_PERIOD_DAYS days (today included, São Paulo date) by default; reversed dates are
 *   swapped, a future end date is clamped to today, and > 365 days is kept with a note (the PNCP client
 *   splits long windows).
 */
import { compileMatcher, type Matcher } from "../filter/matcher.ts";
import { SECTORS, sectorByName } from "../filter/sectors.ts";
import { cleanTerms, isOnlyStopwords, STOPWORDS } from "../filter/terms.ts";
import type { ParsedQuery, SearchQuery } from "../search-query.ts";
import { SECTOR_IDS, type SectorId } from "../sectors.ts";
import { normalizeText, tokenize } from "../text-fold.ts";
import { saoPauloDate } from "../time.ts";
import { finalizeQuery } from "./finalize-query.ts";
import { AMBIGUOUS_UFS, FILLER_WORDS } from "./lexicon.ts";
import { type Draft, RULES, type Step } from "./query-rules.ts";
import { type QueryToken, tokenizeQuery } from "./query-tokens.ts";

/** `now` fixes "today"; `defaults` fill what the text does not say (e.g. a user's saved UFs). */
export interface ParseQueryOptions {
  now: Date;
  defaults?: Partial<SearchQuery>;
}

/** Reads a pt-BR search text. Never throws on user input; the query always passes `searchQuerySchema`. */
export function parseQuery(text: string, options: ParseQueryOptions): ParsedQuery {
  const tokens = tokenizeQuery(text);
  const draft = emptyDraft(saoPauloDate(options.now));
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.breakBefore) draft.run++;
    const step = firstStep(tokens, i, draft);
    if (step) {
      step.apply(draft);
      if (step.kind) draft.recognized.add(step.kind);
      draft.run++;
      i += step.length;
      continue;
    }
    readWord(token, draft);
    i++;
  }
  const terms = resolveTerms(draft);
  return finalizeQuery(draft, terms, options.defaults ?? {});
}

/** The first rule, in priority order, that reads `tokens[i]` (later rules are not even asked). */
function firstStep(tokens: readonly QueryToken[], i: number, draft: Draft): Step | null {
  for (const rule of RULES) {
    const step = rule(tokens, i, draft);
    if (step) return step;
  }
  return null;
}

function emptyDraft(today: string): Draft {
  return {
    today,
    words: [],
    run: 0,
    sector: null,
    ufs: new Set(),
    national: false,
    periods: [],
    minValue: null,
    maxValue: null,
    modalidades: new Set(),
    openOnly: false,
    statuses: new Set(),
    esferas: new Set(),
    municipios: [],
    orgaos: [],
    sort: null,
    unrecognized: [],
    notes: [],
    ufEnds: new Set(),
    recognized: new Set(),
  };
}

const LONE_SCALES: ReadonlySet<string> = new Set([
  "mil",
  "milhao",
  "milhoes",
  "bilhao",
  "bilhoes",
  "trilhao",
  "trilhoes",
]);

/** "1e999", "-5", "2,5e3": numbers no rule read are echoed back, never searched as words. */
const NUMBER_LIKE = /^[-+\u2212]?[\d.,]*\d[\d.,]*(e[-+]?\d+)?$/;

/** A token no rule read: a quoted phrase, a search word, a stopword, filler, or something unreadable. */
function readWord(token: QueryToken, draft: Draft): void {
  if (token.quoted) {
    const text = token.raw.slice(1, -1).trim();
    draft.words.push({ text, run: ++draft.run, quoted: true });
    if (!isOnlyStopwords(text)) draft.recognized.add("quoted_term");
    draft.run++;
    return;
  }
  if (FILLER_WORDS.has(token.key) || !/[\p{L}\p{N}]/u.test(token.raw)) return;
  if (LONE_SCALES.has(token.key)) {
    // "mil" or "milhões" alone (left over from an unreadable amount): not a search word.
    draft.unrecognized.push(token.raw);
    return;
  }
  if (AMBIGUOUS_UFS.has(token.key) && !STOPWORDS.has(token.key)) {
    draft.unrecognized.push(token.raw);
    draft.notes.push(
      `“${token.raw}” não foi lido como UF; para o estado, escreva ${token.key.toUpperCase()}.`,
    );
    return;
  }
  if (
    /^[\d-]+$/.test(token.key) ||
    NUMBER_LIKE.test(token.fold) ||
    !/^[\p{L}\p{N}'’.-]+$/u.test(token.raw.replace(/[()]/g, ""))
  ) {
    draft.unrecognized.push(token.raw);
    return;
  }
  draft.words.push({ text: token.raw, run: draft.run, quoted: false });
}

let phraseMatcher: Matcher | null = null;

/** Multi-word keywords, names and aliases of every sector: the phrases worth keeping whole. */
function knownPhrases(): Matcher {
  if (!phraseMatcher) {
    const phrases = SECTOR_IDS.flatMap((id) => [
      ...SECTORS[id].keywords,
      SECTORS[id].name,
      ...SECTORS[id].aliases,
    ]);
    phraseMatcher = compileMatcher({ keywords: phrases.filter((p) => tokenize(p).length > 1) });
  }
  return phraseMatcher;
}

/**
 * Groups free words into terms (known phrases glued), then lets a lone sector name select the sector.
 * A sector name next to other terms stays a term, with a note saying so and how to ask for the sector.
 */
function resolveTerms(draft: Draft): string[] {
  const runs = new Map<number, { texts: string[]; quoted: boolean }>();
  for (const word of draft.words) {
    const run = runs.get(word.run);
    if (run) run.texts.push(word.text);
    else runs.set(word.run, { texts: [word.text], quoted: word.quoted });
  }
  const terms: string[] = [];
  const quoted = new Set<string>();
  for (const run of runs.values()) {
    terms.push(...(run.quoted ? run.texts : glue(run.texts)));
    if (run.quoted) for (const text of run.texts) quoted.add(normalizeText(text));
  }
  const cleaned = cleanTerms(terms);
  const plain = cleaned.filter((t) => !quoted.has(normalizeText(t)));
  const id = !draft.sector && cleaned.length === 1 && plain.length === 1 ? sectorByName(cleaned[0]!) : null;
  if (id) {
    draft.sector = id;
    draft.recognized.add("sector");
    return [];
  }
  if (!draft.sector && cleaned.length > 1) {
    for (const term of plain) {
      const sector = sectorByName(term);
      if (!sector) continue;
      draft.notes.push(sectorTermNote(term, sector, cleaned));
      // A sector name was read, even if searched as a term: the text reads as a search.
      draft.recognized.add("sector");
    }
  }
  return cleaned;
}

const MAX_NOTE_TERMS = 3;
const MAX_NOTE_TERM_LENGTH = 40;

/** “uniformes” foi buscado como termo junto com “xyz”; para o setor Vestuário e Uniformes, use setor:vestuario. */
function sectorTermNote(term: string, sector: SectorId, terms: readonly string[]): string {
  const short = (t: string) =>
    `“${t.length > MAX_NOTE_TERM_LENGTH ? `${t.slice(0, MAX_NOTE_TERM_LENGTH - 1)}…` : t}”`;
  const others = terms.filter((t) => t !== term);
  const listed = others.slice(0, MAX_NOTE_TERMS).map(short);
  if (others.length > MAX_NOTE_TERMS) listed.push(`mais ${others.length - MAX_NOTE_TERMS}`);
  const withList = listed.length > 1 ? `${listed.slice(0, -1).join(", ")} e ${listed.at(-1)}` : listed[0];
  return `${short(term)} foi buscado como termo junto com ${withList}; para o setor ${SECTORS[sector].name}, use setor:${sector}.`;
}

/** ["merenda", "escolar", "SP"] → ["merenda escolar", "SP"] when "merenda escolar" is a known phrase. */
function glue(words: string[]): string[] {
  if (words.length < 2) return words;
  const starts: number[] = [];
  let offset = 0;
  for (const word of words) {
    starts.push(offset);
    offset += tokenize(word).length;
  }
  const out: string[] = [];
  let w = 0;
  for (const span of knownPhrases().find(words.join(" "))) {
    const a = starts.indexOf(span.start);
    const b = span.end === offset ? words.length : starts.indexOf(span.end);
    if (a < w || a < 0 || b < 0 || b - a < 2) continue;
    out.push(...words.slice(w, a), words.slice(a, b).join(" "));
    w = b;
  }
  out.push(...words.slice(w));
  return out;
}
