/**
 * Which part of a search the index answers and which part goes to PNCP live. Pure: windows in, plan out.
 *
 * Decisions:
 * - A (publication day × modalidade) window is answered by the index only when it is `complete` (every page
 *   of its latest full pass arrived). Every other window in the query's days is fetched live, grouped into
 *   contiguous day ranges per modalidade (modalidades sharing the same ranges share one request).
 * - Days after today hold no publications: they are neither read nor fetched.
 * - `openOnly` ("abertas") is covered for a modalidade when its windows of the last `openHorizonDays`
 *   (the same horizon the live `/proposta` path looks ahead) up to today are all complete; the index then
 *   answers it as "closes after now and on or before the closing bound". A bid published before that
 *   horizon and still open is outside it — the same horizon bounds how far ahead the live path looks.
 *   An uncovered modalidade goes live through `/proposta` as before.
 * - Overlap: index rows of windows that are fetched live are dropped (the live copy is the newer one).
 */
import { cleanTerms } from "../filter/terms.ts";
import type { PncpFetchRequest } from "../pncp/pncp-client.ts";
import type { IndexSearch, WindowState } from "../ports/bid-index.ts";
import type { SearchQuery } from "../search-query.ts";
import { addDays } from "../time.ts";
import { termPatterns } from "./search-text.ts";

export interface SearchPlan {
  /** What to ask the index; null when it answers nothing. */
  index: IndexSearch | null;
  /**
   * `windowKey`s the index answers; null when it answers every candidate it returns (openOnly, or every
   * window of the query covered).
   */
  coveredKeys: Set<string> | null;
  /** Live fetches for the windows the index does not cover. */
  live: PncpFetchRequest[];
  /** (day × modalidade) windows answered by each source (openOnly: days of the horizon). */
  windows: { index: number; live: number };
  /** Distinct publication days fetched live (0 for openOnly, which is not split by day). */
  liveDays: number;
  /** Latest refresh among the windows the index answers. */
  freshAt: Date | null;
}

export interface PlanOptions {
  /** São Paulo date of `now`. */
  today: string;
  /** How far ahead the live open-bids path looks (`HttpPncpClient` `openHorizonDays`, default 180). */
  openHorizonDays: number;
}

/** `modalidade:day`, the key of one coverage window. */
export function windowKey(modalidade: number, day: string): string {
  return `${modalidade}:${day}`;
}

/** The (inclusive) window days a query needs from the index; null when it needs none. */
export function windowDays(query: SearchQuery, options: PlanOptions): { from: string; to: string } | null {
  if (query.openOnly) return { from: addDays(options.today, -options.openHorizonDays), to: options.today };
  const to = query.to < options.today ? query.to : options.today;
  return query.from <= to ? { from: query.from, to } : null;
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Contiguous runs of `days` (ascending) as inclusive ranges. */
function runs(days: readonly string[]): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (const day of days) {
    const last = out.at(-1);
    if (last && addDays(last.to, 1) === day) last.to = day;
    else out.push({ from: day, to: day });
  }
  return out;
}

function indexQuery(query: SearchQuery, modalidades: number[], from: string, to: string): IndexSearch {
  const terms = cleanTerms(query.terms);
  return {
    ufs: [...query.ufs],
    modalidades,
    from,
    to,
    openOnly: query.openOnly,
    sector: terms.length === 0 ? query.sector : null,
    terms: termPatterns(terms),
    minValue: query.minValue,
    maxValue: query.maxValue,
  };
}

/** Splits a query between the index (complete windows) and live fetches (everything else). */
export function planSearch(
  query: SearchQuery,
  windows: readonly WindowState[],
  options: PlanOptions,
): SearchPlan {
  const complete = new Map<string, WindowState>();
  for (const w of windows) if (w.complete) complete.set(windowKey(w.modalidade, w.day), w);
  const range = windowDays(query, options);
  if (!range) {
    return {
      index: null,
      coveredKeys: null,
      live: [],
      windows: { index: 0, live: 0 },
      liveDays: 0,
      freshAt: null,
    };
  }
  const days = daysOf(range.from, range.to);
  let freshAt: Date | null = null;
  const fresher = (w: WindowState | undefined) => {
    if (w?.refreshedAt && (!freshAt || w.refreshedAt > freshAt)) freshAt = w.refreshedAt;
  };

  if (query.openOnly) {
    const covered: number[] = [];
    const uncovered: number[] = [];
    for (const m of query.modalidades) {
      const all = days.every((day) => complete.has(windowKey(m, day)));
      (all ? covered : uncovered).push(m);
      if (all) for (const day of days) fresher(complete.get(windowKey(m, day)));
    }
    const closeTo = query.to > options.today ? query.to : addDays(options.today, options.openHorizonDays);
    return {
      index: covered.length > 0 ? { ...indexQuery(query, covered, query.from, closeTo), to: closeTo } : null,
      coveredKeys: null,
      live:
        uncovered.length > 0
          ? [{ ufs: [...query.ufs], modalidades: uncovered, from: query.from, to: query.to, openOnly: true }]
          : [],
      windows: { index: covered.length * days.length, live: uncovered.length * days.length },
      liveDays: 0,
      freshAt,
    };
  }

  const coveredKeys = new Set<string>();
  const coveredModalidades: number[] = [];
  let first: string | null = null;
  let last: string | null = null;
  const liveByRanges = new Map<
    string,
    { modalidades: number[]; ranges: Array<{ from: string; to: string }> }
  >();
  let liveWindows = 0;
  const liveDays = new Set<string>();
  for (const m of query.modalidades) {
    const missing: string[] = [];
    for (const day of days) {
      const w = complete.get(windowKey(m, day));
      if (!w) {
        missing.push(day);
        continue;
      }
      coveredKeys.add(windowKey(m, day));
      fresher(w);
      if (!first || day < first) first = day;
      if (!last || day > last) last = day;
    }
    if (missing.length < days.length) coveredModalidades.push(m);
    if (missing.length === 0) continue;
    liveWindows += missing.length;
    for (const day of missing) liveDays.add(day);
    const ranges = runs(missing);
    const key = JSON.stringify(ranges);
    const group = liveByRanges.get(key);
    if (group) group.modalidades.push(m);
    else liveByRanges.set(key, { modalidades: [m], ranges });
  }
  const live: PncpFetchRequest[] = [];
  for (const { modalidades, ranges } of liveByRanges.values()) {
    for (const r of ranges)
      live.push({ ufs: [...query.ufs], modalidades, from: r.from, to: r.to, openOnly: false });
  }
  const index = first && last ? indexQuery(query, coveredModalidades, first, last) : null;
  return {
    index,
    coveredKeys: liveWindows === 0 ? null : coveredKeys,
    live,
    windows: { index: coveredKeys.size, live: liveWindows },
    liveDays: liveDays.size,
    freshAt,
  };
}
