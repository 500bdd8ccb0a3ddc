import {
  checkEntitlement,
  type EntitlementResult,
  releaseRateSlot,
} from "../entitlements/check-entitlement.ts";
import { refundCharge, refundIfUnavailable } from "../entitlements/refund.ts";
import { suggestUpgrade } from "../entitlements/suggest-upgrade.ts";
import type { Delivery, PendingUsage } from "../entitlements/usage-backlog.ts";
import { type AppError, toAppError } from "../errors.ts";
import { buildBidsWorkbookBuffer } from "../excel/build-workbook.ts";
import { workbookFileName } from "../excel/file-name.ts";
import { notifierSink } from "../jobs/notifier-sink.ts";
import { decodeSearchJob, encodeSearchJob, SEARCH_JOB, searchLane } from "../jobs/search-job-data.ts";
import { errorMessage } from "../messages.ts";
import { planTier, searchSize, searchSource } from "../metric-labels.ts";
import type { FetchProgress } from "../pncp/pncp-client.ts";
import { type JobContext, type JobProcessor, jobIdFor, RetryLaterError } from "../ports/job-queue.ts";
import type { Notifier } from "../ports/notifier.ts";
import { describeQuery } from "../query/describe-query.ts";
import { parseQuery } from "../query/parse-query.ts";
import { requestedHistoryDays, runSearch, type SearchOutcome, workbookInput } from "../search/run-search.ts";
import type { ParsedQuery } from "../search-query.ts";
import { identityOf, upgradeButtons } from "./account-commands.ts";
import type { ChatDeps } from "./chat-deps.ts";
import { usageText } from "./help-texts.ts";
import type { IncomingCommand } from "./incoming-command.ts";
import { renderResults } from "./render-results.ts";
import { type Reply, type ReplySink, XLSX_MIME } from "./reply.ts";
import { saveAlertButton } from "./save-alert-button.ts";
import { searchOffer } from "./search-offer.ts";

type Allowed = Extract<EntitlementResult, { ok: true }>;

/** How the search command was typed. */
export interface StartSearchOptions {
  /** Plain text in a private chat (no `/buscar`): searched only when the grammar recognises something. */
  plain?: boolean;
  /** The delivery it came from, so a failed-open search is queued once per delivery. */
  delivery?: Delivery;
}

/** Reads the query text: the grammar first, the LLM (when configured) for pieces the grammar could not read. */
export async function interpretQuery(text: string, deps: ChatDeps): Promise<ParsedQuery> {
  const now = deps.clock.now();
  const parsed = parseQuery(text, { now });
  if (parsed.unrecognized.length === 0 || !deps.interpreter) return parsed;
  try {
    return (await deps.interpreter.parse(text, now, parsed)) ?? parsed;
  } catch (error) {
    deps.logger.warn({ err: error }, "query_llm_failed");
    return parsed;
  }
}

/** The "🔎 Buscando…" text: how the query was understood, plus what could not be read. */
export function searchingText(parsed: ParsedQuery): string {
  const lines = [`🔎 Buscando… ${describeQuery(parsed.query)}`];
  if (parsed.unrecognized.length > 0) {
    lines.push(`Não entendi: ${parsed.unrecognized.map((u) => `"${u}"`).join(", ")} (ignorado).`);
  }
  for (const note of parsed.notes) lines.push(`ℹ️ ${note}`);
  return lines.join("\n");
}

/**
 * /buscar: parse → entitlement (limit, expiry, quota, history) → ack → search as a background job.
 * Refusals come back as an upgrade reply; nothing is charged twice (the caller claimed the delivery).
 * Plain text in which the grammar recognised nothing (no sector, UF, period, value, modalidade…) is not
 * searched: the user gets a one-tap button that runs it as `/buscar <text>`, uncharged until tapped.
 */
