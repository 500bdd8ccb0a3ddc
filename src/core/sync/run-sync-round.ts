/**
 * One sync round (`planRound` + `PageQueue` + I/O): the incremental part, `/atualizacao`, then the
 * backfill. `parallelPages` workers take jobs from the queue; what actually goes on the wire is decided by
 * the PNCP client's shared adaptive limiter (the sync asks at `background` priority, so users' searches
 * go first). Every publication page is stored with `index.recordPage` (records + page mark in one
 * transaction), so a round killed at any point loses nothing already fetched and the next round resumes
 * at the pages not done. `/atualizacao` records go through `upsertBids` (the newest version wins).
 */
import { AppError } from "../errors.ts";
import type { PncpPageSource, WindowPage } from "../pncp/page-source.ts";
import type { BidIndex, WindowKey, WindowState } from "../ports/bid-index.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { Metrics } from "../ports/metrics.ts";
import { saoPauloDate } from "../time.ts";
import { type PageJob, PageQueue, type SyncTask } from "./page-queue.ts";
import { missingPages, oldestDay, planRound, updateRange } from "./sync-plan.ts";
import { emptyRoundStats, type SyncRoundStats } from "./sync-stats.ts";

/** The part of `BidIndex` the sync writes through. */
export type SyncIndex = Pick<
  BidIndex,
  "upsertBids" | "recordPage" | "restartWindow" | "windows" | "acquireLease" | "releaseLease" | "recordRound"
>;

/** Ports a round needs. */
export interface SyncDeps {
  pncp: PncpPageSource;
  index: SyncIndex;
  clock: Clock;
  logger: Logger;
  /** `sync_rounds_total`, `sync_pages_total{kind}`, `sync_records_total`; job time as `job_duration_seconds`. */
  metrics?: Metrics;
}

/** What a round covers. */
export interface SyncSettings {
  /** Already merged: the product's defaults plus `SYNC_MODALIDADES` (`syncModalidades`). */
  modalidades: readonly number[];
  /** Days back from today (today included) the backfill keeps complete. */
  backfillDays: number;
  /** Page jobs at once (the limiter still bounds what is on the wire). Default 16. */
  parallelPages?: number;
}

/** Control of a running round. */
export interface SyncRoundControl {
  /** Hard stop: in-flight requests are cancelled; the round rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Graceful stop: checked before each page; in-flight pages finish and are stored. */
  shouldStop?: () => boolean;
  /** After every stored page (stall detection, progress). */
  onPage?: (stats: Readonly<SyncRoundStats>) => void;
}

