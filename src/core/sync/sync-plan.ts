/**
 * The sync planner, pure: which (day × modalidade) windows a round fetches, in which order, and which pages
 * of each. A round is (a) the incremental part — today's and yesterday's publications, refetched in full
 * every round (a fresh pass: PNCP keeps publishing into them), plus `/atualizacao` over the last 2 days —
 * then (b) the backfill of `backfillDays` back from today, NEWEST days first (the index is useful within
 * minutes), skipping complete windows and resuming partial ones at the pages not done yet.
 */
import type { WindowKey, WindowState } from "../ports/bid-index.ts";
import { DEFAULT_MODALIDADES } from "../search-query.ts";
import { addDays } from "../time.ts";

/** Days the incremental part refetches every round (today and yesterday). */
export const INCREMENTAL_DAYS = 2;

/** Days of `/v1/contratacoes/atualizacao` each round reads (the 2-day overlap peers use). */
export const UPDATE_DAYS = 2;

/** One publication window to fetch this round. */
export interface WindowTask extends WindowKey {
  /** Incremental refresh: start a new pass (`restartWindow`), fetch page 1 then every page. */
  restart: boolean;
  /**
   * Pages still to fetch when the pass can be resumed without page 1 (its `pagesTotal` is known and page 1
   * is done); null = fetch page 1 first, then every page not done.
   */
  resumePages: number[] | null;
  /** Pages already done in this pass (a resumed window does not fetch them again). */
  pagesDone: number[];
}

/** The modalidades the sync covers: the product's defaults plus `extra` (`SYNC_MODALIDADES`), no repeats. */
export function syncModalidades(extra: readonly number[] = []): number[] {
  return [...new Set<number>([...DEFAULT_MODALIDADES, ...extra])];
}

/** The oldest day of a backfill of `backfillDays` ending today (today counts as the first). */
export function oldestDay(today: string, backfillDays: number): string {
  return addDays(today, -(Math.max(INCREMENTAL_DAYS, backfillDays) - 1));
}

/** Pages 1…max(1, pagesTotal) not in `pagesDone`; null while `pagesTotal` is unknown. */
export function missingPages(state: Pick<WindowState, "pagesTotal" | "pagesDone">): number[] | null {
  if (state.pagesTotal === null) return null;
  const done = new Set(state.pagesDone);
  const missing: number[] = [];
  for (let page = 1; page <= Math.max(1, state.pagesTotal); page++) if (!done.has(page)) missing.push(page);
  return missing;
}

/** Inputs of `planRound`. */
export interface PlanInput {
  /** São Paulo date of the round. */
  today: string;
  backfillDays: number;
  modalidades: readonly number[];
  /** Current states of the windows in [oldestDay, today] (missing = never fetched). */
  states: readonly WindowState[];
}

/**
 * The round's publication windows in fetch order: today and yesterday (restart) for every modalidade,
 * then each older day, newest first, every modalidade whose window is not complete.
 */
export function planRound(input: PlanInput): WindowTask[] {
  const states = new Map(input.states.map((s) => [`${s.day}|${s.modalidade}`, s]));
  const tasks: WindowTask[] = [];
  const days = Math.max(INCREMENTAL_DAYS, input.backfillDays);
  for (let back = 0; back < days; back++) {
    const day = addDays(input.today, -back);
    for (const modalidade of input.modalidades) {
      if (back < INCREMENTAL_DAYS) {
        tasks.push({ day, modalidade, restart: true, resumePages: null, pagesDone: [] });
        continue;
      }
      const state = states.get(`${day}|${modalidade}`);
      if (state?.complete) continue;
      const missing = state ? missingPages(state) : null;
      const page1Done = state?.pagesDone.includes(1) ?? false;
      tasks.push({
        day,
        modalidade,
        restart: false,
        resumePages: missing !== null && page1Done ? missing : null,
        pagesDone: state?.pagesDone ?? [],
      });
    }
  }
  return tasks;
}

/** The `/atualizacao` range of a round: [today − (UPDATE_DAYS − 1), today]. */
export function updateRange(today: string): { from: string; to: string } {
  return { from: addDays(today, -(UPDATE_DAYS - 1)), to: today };
}
