import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config.ts";
import { checkEntitlement } from "../core/entitlements/check-entitlement.ts";
import { refundIfUnavailable } from "../core/entitlements/refund.ts";
import { suggestUpgrade } from "../core/entitlements/suggest-upgrade.ts";
import { AppError, toAppError } from "../core/errors.ts";
import { errorMessage } from "../core/messages.ts";
import { systemClock } from "../core/ports/clock.ts";
import { parseQuery } from "../core/query/parse-query.ts";
import { requestedHistoryDays, runSearch, workbookInput } from "../core/search/run-search.ts";
import { createUpgradeToken, upgradeUrl } from "../core/upgrade-token.ts";
import { createCore, createLogger, createSearchPorts } from "../main.ts";
import { parseCliArgs } from "./cli-args.ts";
import { cliLogLevel } from "./cli-errors.ts";
import { stderrProgress } from "./progress.ts";
import { applyQueryFlags, type QueryFlags } from "./query-flags.ts";
import { searchJson, searchText } from "./search-output.ts";
import { parseUserKey } from "./user-key.ts";
import { fileErrorMessage, resolveXlsxTarget } from "./xlsx-target.ts";

/** A store that may hold the index: Postgres/Supabase configured, or an embedded database already created. */
function hasStoreWithIndex(config: ReturnType<typeof loadConfig>): boolean {
  const { databaseUrl, supabaseUrl, dataDir } = config.store;
  if (databaseUrl || supabaseUrl) return true;
  if (dataDir === "memory://") return false;
  return existsSync(join(dataDir, "postgres", "PG_VERSION")) || existsSync(join(dataDir, "pglite"));
}

/** Exit codes of `smart-pncp search` (a contract). */
export const EXIT = { ok: 0, failed: 1, refused: 2 } as const;

const OPTIONS = {
  sector: { type: "string" },
  terms: { type: "string" },
  uf: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  modalidades: { type: "string" },
  "min-value": { type: "string" },
  "max-value": { type: "string" },
  open: { type: "boolean" },
  json: { type: "boolean" },
  xlsx: { type: "string" },
  "pncp-url": { type: "string" },
  as: { type: "string" },
  live: { type: "boolean" },
} as const;

/** `refused.reason` in `--json`: the same words as `consume_search` (README), plus `rate_limited`. */
const REFUSAL_REASON = {
  RATE_LIMITED: "rate_limited",
  TRIAL_EXPIRED: "trial_expired",
  QUOTA_EXCEEDED: "quota_exhausted",
  HISTORY_EXCEEDED: "history_exceeded",
  PLAN_INACTIVE: "plan_inactive",
  PAYMENT_OVERDUE: "payment_overdue",
} as const;

type FailCode = "INVALID_QUERY" | "PNCP_UNAVAILABLE" | "INTERNAL" | "XLSX_UNWRITABLE";

/**
 * `smart-pncp search [QUERY TEXT] [flags]`. Flags override the text. Exit 0 on success (partial too),
 * 1 when nothing could be searched, 2 when the entitlement flow refused (`--as`).
 */