/** Runs one round and returns its counters. Never throws for PNCP or store trouble (counted, logged). */
export async function runSyncRound(
  deps: SyncDeps,
  settings: SyncSettings,
  control: SyncRoundControl = {},
): Promise<SyncRoundStats> {
  const started = performance.now();
  const stats = emptyRoundStats();
  const roundNow = deps.clock.now();
  const today = saoPauloDate(roundNow);
  const states = await deps.index.windows(oldestDay(today, settings.backfillDays), today, [
    ...settings.modalidades,
  ]);
  const windows = planRound({
    today,
    backfillDays: settings.backfillDays,
    modalidades: settings.modalidades,
    states,
  });
  const incremental = windows.filter((w) => w.restart);
  const backfill = windows.filter((w) => !w.restart);
  const range = updateRange(today);
  const tasks: SyncTask[] = [
    ...incremental.map((w) => ({ kind: "window" as const, ...w })),
    ...settings.modalidades.map((modalidade) => ({ kind: "updates" as const, modalidade, ...range })),
    ...backfill.map((w) => ({ kind: "window" as const, ...w })),
  ];
  stats.windows = windows.length;
  const queue = new PageQueue(tasks);
  /** Page count of the current pass of each window task (known up front for a resumed window). */
  const passTotal = new Map<number, number>();
  /** Latest state `recordPage` returned for each window task. */
  const lastState = new Map<number, WindowState>();
  /** Window tasks whose page count changed during the pass: they need another pass. */
  const changed = new Set<number>();
  const restarted = new Set<number>();
  for (const [i, task] of tasks.entries()) {
    if (task.kind !== "window" || task.resumePages === null) continue;
    const state = states.find((s) => s.day === task.day && s.modalidade === task.modalidade);
    if (state?.pagesTotal != null) passTotal.set(i, state.pagesTotal);
  }
  deps.logger.info(
    { event: "sync_round_started", today, windows: windows.length, backfill: backfill.length },
    "sync_round_started",
  );

  let wake: (() => void) | null = null;
  const notify = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  const stopping = () => control.signal?.aborted === true || control.shouldStop?.() === true;

  const fetchPage = async (job: PageJob, task: SyncTask): Promise<WindowPage> => {
    const window =
      task.kind === "window"
        ? { endpoint: "publicacao" as const, from: task.day, to: task.day }
        : { endpoint: "atualizacao" as const, from: task.from, to: task.to };
    const page = await deps.pncp.fetchWindowPage(
      { ...window, modalidade: task.modalidade, page: job.page },
      { signal: control.signal, priority: "background" },
    );
    stats.requests += page.requests;
    stats.retries += page.retries;
    stats.invalid += page.invalid;
    return page;
  };

  const updatesPage = async (job: PageJob, task: Extract<SyncTask, { kind: "updates" }>) => {
    const page = await fetchPage(job, task);
    const outcome = await deps.index.upsertBids(page.records, deps.clock.now());
    stats.updatePages++;
    stats.records += page.records.length;
    stats.updatesInserted += outcome.inserted;
    stats.updatesUpdated += outcome.updated;
    stats.updatesUnchanged += outcome.unchanged;
    if (job.first) queue.sized(job, pagesAfterFirst(page.totalPages));
  };

  const windowPage = async (job: PageJob, task: Extract<SyncTask, { kind: "window" }>) => {
    const key: WindowKey = { day: task.day, modalidade: task.modalidade };
    if (job.first && task.restart && !restarted.has(job.task)) {
      restarted.add(job.task);
      await deps.index.restartWindow(key, deps.clock.now());
    }
    const page = await fetchPage(job, task);
    const known = passTotal.get(job.task);
    let total = page.totalPages;
    if (job.page !== 1 && known !== undefined) {
      // A page past the end (0) or a different count: the window changed; another pass sizes it anew.
      if (total !== known) changed.add(job.task);
      total = known;
    }
    const state = await deps.index.recordPage(key, job.page, total, page.records, deps.clock.now());
    stats.records += page.records.length;
    if (job.page === 1) {
      passTotal.set(job.task, page.totalPages);
      changed.delete(job.task);
    }
    lastState.set(job.task, state);
    if (job.first) queue.sized(job, missingPages(state) ?? []);
  };

  const runJob = async (job: PageJob): Promise<void> => {
    const task = tasks[job.task]!;
    let ok = true;
    try {
      if (task.kind === "updates") await updatesPage(job, task);
      else await windowPage(job, task);
    } catch (error) {
      if (control.signal?.aborted) {
        notify(); // idle workers must see the abort too
        throw error;
      }
      ok = false;
      stats.failedPages++;
      deps.logger.warn(
        {
          event: "sync_page_failed",
          task: describe(task),
          page: job.page,
          code: error instanceof AppError ? error.code : "STORE_UNAVAILABLE",
          err: error,
        },
        "sync_page_failed",
      );
    }
    if (ok) stats.pages++;
    if (queue.finished(job, ok) && ok && task.kind === "window") {
      const state = lastState.get(job.task);
      const passDone = state !== undefined && missingPages(state)?.length === 0;
      if (!passDone || changed.has(job.task)) {
        changed.delete(job.task);
        if (!queue.retryPass(job.task)) {
          deps.logger.warn({ event: "sync_window_unsettled", task: describe(task) }, "sync_window_unsettled");
        }
      }
    }
    control.onPage?.(stats);
    notify();
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopping()) return;
      const job = queue.next();
      if (job) {
        await runJob(job);
        continue;
      }
      if (queue.idle) return;
      await new Promise<void>((resolve) => {
        const previous = wake;
        wake = () => {
          previous?.();
          resolve();
        };
      });
    }
  };

  const width = Math.max(1, settings.parallelPages ?? 16);
  control.signal?.addEventListener("abort", notify, { once: true });
  const results = await Promise.allSettled(Array.from({ length: width }, () => worker()));
  control.signal?.removeEventListener("abort", notify);
  notify();
  const rejected = results.find((r) => r.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  if (control.signal?.aborted) throw control.signal.reason;

  const after = await deps.index.windows(oldestDay(today, settings.backfillDays), today, [
    ...settings.modalidades,
  ]);
  const planned = new Set(windows.map((w) => `${w.day}|${w.modalidade}`));
  stats.windowsComplete = after.filter(
    (s) => s.complete && planned.has(`${s.day}|${s.modalidade}`) && missingPages(s)?.length === 0,
  ).length;
  stats.windowsRemaining = stats.windows - stats.windowsComplete;
  stats.stopped = stopping() && (queue.unopened > 0 || stats.windowsRemaining > 0) ? 1 : 0;
  stats.durationMs = Math.round(performance.now() - started);
  if (stats.stopped === 0) await deps.index.recordRound(deps.clock.now(), { ...stats });
  deps.logger.info({ event: "sync_round_completed", ...stats }, "sync_round_completed");
  recordRoundMetrics(deps.metrics, stats);
  return stats;
}

function recordRoundMetrics(metrics: Metrics | undefined, stats: SyncRoundStats): void {
  if (!metrics) return;
  const result = stats.stopped ? "stopped" : "done";
  metrics.inc("sync_rounds", { result });
  metrics.inc("sync_pages", { kind: "publication" }, stats.pages - stats.updatePages);
  metrics.inc("sync_pages", { kind: "update" }, stats.updatePages);
  metrics.inc("sync_pages", { kind: "failed" }, stats.failedPages);
  metrics.inc("sync_records", {}, stats.records);
  metrics.observe("job_duration_seconds", stats.durationMs / 1000, { kind: "sync-round", result });
}

/** Pages 2…totalPages. */
function pagesAfterFirst(totalPages: number): number[] {
  return Array.from({ length: Math.max(0, totalPages - 1) }, (_, i) => i + 2);
}

function describe(task: SyncTask): string {
  return task.kind === "window"
    ? `publicacao ${task.day} mod ${task.modalidade}`
    : `atualizacao ${task.from}..${task.to} mod ${task.modalidade}`;
}
