import {
  checkEntitlement,
  type EntitlementResult,
  releaseRateSlot,
} from "../entitlements/check-entitlement.ts";
import { refundCharge, refundIfUnavailable } from "../entitlements/refund.ts";
import { suggestUpgrade } from "../entitlements/suggest-upgrade.ts";
import type { Delivery } from "../entitlements/usage-backlog.ts";
import { toAppError } from "../errors.ts";
import { buildBidsWorkbookBuffer } from "../excel/build-workbook.ts";
import { workbookFileName } from "../excel/file-name.ts";
import { errorMessage } from "../messages.ts";
import type { FetchProgress } from "../pncp/pncp-client.ts";
import { describeQuery } from "../query/describe-query.ts";
import { planTier, searchSize, searchSource } from "../metric-labels.ts";
import { parseQuery } from "../query/parse-query.ts";
import { requestedHistoryDays, runSearch, type SearchOutcome, workbookInput } from "../search/run-search.ts";
import type { ParsedQuery } from "../search-query.ts";
import { identityOf, upgradeButtons } from "./account-commands.ts";
import type { ChatDeps } from "./chat-deps.ts";
import { usageText } from "./help-texts.ts";
import type { IncomingCommand } from "./incoming-command.ts";
import { renderResults } from "./render-results.ts";
import { type Reply, type ReplySink, XLSX_MIME } from "./reply.ts";
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
  deps.queue.enqueue({
    id: `${cmd.platform}:${cmd.messageId}`,
    run: (signal) => runSearchJob(cmd, args, parsed, entitlement, sink, deps, signal),
  });
}

async function runSearchJob(
  cmd: IncomingCommand,
  args: string,
  parsed: ParsedQuery,
  entitlement: Allowed,
  sink: ReplySink,
  deps: ChatDeps,
  signal: AbortSignal,
): Promise<void> {
  const interval = deps.progressIntervalMs ?? 2500;
  const startedMs = performance.now();
  let lastProgress = Date.now();
  const onProgress = (p: FetchProgress) => {
    if (Date.now() - lastProgress < interval || p.pagesDone >= p.pagesTotal) return;
    lastProgress = Date.now();
    const text = `⏳ Consultando o PNCP: ${p.pagesDone} de ${p.pagesTotal} páginas…`;
    sink.send({ kind: "progress", text, pagesDone: p.pagesDone, pagesTotal: p.pagesTotal }).catch(() => {});
  };
  let outcome: SearchOutcome;
  try {
    // Without Excel the reply shows only the count and the first bids: the `limit` path (index: light read).
    const limit = entitlement.plan?.excel ? undefined : 5;
    outcome = await runSearch(parsed.query, deps, { signal, onProgress, limit });
  } catch (error) {
    const appError = toAppError(error);
    deps.logger.error({ err: appError, code: appError.code }, "search_failed");
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
  try {
    await deliver(cmd, outcome, entitlement, sink, deps);
  } catch (error) {
    // The platform refused the results or the file: say so instead of leaving "Buscando…" on screen.
    deps.logger.error({ err: error }, "delivery_failed");
    await sink
      .send({ kind: "error", code: "DELIVERY_FAILED", text: errorMessage("DELIVERY_FAILED") })
      .catch((sendError: unknown) => deps.logger.error({ err: sendError }, "reply_failed"));
  }
  recordSearch(deps, parsed.query, outcome.stats.partial ? "partial" : "ok", "ok", outcome, startedMs);
  void logOutcome(
    cmd,
    args,
    parsed,
    deps,
    entitlement.accountId,
    outcome.stats.partial ? "partial" : "ok",
    null,
    outcome,
  );
}

async function deliver(
  cmd: IncomingCommand,
  outcome: SearchOutcome,
  entitlement: Allowed,
  sink: ReplySink,
  deps: ChatDeps,
): Promise<void> {
  const { plan } = entitlement;
  const notes: string[] = [];
  let file: Reply | null = null;
  let results = renderResults(outcome, notes);
  if (outcome.bids.length > 0) {
    if (plan?.excel) {
      let data: Buffer;
      try {
        data = await buildBidsWorkbookBuffer(workbookInput(outcome, results.notes));
      } catch (error) {
        excelBlocked(deps, plan, "build_failed");
        throw error;
      }
      file = {
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
    } else if (plan && entitlement.accountId) {
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
  results.fileFollows = file !== null;
  await sink.send(results);
  if (!file) return;
  try {
    await sink.send(file);
    if (plan) {
      deps.counters.metrics.inc("excel_delivered", {
        plan: plan.id,
        tier: planTier(plan),
        platform: cmd.platform,
      });
    }
  } catch (error) {
    // The results are already on screen: tell the user about the file in a new message, keep them.
    excelBlocked(deps, plan, "send_failed");
    deps.logger.error({ err: error }, "file_delivery_failed");
    await sink.send({ kind: "text", text: errorMessage("FILE_DELIVERY_FAILED") });
  }
}

/** `excel_blocked`: a search with results whose Excel did not reach the user, and why (metric + event). */
function excelBlocked(
  deps: ChatDeps,
  plan: Allowed["plan"],
  reason: "plan" | "plan_unknown" | "build_failed" | "send_failed",
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
