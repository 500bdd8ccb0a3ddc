/**
 * Page-level access to PNCP for the sync worker: ONE page of a national (no `uf`) window of
 * `/v1/contratacoes/publicacao` (by publication day) or `/v1/contratacoes/atualizacao` (by
 * `dataAtualizacaoGlobal`), normalized. `HttpPncpClient` implements it with the same retries, `Retry-After`,
 * 429 pause, circuit breaker and adaptive concurrency budget as live searches.
 */
import type { IndexedRecord } from "../ports/bid-index.ts";
import type { Priority } from "./adaptive-limiter.ts";

/** Which list a window page comes from. */
export type WindowEndpoint = "publicacao" | "atualizacao";

/** One page of one national (endpoint × modalidade × [from, to]) window. */
export interface WindowPageRequest {
  endpoint: WindowEndpoint;
  /** São Paulo calendar dates, YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  modalidade: number;
  /** 1-based. */
  page: number;
}

/** What one page brought. */
export interface WindowPage {
  /** Valid records, normalized, each with its raw record and `pncpUpdatedAt`. */
  records: IndexedRecord[];
  /** Records PNCP sent (valid or not). */
  received: number;
  /** Records dropped because they did not validate. */
  invalid: number;
  /** `totalPaginas` (0 when the window is empty: 204, or a 400 past the end). */
  totalPages: number;
  /** HTTP requests sent for this page, retries included. */
  requests: number;
  retries: number;
}

export interface WindowPageOptions {
  signal?: AbortSignal;
  /** Default `background`: the sync yields to users' searches. */
  priority?: Priority;
}

/**
 * Port: fetches one window page. Throws `AppError("PNCP_UNAVAILABLE")` when the page could not be had after
 * retries (or the circuit is open) — the window then stays partial and is resumed later — and the signal's
 * reason on abort.
 */
export interface PncpPageSource {
  fetchWindowPage(request: WindowPageRequest, options?: WindowPageOptions): Promise<WindowPage>;
}
