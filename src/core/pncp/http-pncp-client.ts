/**
 * `PncpClient` over PNCP's public consulta API (https://pncp.gov.br/api/consulta, no auth).
 *
 * Fan-out: every (window × UF × modalidade) slice asks for page 1; as soon as a page 1 answers, the
 * slice's remaining pages are queued. All requests of all slices — of all concurrent searches of this
 * client and of the sync worker (`fetchWindowPage`) — share ONE adaptive concurrency budget
 * (`adaptive-limiter.ts`: grows while pages succeed, halves on 429/5xx, `concurrency` is its ceiling), FIFO
 * within a priority (searches before the sync), so page-1 requests go first and nothing walks pages or
 * modalidades one after another. Each attempt holds a slot only while on the wire (not while backing off).
 * Failures are retried with full-jitter backoff (`Retry-After` honoured, capped); a 429 also pauses new
 * attempts of this client for the same delay; a circuit breaker stops hammering a PNCP that is down.
 */

import { setMaxListeners } from "node:events";
import { AppError } from "../errors.ts";
import { type Clock, systemClock } from "../ports/clock.ts";
import { type Logger, silentLogger } from "../ports/logger.ts";
import { type Metrics, noopMetrics } from "../ports/metrics.ts";
import { saoPauloDate, toPncpDate } from "../time.ts";
import { AdaptiveLimiter, type LoadSignal, type Priority } from "./adaptive-limiter.ts";
import { type BreakerState, CircuitBreaker } from "./circuit-breaker.ts";
import { FetchRun, type LossReason } from "./fetch-run.ts";
import { toIndexedRecords } from "./indexed-records.ts";
import { normalizePage } from "./normalize.ts";
import { type PageOutcome, requestPage } from "./page-request.ts";
import type { PncpPageSource, WindowPage, WindowPageOptions, WindowPageRequest } from "./page-source.ts";
import type { FetchOptions, PncpClient, PncpFetchRequest, PncpFetchResult } from "./pncp-client.ts";
import { retryDelay } from "./retry.ts";
import { planSlices, type Slice, selectPages } from "./slice-plan.ts";
import { MAX_WINDOW_DAYS } from "./windows.ts";

/** Waits `ms`; rejects with the signal's reason on abort. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Constructor options; every one has a default tuned to PNCP's observed behaviour. */
export interface HttpPncpClientOptions {
  /** Default `https://pncp.gov.br/api/consulta` (tests point it at the loopback fake). */
  baseUrl?: string;
  /**
   * Ceiling of requests in flight at once, across all searches and the sync of this client (the width
   * adapts below it). Default 16.
   */
  concurrency?: number;
  /** Starting width of the adaptive limit. Default min(concurrency, 4). */
  initialConcurrency?: number;
  /** `tamanhoPagina`, clamped to PNCP's [10, 50]. Default 50. */
  pageSize?: number;
  /** Page cap per (UF × modalidade × window ≤ 365 d) slice, page 1 included. Default 20. */
  maxPagesPerSlice?: number;
  /** Longest `dataInicial`…`dataFinal` window sent, ≤ 365. Default 365 (see windows.ts). */
  maxWindowDays?: number;
  /** `openOnly`: `dataFinal` = today + this when the request's `to` is not in the future. Default 180. */
  openHorizonDays?: number;
  /** Per attempt, headers and body included. Default 20 000 (PNCP hangs ~45 s; p95 is 3.5 s). */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** Backoff base. Default 1 000. */
  retryBaseMs?: number;
  /** Backoff ceiling. Default 15 000. */
  retryMaxDelayMs?: number;
  /** Cap on a server-sent `Retry-After`. Default 30 000. */
  retryAfterMaxMs?: number;
  /** Consecutive failed attempts that open the circuit. Default 5. */
  breakerFailureThreshold?: number;
  /** How long an open circuit refuses requests before one probe. Default 30 000. */
  breakerCooldownMs?: number;
  logger?: Logger;
  /** `pncp_requests_total{status}`, `pncp_retries_total{reason}`, `pncp_circuit_opens_total`. */
  metrics?: Metrics;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  fetch?: typeof fetch;
}

type PageResult =
  | { kind: "ok"; records: unknown[]; totalPages: number }
  | { kind: "lost"; reason: LossReason };

/** Request counters one page fetch adds to (a search's `FetchStats`, or a window page's own). */
interface AttemptCounters {
  requests: number;
  retries: number;
}

/** One paged query: endpoint path and every parameter except `pagina`. */
interface PagedQuery {
  path: string;
  params: Record<string, string>;
}