export async function startSearch(
  cmd: IncomingCommand,
  args: string,
  sink: ReplySink,
  deps: ChatDeps,
  options: StartSearchOptions = {},
): Promise<void> {
  if (args.trim() === "") {
    await sink.send({ kind: "text", text: usageText() });
    return;
  }
  if (options.plain) {
    const grammar = parseQuery(args, { now: deps.clock.now() });
    // `recognized` undefined (an older grammar) counts as "recognised something".
    if (grammar.recognized !== undefined && grammar.recognized.length === 0) {
      deps.logger.info("plain_text_offered");
      await sink.send(searchOffer(args, grammar));
      return;
    }
  }
  const parsed = await interpretQuery(args, deps);
  const now = deps.clock.now();
  const entitlement = await checkEntitlement(identityOf(cmd), requestedHistoryDays(parsed.query, now), deps, {
    delivery: options.delivery,
  });
  if (!entitlement.ok) {
    const buttons = entitlement.upgrade
      ? await upgradeButtons(cmd, entitlement.accountId, [entitlement.upgrade], deps)
      : [];
    await sink.send({ kind: "upgrade", text: entitlement.message, buttons });
    if (buttons.length > 0) upgradeShown(deps, entitlement.upgrade, entitlement.code, cmd);
    recordSearch(deps, parsed.query, "refused", entitlement.code);
    void logOutcome(cmd, args, parsed, deps, entitlement.accountId, "refused", entitlement.code);
    return;
  }
  try {
    await sink.send({ kind: "searching", text: searchingText(parsed) });
  } catch (error) {
    // Nothing reached the user (bot blocked, no rights, platform down): do not search, give the search back.
    deps.logger.error({ err: error }, "ack_failed");
    if (entitlement.charge) await refundCharge(entitlement.charge, deps);
    else if (entitlement.pending) deps.backlog.cancel(entitlement.pending);
    await releaseRateSlot(entitlement.rateSlot);
    throw error;
  }
  // The job is data (it may run in a worker process); `local` lets this process answer on its own sink.
  const local: LocalSearch = { sink, pending: entitlement.pending ?? null };
  await deps.queue.enqueue({
    id: jobIdFor(cmd.platform, cmd.messageId),
    kind: SEARCH_JOB,
    data: encodeSearchJob(cmd, args, parsed, entitlement, deps.clock.now()),
    lane: searchLane(parsed.query),
    accountKey: entitlement.charge?.chargedAccountId ?? entitlement.accountId ?? cmd.userKey,
    local,
  });
}

/** What only the process that acknowledged the search has: its reply sink and any fail-open usage. */
interface LocalSearch {
  sink: ReplySink;
  pending: PendingUsage | null;
}

/** The entitlement a job runs under: what the payload carries, plus the local fail-open usage. */
type JobAllowed = Pick<Allowed, "accountId" | "plan" | "charge" | "failedOpen" | "pending">;

/** A worker that died this many times on one search: the next run tells the user instead of searching. */
export const SEARCH_MAX_STALLS = 1;

/**
 * The search job's processor, for every queue: decodes the payload, answers on the local sink when it
 * runs where it was acknowledged, else posts through `notifier` to the command's chat. Transient failures
 * (PNCP unavailable, the store or the platform not answering) are retried by queues that can (BullMQ);
 * a search that cannot finish tells the user and gives the charge back, once (`ctx.once`).
 */