export async function searchCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, OPTIONS);
  const config = loadConfig(values["pncp-url"] ? { ...env, PNCP_BASE_URL: values["pncp-url"] } : env);
  const logger = createLogger(cliLogLevel(env));
  const out = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
  const fail = (code: FailCode, message: string) => {
    if (values.json) out({ error: { code, message } });
    else process.stderr.write(`${message}\n`);
    return EXIT.failed;
  };

  const now = systemClock.now();
  const ports = createSearchPorts(config, logger);
  let parsed: ReturnType<typeof applyQueryFlags>;
  try {
    let base = parseQuery(positionals.join(" "), { now });
    if (base.unrecognized.length > 0 && ports.interpreter) {
      base = (await ports.interpreter.parse(positionals.join(" "), now, base).catch(() => null)) ?? base;
    }
    parsed = applyQueryFlags(base, values as QueryFlags);
  } catch (error) {
    const e = toAppError(error);
    return fail("INVALID_QUERY", errorMessage("INVALID_QUERY", { detail: e.message }));
  }

  // The file's folder is checked before searching (and before charging): a typo must not cost a search.
  let xlsxTarget: string | null = null;
  if (values.xlsx !== undefined) {
    const target = await resolveXlsxTarget(values.xlsx, positionals.join(" "), now);
    if (!target.ok) return fail("XLSX_UNWRITABLE", target.message);
    xlsxTarget = target.path;
  }

  let identity: ReturnType<typeof parseUserKey> | null = null;
  try {
    identity = values.as ? parseUserKey(values.as) : null;
  } catch (error) {
    return fail("INVALID_QUERY", error instanceof Error ? error.message : String(error));
  }
  // `--as` needs the store (plans, quotas); a bare search opens it only to read the PNCP index, when one
  // is configured or already exists locally (never creating an embedded database just to search live).
  const core =
    identity || (!values.live && hasStoreWithIndex(config))
      ? await createCore(config, { logger }).catch((error: unknown) => {
          if (identity) throw error;
          logger.warn({ err: error }, "cli_index_unavailable");
          return null;
        })
      : null;
  try {
    let charge = null;
    let excelAllowed = true;
    if (core && identity && values.as) {
      const entitlement = await checkEntitlement(
        identity,
        requestedHistoryDays(parsed.query, now),
        core.deps,
      );
      if (!entitlement.ok) {
        const upgrade = entitlement.upgrade;
        const url = upgrade
          ? upgradeUrl(
              config.publicBaseUrl,
              createUpgradeToken(
                {
                  accountId: entitlement.accountId,
                  planId: upgrade.id,
                  notify: { platform: "cli", chatId: values.as },
                },
                { secret: core.deps.upgrade.secret, now, ttlHours: config.upgrade.ttlHours },
              ),
            )
          : null;
        const refused = {
          reason: REFUSAL_REASON[entitlement.code],
          code: entitlement.code,
          message: entitlement.message,
          planId: entitlement.plan.id,
          upgrade: upgrade
            ? { planId: upgrade.id, name: upgrade.name, priceCents: upgrade.priceCents, url }
            : null,
        };
        if (values.json) out({ refused });
        else process.stderr.write(`${entitlement.message}${url ? `\n${url}` : ""}\n`);
        return EXIT.refused;
      }
      charge = entitlement.charge;
      excelAllowed = entitlement.plan?.excel ?? false;
      if (xlsxTarget && !excelAllowed && entitlement.plan) {
        const plans = await core.deps.store.listPlans();
        const upgrade = suggestUpgrade(plans, entitlement.plan, { kind: "excel" });
        process.stderr.write(`${errorMessage("PLAN_REQUIRED", { plan: entitlement.plan, upgrade })}\n`);
      }
    }

    const progress = stderrProgress();
    let outcome: Awaited<ReturnType<typeof runSearch>>;
    try {
      outcome = await runSearch(
        parsed.query,
        // With a store the PNCP index answers the windows it covers; `--live` or no store: all live.
        { ...ports, clock: systemClock, logger, index: values.live ? null : (core?.deps.index ?? null) },
        { onProgress: progress.onProgress },
      );
    } catch (error) {
      progress.done();
      const e = toAppError(error);
      if (core) await refundIfUnavailable(e, charge, core.deps);
      if (e.code === "PNCP_UNAVAILABLE") return fail("PNCP_UNAVAILABLE", errorMessage("PNCP_UNAVAILABLE"));
      if (e.code === "INVALID_QUERY")
        return fail("INVALID_QUERY", errorMessage("INVALID_QUERY", { detail: e.message }));
      throw e;
    }
    progress.done();

    // A file error never throws the results away: they are printed first, then the error (exit 1).
    let xlsxPath: string | null = null;
    let xlsxError: string | null = null;
    if (xlsxTarget && excelAllowed) {
      try {
        const { writeBidsWorkbook } = await import("../core/excel/build-workbook.ts");
        await writeBidsWorkbook(workbookInput(outcome), { filename: xlsxTarget });
        xlsxPath = xlsxTarget;
      } catch (error) {
        logger.warn({ err: toAppError(error) }, "cli_xlsx_failed");
        xlsxError = fileErrorMessage(xlsxTarget, error);
      }
    }
    if (values.json)
      out(searchJson(outcome, parsed, { xlsx: xlsxPath, ...(xlsxError ? { xlsxError } : {}) }));
    else {
      process.stdout.write(`${searchText(outcome, parsed)}\n`);
      if (xlsxPath) process.stdout.write(`\n📎 Planilha salva em ${xlsxPath}\n`);
    }
    if (xlsxError) {
      process.stderr.write(`${xlsxError}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (error) {
    const e = error instanceof AppError ? error : toAppError(error);
    logger.error({ err: e }, "cli_search_failed");
    return fail("INTERNAL", errorMessage("INTERNAL"));
  } finally {
    await core?.close();
  }
}