const WINDOW_PATHS = {
  publicacao: "/v1/contratacoes/publicacao",
  atualizacao: "/v1/contratacoes/atualizacao",
} as const;

const DEFAULT_BASE_URL = "https://pncp.gov.br/api/consulta";
/** 429s a background (sync) page may get on top of `maxRetries` before it is given up. */
const BACKGROUND_THROTTLE_RETRIES = 8;

/** Default `Sleep` on real timers. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** The production `PncpClient`. One instance per process: its concurrency limit and breaker are shared. */
export class HttpPncpClient implements PncpClient, PncpPageSource {
  readonly #baseUrl: string;
  readonly #pageSize: number;
  readonly #maxPages: number;
  readonly #maxWindowDays: number;
  readonly #openHorizonDays: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #retryAfterMaxMs: number;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #fetch: typeof fetch;
  readonly #limiter: AdaptiveLimiter;
  readonly #breaker: CircuitBreaker;
  /** Epoch ms before which no new attempt starts (set by 429s). */
  #notBefore = 0;

  constructor(options: HttpPncpClientOptions = {}) {
    this.#baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.#pageSize = Math.min(50, Math.max(10, Math.floor(options.pageSize ?? 50)));
    this.#maxPages = Math.max(1, Math.floor(options.maxPagesPerSlice ?? 20));
    this.#maxWindowDays = Math.min(
      MAX_WINDOW_DAYS,
      Math.max(1, Math.floor(options.maxWindowDays ?? MAX_WINDOW_DAYS)),
    );
    this.#openHorizonDays = Math.max(0, Math.floor(options.openHorizonDays ?? 180));
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 3));
    this.#retryBaseMs = options.retryBaseMs ?? 1_000;
    this.#retryMaxDelayMs = options.retryMaxDelayMs ?? 15_000;
    this.#retryAfterMaxMs = options.retryAfterMaxMs ?? 30_000;
    this.#logger = options.logger ?? silentLogger();
    this.#metrics = options.metrics ?? noopMetrics;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? globalThis.fetch;
    const ceiling = Math.max(1, Math.floor(options.concurrency ?? 16));
    this.#limiter = new AdaptiveLimiter({
      ceiling,
      initial: options.initialConcurrency ?? Math.min(ceiling, 4),
      onChange: (limit, reason) =>
        this.#logger.debug({ event: "pncp_concurrency", limit, reason }, "pncp_concurrency"),
    });
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.breakerFailureThreshold ?? 5,
      cooldownMs: options.breakerCooldownMs ?? 30_000,
      now: () => this.#clock.now().getTime(),
      onOpen: (failures) => {
        this.#metrics.inc("pncp_circuit_opens");
        this.#logger.warn({ event: "pncp_circuit_open", failures }, "pncp_circuit_open");
      },
    });
  }

  /** See `PncpClient.fetchBids`: partial results with `stats.issues`; throws only when no page at all arrived. */
  async fetchBids(request: PncpFetchRequest, options: FetchOptions = {}): Promise<PncpFetchResult> {
    if (options.signal?.aborted) throw options.signal.reason;
    // One internal signal for the whole fan-out: every in-flight page, queued slot and backoff listens to
    // it, far more than EventTarget's default warning threshold of 10 listeners.
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const forward = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", forward, { once: true });
    try {
      return await this.#run(request, options, controller.signal);
    } finally {
      options.signal?.removeEventListener("abort", forward);
    }
  }

  async #run(
    request: PncpFetchRequest,
    options: FetchOptions,
    signal: AbortSignal,
  ): Promise<PncpFetchResult> {
    const startedAt = performance.now();
    const now = this.#clock.now();
    const slices = planSlices(request, {
      pageSize: this.#pageSize,
      maxWindowDays: this.#maxWindowDays,
      openHorizonDays: this.#openHorizonDays,
      today: saoPauloDate(now),
    });
    const run = new FetchRun(slices, options.onProgress);
    await Promise.all(slices.map((slice) => this.#fetchSlice(run, slice, now, signal)));
    const result = run.finish(Math.round(performance.now() - startedAt));
    const { issues, ...counters } = result.stats;
    this.#logger.debug(
      { event: "pncp_fetch_completed", ...counters, issues: issues.length },
      "pncp_fetch_completed",
    );
    if (result.stats.pages === 0) {
      throw new AppError("PNCP_UNAVAILABLE", "PNCP answered no page of the search", {
        retryable: true,
        details: { requests: counters.requests, failed: counters.failed, slices: slices.length },
      });
    }
    return result;
  }

  async #fetchSlice(run: FetchRun, slice: Slice, now: Date, signal?: AbortSignal): Promise<void> {
    const context = { uf: slice.uf, modalidade: slice.modalidade, now };
    const accept = (page: number, result: PageResult): void => {
      if (result.kind === "lost") {
        run.pagesLost(slice, 1, result.reason);
        return;
      }
      const { bids, invalid } = normalizePage(result.records, context);
      run.pageFetched(slice, page, bids, result.records.length, invalid);
    };

    const first = await this.#fetchPage(run.stats, slice, 1, "interactive", signal);
    if (first.kind === "lost") {
      run.sliceSized(1, 0);
      accept(1, first);
      return;
    }
    const selection = selectPages(first.totalPages, this.#maxPages);
    run.sliceSized(first.totalPages, selection.pages.length);
    run.pagesLost(slice, selection.skipped, "page_cap");
    accept(1, first);
    await Promise.all(
      selection.pages.map(async (page) =>
        accept(page, await this.#fetchPage(run.stats, slice, page, "interactive", signal)),
      ),
    );
  }

  /** The breaker's state (closed / half_open / open), for /metrics and readiness. */
  get circuitState(): BreakerState {
    return this.#breaker.state;
  }

  /** The adaptive width right now and its ceiling (benchmarks, logs). */
  get concurrency(): {
    limit: number;
    ceiling: number;
    active: number;
    halvings: number;
    probeBackoffs: number;
  } {
    const l = this.#limiter;
    return {
      limit: l.limit,
      ceiling: l.ceiling,
      active: l.active,
      halvings: l.halvings,
      probeBackoffs: l.probeBackoffs,
    };
  }

  /**
   * See `PncpPageSource`: one page of a national window (`dataInicial`…`dataFinal`, one modalidade, no
   * `uf`), under the same budget, retries and breaker as searches, at `background` priority by default.
   */
  async fetchWindowPage(request: WindowPageRequest, options: WindowPageOptions = {}): Promise<WindowPage> {
    if (options.signal?.aborted) throw options.signal.reason;
    const query: PagedQuery = {
      path: WINDOW_PATHS[request.endpoint],
      params: {
        dataInicial: toPncpDate(request.from),
        dataFinal: toPncpDate(request.to),
        codigoModalidadeContratacao: String(request.modalidade),
        tamanhoPagina: String(this.#pageSize),
      },
    };
    const counters: AttemptCounters = { requests: 0, retries: 0 };
    const result = await this.#fetchPage(
      counters,
      query,
      request.page,
      options.priority ?? "background",
      options.signal,
    );
    if (result.kind === "lost") {
      throw new AppError("PNCP_UNAVAILABLE", `PNCP page lost (${result.reason})`, {
        retryable: true,
        details: { ...request, reason: result.reason, ...counters },
      });
    }
    const context = { uf: null, modalidade: request.modalidade, now: this.#clock.now() };
    const { records, invalid } = toIndexedRecords(result.records, context);
    return {
      records,
      received: result.records.length,
      invalid,
      totalPages: result.totalPages,
      ...counters,
    };
  }

  /** One page with retries; resolves "lost" instead of throwing, except on the caller's abort. */
  async #fetchPage(
    counters: AttemptCounters,
    query: PagedQuery,
    page: number,
    priority: Priority,
    signal?: AbortSignal,
  ): Promise<PageResult> {
    const url = new URL(`${this.#baseUrl}${query.path}`);
    for (const [key, value] of Object.entries({ ...query.params, pagina: String(page) })) {
      url.searchParams.set(key, value);
    }
    // The sync (background) does not give a page up for throttling alone: a 429 costs it no retry, up to
    // BACKGROUND_THROTTLE_RETRIES of them; a user's search keeps the plain retry budget (answer fast).
    let spared = 0;
    for (let attempt = 1; ; attempt++) {
      const wait = this.#notBefore - this.#clock.now().getTime();
      if (wait > 0) await this.#sleep(wait, signal);
      const outcome = await this.#attempt(counters, url, page, priority, signal);
      if (outcome === "paused") {
        attempt--; // a 429 elsewhere paused the process while this page waited for a slot: not an attempt
        continue;
      }
      if (outcome === "circuit_open") return { kind: "lost", reason: "circuit_open" };
      if (outcome.kind === "ok")
        return { kind: "ok", records: outcome.records, totalPages: outcome.totalPages };
      if (outcome.kind === "empty") return { kind: "ok", records: [], totalPages: 0 };
      if (outcome.kind === "fatal") {
        this.#logger.warn(
          {
            event: "pncp_request_failed",
            method: "GET",
            path: url.pathname,
            params: params(url),
            status: outcome.status,
          },
          "pncp_request_failed",
        );
        return { kind: "lost", reason: "failed" };
      }
      if (outcome.status === 429 && priority === "background" && spared < BACKGROUND_THROTTLE_RETRIES)
        spared++;
      else if (attempt - spared > this.#maxRetries) return { kind: "lost", reason: "failed" };
      if (this.#breaker.isOpen()) return { kind: "lost", reason: "circuit_open" };
      const nowMs = this.#clock.now().getTime();
      const delayMs = retryDelay({
        retry: attempt - 1,
        retryAfter: outcome.retryAfter,
        baseMs: this.#retryBaseMs,
        maxDelayMs: this.#retryMaxDelayMs,
        retryAfterMaxMs: this.#retryAfterMaxMs,
        nowMs,
        random: this.#random,
      });
      if (outcome.status === 429) this.#notBefore = Math.max(this.#notBefore, nowMs + delayMs);
      counters.retries++;
      this.#metrics.inc("pncp_retries", { reason: outcome.reason, priority });
      this.#logger.warn(
        {
          event: "pncp_retry",
          method: "GET",
          path: url.pathname,
          params: params(url),
          status: outcome.status,
          reason: outcome.reason,
          attempt,
          delayMs,
        },
        "pncp_retry",
      );
      await this.#sleep(delayMs, signal);
    }
  }

  /** A 429 holds every new attempt of this process for its Retry-After (or the first backoff step). */
  #pauseNewAttempts(retryAfter: string | null | undefined): void {
    const nowMs = this.#clock.now().getTime();
    const delayMs = retryDelay({
      retry: 0,
      retryAfter: retryAfter ?? null,
      baseMs: this.#retryBaseMs,
      maxDelayMs: this.#retryMaxDelayMs,
      retryAfterMaxMs: this.#retryAfterMaxMs,
      nowMs,
      random: this.#random,
    });
    this.#notBefore = Math.max(this.#notBefore, nowMs + delayMs);
  }

  /** One attempt under the adaptive concurrency limit and the breaker. */
  async #attempt(
    counters: AttemptCounters,
    url: URL,
    page: number,
    priority: Priority,
    signal?: AbortSignal,
  ): Promise<PageOutcome | "circuit_open" | "paused"> {
    const permit = await this.#limiter.acquire(signal, priority);
    let load: LoadSignal = "neutral";
    try {
      // A 429 that came back while this request waited for its slot pauses it too.
      if (this.#clock.now().getTime() < this.#notBefore) return "paused";
      if (!(await this.#breaker.acquire())) return "circuit_open";
      counters.requests++;
      let outcome: PageOutcome;
      try {
        outcome = await requestPage({
          fetch: this.#fetch,
          url,
          page,
          pageSize: this.#pageSize,
          timeoutMs: this.#timeoutMs,
          signal,
        });
      } catch (error) {
        this.#breaker.record("neutral");
        throw error;
      }
      // A 429 is the gateway throttling a live PNCP: it says nothing about PNCP being down.
      const health =
        outcome.kind !== "retryable" ? "success" : outcome.status === 429 ? "neutral" : "failure";
      this.#breaker.record(health);
      this.#metrics.inc("pncp_requests", { status: requestStatus(outcome), priority });
      load = loadSignal(outcome);
      // Pause new attempts BEFORE the permit is released: set later (in #fetchPage), a waiting request of
      // another slice would slip through in between.
      if (outcome.kind === "retryable" && outcome.status === 429) this.#pauseNewAttempts(outcome.retryAfter);
      return outcome;
    } finally {
      permit.release(load);
    }
  }
}

/** What an attempt says about PNCP's load: pages → grow; 429 and 5xx → halve; the rest says nothing. */
function loadSignal(outcome: PageOutcome): LoadSignal {
  if (outcome.kind === "ok" || outcome.kind === "empty") return "success";
  if (outcome.kind === "retryable" && outcome.status !== null) {
    if (outcome.status === 429 || outcome.status >= 500) return "overload";
  }
  return "neutral";
}

/** An attempt's `status` label: the HTTP status, or the reason (timeout, network_*) when none came back. */
function requestStatus(outcome: PageOutcome): string {
  if (outcome.kind === "retryable" && outcome.status === null) return outcome.reason;
  return String(outcome.status);
}

/** Query parameters for logs (the consulta API has no secrets in URLs). */
function params(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}