export function searchJobProcessor(deps: ChatDeps, notifier: Notifier | null): JobProcessor {
  const target = (data: unknown, jobId: string, local: unknown) => {
    const job = decodeSearchJob(data);
    const logger = deps.logger.child({
      platform: job.command.platform,
      userKey: job.command.userKey,
      requestId: job.command.messageId,
      jobId,
    });
    const own = local as LocalSearch | undefined;
    const sink = own?.sink ?? (job.replyTo && notifier ? notifierSink(notifier, job.replyTo) : null);
    const entitlement: JobAllowed = { ...job.entitlement, pending: own?.pending ?? null };
    return { job, sink, entitlement, deps: { ...deps, logger } };
  };
  return {
    retry: { attempts: 3, backoffMs: 2_000 },
    async run(data, ctx) {
      const { job, sink, entitlement, deps: scoped } = target(data, ctx.jobId, ctx.local);
      if (!sink) {
        scoped.logger.error({ platform: job.command.platform }, "search_job_no_reply_target");
        await giveUp(job.command, entitlement, null, scoped, ctx.once);
        return;
      }
      if (ctx.stalls > SEARCH_MAX_STALLS) {
        scoped.logger.error({ stalls: ctx.stalls }, "search_job_stalled_too_often");
        await giveUp(job.command, entitlement, sink, scoped, ctx.once);
        return;
      }
      await runSearchJob(job.command, job.args, job.parsed, entitlement, sink, scoped, ctx);
    },
    async failed(data, failure) {
      const { job, sink, entitlement, deps: scoped } = target(data, failure.jobId, failure.local);
      scoped.logger.error({ reason: failure.reason }, "search_job_failed");
      await giveUp(job.command, entitlement, sink, scoped, failure.once);
    },
  };
}

/** The search will not run to the end: give the charge back and tell the user (each at most once). */
async function giveUp(
  cmd: IncomingCommand,
  entitlement: JobAllowed,
  sink: ReplySink | null,
  deps: ChatDeps,
  once: JobContext["once"],
): Promise<void> {
  if (!(await once("outcome"))) return;
  let refunded = false;
  if (entitlement.charge && (await once("refund"))) refunded = await refundCharge(entitlement.charge, deps);
  else if (entitlement.pending) refunded = deps.backlog.cancel(entitlement.pending);
  const text = `${errorMessage("INTERNAL")}${refunded ? NOT_CHARGED_NOTE : ""}`;
  await sink
    ?.send({ kind: "error", code: "INTERNAL", text })
    .catch((error: unknown) => deps.logger.error({ err: error, platform: cmd.platform }, "reply_failed"));
}

/** Said when a search that could not finish was given back (as PNCP_UNAVAILABLE's text says it). */
const NOT_CHARGED_NOTE = "\nEsta busca não foi descontada do seu plano.";

/** Failures another run may not hit: PNCP or the store unreachable, the platform busy. */
function isTransient(error: AppError): boolean {
  return error.code === "PNCP_UNAVAILABLE" || error.code === "STORE_UNAVAILABLE" || error.retryable;
}

/** Thrown by the early answer's `send` when another run (before a worker died) already claimed the outcome. */
class AlreadyDelivered extends Error {}

/** The answer an Excel search showed before its full set was read (`runSearch`'s `onAnswer`). */
interface EarlyAnswer {
  /** Set once this run claimed the outcome for it (`ctx.once`). */
  outcome: SearchOutcome | null;
  /** Its results message reached the sink. */
  shown: boolean;
}

