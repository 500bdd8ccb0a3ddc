import { loadConfig } from "../config.ts";
import { retagIndex } from "../core/index/retag.ts";
import { indexStatusText } from "../core/index/status-text.ts";
import type { BidIndex } from "../core/ports/bid-index.ts";
import { systemClock } from "../core/ports/clock.ts";
import { createLogger, openBidIndex } from "../main.ts";
import { parseCliArgs } from "./cli-args.ts";
import { cliLogLevel } from "./cli-errors.ts";

const USAGE = [
  "uso: smart-pncp index status [--json]   cobertura por modalidade, linhas, última atualização, disco",
  "     smart-pncp index retag [--json]    recalcula as etiquetas de setor desatualizadas",
].join("\n");

/** `smart-pncp index status|retag`: the local PNCP index as an operator sees it. */
export async function indexCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    json: { type: "boolean" },
    help: { type: "boolean" },
  });
  const [action] = positionals;
  if (values.help || positionals.length !== 1 || (action !== "status" && action !== "retag")) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 1;
  }
  const config = loadConfig(env);
  const logger = createLogger(cliLogLevel(env));
  const { createStore } = await import("../stores/create-store.ts");
  const store = await createStore(config.store, logger);
  try {
    const index: BidIndex = await openBidIndex(config, store);
    const out = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
    if (action === "retag") {
      const result = await retagIndex(index);
      if (values.json) out({ retag: result });
      else
        process.stdout.write(
          `Etiquetas recalculadas: ${result.rows} licitações em ${result.batches} lotes.\n`,
        );
      return 0;
    }
    const status = await index.status();
    if (values.json) {
      out({
        rows: status.rows,
        freshAt: status.freshAt?.toISOString() ?? null,
        lastRoundAt: status.lastRoundAt?.toISOString() ?? null,
        diskBytes: status.diskBytes,
        tagsVersion: status.tagsVersion,
        staleTagRows: status.staleTagRows,
        coverage: status.coverage,
      });
    } else {
      process.stdout.write(`${indexStatusText(status, systemClock.now())}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
