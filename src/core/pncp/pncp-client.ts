import type { Bid } from "../bid.ts";

/** What to fetch from PNCP. The filter (keywords, values, status…) runs afterwards, client-side. */
export interface PncpFetchRequest {
  /** UF siglas; empty = national (the `uf` parameter omitted). */
  ufs: string[];
  modalidades: number[];
  /** São Paulo calendar dates, YYYY-MM-DD, inclusive. Ignored bounds for `openOnly` except `to`. */
  from: string;
  to: string;
  /**
   * true → `/v1/contratacoes/proposta` (still receiving proposals); false → `/v1/contratacoes/publicacao`.
   * With `openOnly`, a `to` after today means "closing on or before `to`"; a `to` of today or earlier means
   * "everything still open" (HttpPncpClient sends today + its `openHorizonDays` as `dataFinal`).
   */
  openOnly: boolean;
}

/** One (UF × modalidade × window) slice that lost data, so the user can be told. */
export interface SliceIssue {
  uf: string | null;
  modalidade: number;
  from: string;
  to: string;
  /** Pages not fetched (page cap) or failed. */
  pages: number;
  reason: "page_cap" | "failed" | "circuit_open";
}

/** Counters of one fetch; every number is measured, never estimated. */
export interface FetchStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Pages obtained successfully (204 counts as a page with no records). */
  pages: number;
  /** Pages PNCP reported in total for all slices (before page caps). */
  pagesTotal: number;
  /** Records received (valid or not, before dedup). */
  fetched: number;
  /** Records dropped because they did not validate. */
  invalid: number;
  /** Records dropped as duplicates of an earlier `numeroControlePNCP`. */
  duplicates: number;
  retries: number;
  /** Pages that failed for good after retries. */
  failed: number;
  /** Some data is missing (failed pages or page caps). */
  partial: boolean;
  /** Some slices hit the page cap. */
  truncated: boolean;
  issues: SliceIssue[];
  durationMs: number;
}

/** Counters of a fetch that has not sent anything yet. */
export function emptyFetchStats(): FetchStats {
  return {
    requests: 0,
    pages: 0,
    pagesTotal: 0,
    fetched: 0,
    invalid: 0,
    duplicates: 0,
    retries: 0,
    failed: 0,
    partial: false,
    truncated: false,
    issues: [],
    durationMs: 0,
  };
}

export interface FetchProgress {
  pagesDone: number;
  /** Known total so far; grows while first pages arrive. */
  pagesTotal: number;
}

export interface FetchOptions {
  onProgress?: (progress: FetchProgress) => void;
  signal?: AbortSignal;
}

export interface PncpFetchResult {
  bids: Bid[];
  stats: FetchStats;
}

/**
 * Port for the PNCP consulta API. `fetchBids` never throws for PNCP trouble: it returns what it got and
 * says in `stats` what is missing. It throws `AppError("PNCP_UNAVAILABLE")` only when not a single page
 * could be fetched, and `AppError("INVALID_QUERY")` for a request that cannot be valid.
 */
export interface PncpClient {
  fetchBids(request: PncpFetchRequest, options?: FetchOptions): Promise<PncpFetchResult>;
}