async function runSearchJob(
  cmd: IncomingCommand,
  args: string,
  parsed: ParsedQuery,
  entitlement: JobAllowed,
  sink: ReplySink,
  deps: ChatDeps,
  ctx: JobContext,
): Promise<void> {
  const { signal } = ctx;
  const { plan } = entitlement;
  const interval = deps.progressIntervalMs ?? 2500;
  const startedMs = performance.now();
  let lastProgress = Date.now();
  const onProgress = (p: FetchProgress) => {
    if (Date.now() - lastProgress < interval || p.pagesDone >= p.pagesTotal) return;
    lastProgress = Date.now();
    const text = `⏳ Consultando o PNCP: ${p.pagesDone} de ${p.pagesTotal} páginas…`;
    sink.send({ kind: "progress", text, pagesDone: p.pagesDone, pagesTotal: p.pagesTotal }).catch(() => {});
  };
  const early: EarlyAnswer = { outcome: null, shown: false };
  // With Excel, when the index answers alone, the results go out from the chat answer (SQL, ~100 ms)
  // before the full set the workbook needs is read.
  const onAnswer = plan?.excel
    ? {
        limit: 5,
        send: async (answer: SearchOutcome) => {
          // A run after a worker died may find the results already delivered by the one that died.
          if (!(await ctx.once("outcome"))) throw new AlreadyDelivered();
          early.outcome = answer;
          await sendResults(cmd, args, answer, entitlement, sink, deps);
          early.shown = true;
        },
      }
    : undefined;
  let outcome: SearchOutcome;
  try {
    // Without Excel the reply shows only the count and the first bids: the `limit` path (index: counts and
    // summary in SQL). With Excel every bid, without the complementary text the workbook does not show.
    const limit = plan?.excel ? undefined : 5;
    outcome = await runSearch(parsed.query, deps, {
      signal,
      onProgress,
      limit,
      withDetails: false,
      onAnswer,
    });
  } catch (error) {
    if (error instanceof AlreadyDelivered) return;
    if (early.outcome) {
      await afterEarlyAnswer(error, early.shown, plan, sink, deps);
      finished(cmd, args, parsed, entitlement, deps, early.outcome, startedMs);
      return;
    }
    const appError = toAppError(error);
    deps.logger.error({ err: appError, code: appError.code, attempt: ctx.attempt }, "search_failed");
    // A queue that persists jobs runs it again later (backoff) — also a run cut off by a worker's shutdown
    // (handed back); nothing was told or refunded yet.
    if (!ctx.finalAttempt && (isTransient(appError) || signal.aborted)) {
      throw new RetryLaterError(signal.aborted ? "aborted" : appError.code, { cause: error });
    }
    if (!(await ctx.once("outcome"))) return;
    // Nothing searched (PNCP down) or cut off by shutdown: the search is given back.
    const notRun = appError.code === "PNCP_UNAVAILABLE" || signal.aborted;
    const refunded =
      notRun && entitlement.pending
        ? deps.backlog.cancel(entitlement.pending)
        : signal.aborted && entitlement.charge
          ? await refundCharge(entitlement.charge, deps)
          : await refundIfUnavailable(appError, entitlement.charge, deps);
    const code =
      appError.code === "INVALID_QUERY" || appError.code === "PNCP_UNAVAILABLE" ? appError.code : "INTERNAL";
    let text = errorMessage(code, {
      detail: appError.code === "INVALID_QUERY" ? appError.message : undefined,
    });
    if (code === "PNCP_UNAVAILABLE" && !refunded) {
      text = text.replace(" Esta busca não foi descontada do seu plano.", "");
    }
    await sink.send({ kind: "error", code, text });
    recordSearch(deps, parsed.query, "failed", code, undefined, startedMs);
    void logOutcome(cmd, args, parsed, deps, entitlement.accountId, "failed", code);
    return;
  }
  if (early.outcome) {
    // The results are on screen (from the answer); the full set only feeds the file they announced.
    if (early.outcome.bids.length > 0 && outcome.bids.length === 0) {
      // Both are SQL over the same index; bids gone between the two reads leave nothing to put in a file.
      await afterEarlyAnswer(new Error("full set empty after a non-empty answer"), true, plan, sink, deps);
    } else if (plan && early.outcome.bids.length > 0) await sendFile(cmd, outcome, plan, sink, deps);
  } else {
    // A run after a worker died may find the results already delivered by the one that died.
    if (!(await ctx.once("outcome"))) return;
    try {
      const fileFollows = await sendResults(cmd, args, outcome, entitlement, sink, deps);
      if (fileFollows && plan) await sendFile(cmd, outcome, plan, sink, deps);
    } catch (error) {
      await deliveryFailed(error, sink, deps);
    }
  }
  finished(cmd, args, parsed, entitlement, deps, outcome, startedMs);
}

/** `searches_total` and the search log for a search that ran and answered. */
function finished(
  cmd: IncomingCommand,
  args: string,
  parsed: ParsedQuery,
  entitlement: JobAllowed,
  deps: ChatDeps,
  outcome: SearchOutcome,
  startedMs: number,
): void {
  const status = outcome.stats.partial ? "partial" : "ok";
  recordSearch(deps, parsed.query, status, "ok", outcome, startedMs);
  void logOutcome(cmd, args, parsed, deps, entitlement.accountId, status, null, outcome);
}

