/**
 * Turns a `PncpFetchRequest` into the (window × UF × modalidade) slices that are fetched in parallel,
 * and decides which pages of a slice are fetched under the page cap.
 */
import { AppError } from "../errors.ts";
import { addDays, toPncpDate } from "../time.ts";
import type { PncpFetchRequest } from "./pncp-client.ts";
import { assertIsoDate, splitWindow } from "./windows.ts";

/** One independent paged query. `params` has everything except `pagina`. */
export interface Slice {
  /** Position in the plan; results are assembled in this order so output never depends on timing. */
  index: number;
  uf: string | null;
  modalidade: number;
  from: string;
  to: string;
  path: string;
  params: Record<string, string>;
}

/** Settings of the plan. */
export interface PlanOptions {
  pageSize: number;
  maxWindowDays: number;
  /** For `openOnly`: how far ahead `dataFinal` goes when the request's `to` is not in the future. */
  openHorizonDays: number;
  /** São Paulo calendar date of "now" (YYYY-MM-DD). */
  today: string;
}

/** Bids by publication date (`dataInicial`…`dataFinal`). */
export const PUBLICACAO_PATH = "/v1/contratacoes/publicacao";
/** Bids still receiving proposals (`dataFinal` only). */
export const PROPOSTA_PATH = "/v1/contratacoes/proposta";

function validModalidades(modalidades: number[]): number[] {
  const unique = [...new Set(modalidades)];
  if (unique.length === 0) throw new AppError("INVALID_QUERY", "at least one modalidade is required");
  for (const m of unique) {
    if (!Number.isInteger(m) || m < 1 || m > 99) {
      throw new AppError("INVALID_QUERY", `invalid modalidade ${m}`, { details: { modalidade: m } });
    }
  }
  return unique;
}

function validUfs(ufs: string[]): (string | null)[] {
  const unique = [...new Set(ufs.map((uf) => uf.trim().toUpperCase()))];
  for (const uf of unique) {
    if (!/^[A-Z]{2}$/.test(uf))
      throw new AppError("INVALID_QUERY", `invalid UF "${uf}"`, { details: { uf } });
  }
  return unique.length > 0 ? unique : [null];
}

/**
 * `/proposta` lists bids open *now* whose proposals close on or before `dataFinal` (observed 2026-09-21:
 * `dataFinal` = today returned only bids closing that day). A `to` in the future is a real "closing by"
 * bound and is sent as is; a `to` of today or earlier (the default "last N days" window) would hide every
 * bid closing after today, so `dataFinal` becomes today + `openHorizonDays`.
 */
export function openDataFinal(to: string, options: Pick<PlanOptions, "today" | "openHorizonDays">): string {
  assertIsoDate(to, "to");
  return to > options.today ? to : addDays(options.today, options.openHorizonDays);
}

/** Validates the request (AppError INVALID_QUERY) and lists its slices: newest window first, then UF, then modalidade. */
export function planSlices(request: PncpFetchRequest, options: PlanOptions): Slice[] {
  const modalidades = validModalidades(request.modalidades);
  const ufs = validUfs(request.ufs);
  const pageSize = String(options.pageSize);
  const slices: Slice[] = [];
  const push = (
    uf: string | null,
    modalidade: number,
    from: string,
    to: string,
    path: string,
    dates: Record<string, string>,
  ) => {
    const params: Record<string, string> = { ...dates, codigoModalidadeContratacao: String(modalidade) };
    if (uf) params.uf = uf;
    params.tamanhoPagina = pageSize;
    slices.push({ index: slices.length, uf, modalidade, from, to, path, params });
  };

  if (request.openOnly) {
    const dataFinal = openDataFinal(request.to, options);
    for (const uf of ufs) {
      for (const m of modalidades)
        push(uf, m, options.today, dataFinal, PROPOSTA_PATH, { dataFinal: toPncpDate(dataFinal) });
    }
    return slices;
  }

  for (const window of splitWindow(request.from, request.to, options.maxWindowDays)) {
    const dates = { dataInicial: toPncpDate(window.from), dataFinal: toPncpDate(window.to) };
    for (const uf of ufs) {
      for (const m of modalidades) push(uf, m, window.from, window.to, PUBLICACAO_PATH, dates);
    }
  }
  return slices;
}

/** Pages to fetch after page 1, and how many the cap leaves out. */
export interface PageSelection {
  pages: number[];
  skipped: number;
}

/**
 * Pages 2…total when they fit under `cap` (page 1 included in the count). Over the cap, the NEWEST pages
 * are kept: PNCP sorts by publication time ascending, and for a bid search the latest publications (the
 * ones still open) matter most, so pages 2…(total − cap + 1) are the ones skipped.
 */
export function selectPages(totalPages: number, cap: number): PageSelection {
  const limit = Math.max(1, Math.floor(cap));
  if (totalPages <= limit) return { pages: range(2, totalPages), skipped: 0 };
  return { pages: range(totalPages - limit + 2, totalPages), skipped: totalPages - limit };
}

function range(first: number, last: number): number[] {
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}
