/**
 * `smart-pncp sync`: runs the sync worker until SIGINT/SIGTERM (graceful: pages in flight are stored, the
 * lease released). `--once`: one incremental + backfill round, then exits (cron, tests) — it still takes
 * the `sync` lease, so it waits while another instance syncs. Prints a pt-BR summary, or `--json`.
 */
import { loadConfig } from "../config.ts";
import type { SyncRoundStats } from "../core/sync/sync-stats.ts";
import { createCore, openBidIndex, startSync } from "../main.ts";
import { parseCliArgs } from "./cli-args.ts";

const HELP = `smart-pncp sync — mantém o índice local do PNCP atualizado

Uso:
  smart-pncp sync            sincroniza continuamente (a cada SYNC_INTERVAL_MINUTES) até Ctrl+C
  smart-pncp sync --once     uma rodada (atualizações + carga histórica) e sai
  smart-pncp sync --once --json   resumo em JSON

Configuração: PNCP_BASE_URL, PNCP_CONCURRENCY, SYNC_BACKFILL_DAYS, SYNC_MODALIDADES, SYNC_INTERVAL_MINUTES.
Só uma instância sincroniza por vez; as outras esperam a vez.
`;

const int = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 0 });
const dec = new Intl.NumberFormat("pt-BR", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** The pt-BR summary of a round. */
export function describeRound(stats: SyncRoundStats): string {
  const n = (value: number) => int.format(value);
  const title = stats.stopped
    ? "Sincronização interrompida"
    : stats.windowsRemaining > 0
      ? "Sincronização concluída com pendências"
      : "Sincronização concluída";
  return [
    `${title} em ${dec.format(stats.durationMs / 1000)} s`,
    `  Janelas (dia × modalidade): ${n(stats.windowsComplete)} de ${n(stats.windows)} completas, ${n(stats.windowsRemaining)} pendentes`,
    `  Páginas: ${n(stats.pages)} (das quais ${n(stats.updatePages)} de atualizações) · registros: ${n(stats.records)} · inválidos: ${n(stats.invalid)}`,
    `  Atualizações: ${n(stats.updatesInserted)} novas, ${n(stats.updatesUpdated)} alteradas, ${n(stats.updatesUnchanged)} sem mudança`,
    `  Requisições: ${n(stats.requests)} · novas tentativas: ${n(stats.retries)} · páginas com falha: ${n(stats.failedPages)}`,
    "",
  ].join("\n");
}

/** Resolves on the first SIGINT/SIGTERM. */
function untilSignal(): { done: Promise<void>; dispose(): void } {
  let resolve = () => {};
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const stop = () => resolve();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    done,
    dispose() {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}

/** Entry of `smart-pncp sync`; returns the exit code (1 when a `--once` round left windows pending). */
export async function syncCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCliArgs(
    argv,
    { once: { type: "boolean" }, json: { type: "boolean" } },
    { positionals: false },
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(env);
  const core = await createCore(config);
  const signals = untilSignal();
  try {
    const index = await openBidIndex(config, core.deps.store);
    const worker = await startSync(core, index);
    if (!values.once) {
      await signals.done;
      await worker.stop();
      return 0;
    }
    const round = worker.nextRound();
    // Ctrl+C during --once: stop gracefully; the round then ends early and is reported as interrupted.
    void signals.done.then(() => worker.stop());
    let stats: SyncRoundStats;
    try {
      stats = await round;
    } finally {
      await worker.stop();
    }
    process.stdout.write(values.json ? `${JSON.stringify(stats)}\n` : describeRound(stats));
    return stats.stopped || stats.windowsRemaining > 0 ? 1 : 0;
  } finally {
    signals.dispose();
    await core.close();
  }
}