/** The platform refused the results: say so instead of leaving "Buscando…" on screen. */
async function deliveryFailed(error: unknown, sink: ReplySink, deps: ChatDeps): Promise<void> {
  deps.logger.error({ err: error }, "delivery_failed");
  await sink
    .send({ kind: "error", code: "DELIVERY_FAILED", text: errorMessage("DELIVERY_FAILED") })
    .catch((sendError: unknown) => deps.logger.error({ err: sendError }, "reply_failed"));
}

/**
 * The early answer's search did not finish: its results could not be sent (a delivery failure), or they
 * were shown and the full set could not be read — the user has the answer they were charged for, so no
 * error over it and no refund: only the file is missing, and said so.
 */
async function afterEarlyAnswer(
  error: unknown,
  shown: boolean,
  plan: JobAllowed["plan"],
  sink: ReplySink,
  deps: ChatDeps,
): Promise<void> {
  if (!shown) return deliveryFailed(error, sink, deps);
  deps.logger.error({ err: error }, "full_set_failed");
  excelBlocked(deps, plan, "full_set_failed");
  await fileNotSent(sink, deps);
}

/**
 * The results message: notes (the upgrade to a plan with Excel, an unknown plan), buttons ("Salvar como
 * alerta"), `fileFollows`. Returns whether the Excel file follows (a plan with Excel and bids).
 */
async function sendResults(
  cmd: IncomingCommand,
  args: string,
  outcome: SearchOutcome,
  entitlement: JobAllowed,
  sink: ReplySink,
  deps: ChatDeps,
): Promise<boolean> {
  const { plan } = entitlement;
  const notes: string[] = [];
  let results = renderResults(outcome, notes);
  const fileFollows = outcome.bids.length > 0 && plan?.excel === true;
  if (outcome.bids.length > 0 && !fileFollows) {
    if (plan && entitlement.accountId) {
      const plans = await deps.store.listPlans().catch(() => []);
      const upgrade = suggestUpgrade(plans, plan, { kind: "excel" }, plan.team);
      notes.push(errorMessage("PLAN_REQUIRED", { plan, upgrade }));
      results = renderResults(outcome, notes);
      if (upgrade) results.buttons = await upgradeButtons(cmd, entitlement.accountId, [upgrade], deps);
      if (upgrade && results.buttons?.length) upgradeShown(deps, upgrade, "excel", cmd);
      excelBlocked(deps, plan, "plan");
    } else {
      excelBlocked(deps, null, "plan_unknown");
      notes.push(
        "Não consegui confirmar seu plano agora, então a planilha não foi enviada. Tente de novo em instantes.",
      );
      results = renderResults(outcome, notes);
    }
  }
  // One tap saves the search as an alert, where alerts can be delivered (not the terminal chat).
  if (cmd.platform !== "cli" && args.trim() !== "") {
    results.buttons = [...(results.buttons ?? []), saveAlertButton(args)];
  }
  results.fileFollows = fileFollows;
  await sink.send(results);
  return fileFollows;
}

/**
 * Builds the workbook of every bid and sends it, after the results. Never throws: the results are already
 * on screen, so a build or send failure is told in a new message (FILE_DELIVERY_FAILED).
 */
async function sendFile(
  cmd: IncomingCommand,
  outcome: SearchOutcome,
  plan: NonNullable<JobAllowed["plan"]>,
  sink: ReplySink,
  deps: ChatDeps,
): Promise<void> {
  let data: Buffer;
  try {
    // The "Resumo" sheet's notes: what the results message noted (partial fetch, freshness).
    data = await buildBidsWorkbookBuffer(workbookInput(outcome, renderResults(outcome).notes));
  } catch (error) {
    deps.logger.error({ err: error }, "excel_build_failed");
    excelBlocked(deps, plan, "build_failed");
    await fileNotSent(sink, deps);
    return;
  }
  const file: Reply = {
    kind: "file",
    filename: workbookFileName(cmd.text, outcome.finishedAt),
    mimeType: XLSX_MIME,
    data,
    caption: `📎 Planilha com ${outcome.bids.length === 1 ? "1 licitação" : `as ${outcome.bids.length} licitações`}`,
  };
  deps.counters.metrics.inc("excel_generated", { plan: plan.id, tier: planTier(plan) });
  deps.logger.info(
    { planId: plan.id, tier: planTier(plan), rows: outcome.bids.length, bytes: data.length },
    "excel_generated",
  );
  try {
    await sink.send(file);
    deps.counters.metrics.inc("excel_delivered", {
      plan: plan.id,
      tier: planTier(plan),
      platform: cmd.platform,
    });
  } catch (error) {
    // The results are already on screen: tell the user about the file in a new message, keep them.
    excelBlocked(deps, plan, "send_failed");
    deps.logger.error({ err: error }, "file_delivery_failed");
    await fileNotSent(sink, deps);
  }
}

/** FILE_DELIVERY_FAILED in a new message (the results above stay); a refusal of it is only logged. */
async function fileNotSent(sink: ReplySink, deps: ChatDeps): Promise<void> {
  await sink
    .send({ kind: "text", text: errorMessage("FILE_DELIVERY_FAILED") })
    .catch((error: unknown) => deps.logger.error({ err: error }, "reply_failed"));
}

/** `excel_blocked`: a search with results whose Excel did not reach the user, and why (metric + event). */
function excelBlocked(
  deps: ChatDeps,
  plan: Allowed["plan"],
  reason: "plan" | "plan_unknown" | "build_failed" | "send_failed" | "full_set_failed",
): void {
  const labels = {
    plan: plan?.id ?? "unknown",
    tier: plan ? planTier(plan) : "unknown",
    plan_excel: plan ? plan.excel : "unknown",
    reason,
  };
  deps.counters.metrics.inc("excel_blocked", labels);
  const log = reason === "plan" ? deps.logger.info.bind(deps.logger) : deps.logger.error.bind(deps.logger);
  log({ planId: labels.plan, tier: labels.tier, planExcel: labels.plan_excel, reason }, "excel_blocked");
}

/** `upgrade_link_shown`: an upgrade button went out (the funnel's second step after a refusal). */
function upgradeShown(
  deps: ChatDeps,
  upgrade: { id: string } | null,
  reason: string,
  cmd: IncomingCommand,
): void {
  if (!upgrade) return;
  deps.counters.metrics.inc("upgrade_links_shown", { plan: upgrade.id, reason });
  deps.logger.info({ upgradePlanId: upgrade.id, reason, platform: cmd.platform }, "upgrade_link_shown");
}

/** `searches_total` and, for searches that ran, `search_duration_seconds` by size and source. */
function recordSearch(
  deps: ChatDeps,
  query: ParsedQuery["query"],
  outcome: "ok" | "partial" | "failed" | "refused",
  reason: string,
  result?: SearchOutcome,
  startedMs?: number,
): void {
  const size = searchSize(query);
  const source = outcome === "refused" ? "none" : searchSource(result?.stats.windows);
  deps.counters.metrics.inc("searches", { outcome, reason, size, source });
  if (startedMs !== undefined) {
    deps.counters.metrics.observe("search_duration_seconds", (performance.now() - startedMs) / 1000, {
      size,
      source,
      outcome,
    });
  }
}

async function logOutcome(
  cmd: IncomingCommand,
  args: string,
  parsed: ParsedQuery,
  deps: ChatDeps,
  accountId: string | null,
  outcome: "ok" | "partial" | "failed" | "refused",
  reason: string | null,
  result?: SearchOutcome,
): Promise<void> {
  if (!accountId) return;
  try {
    await deps.store.logSearch({
      accountId,
      platform: cmd.platform,
      queryText: args,
      query: parsed.query,
      fetched: result?.stats.fetched ?? 0,
      matched: result?.stats.matched ?? 0,
      durationMs: result?.stats.durationMs ?? 0,
      outcome,
      reason,
    });
  } catch (error) {
    deps.logger.warn({ err: error }, "search_log_failed");
  }
}
