/**
 * `smart-pncp worker`: runs queued jobs from Redis (BullMQ) — the searches `serve` acknowledged, and
 * every other registered kind (Excel builds, alert matching, the outbox, digests) — plus the sync as a
 * job scheduler. Start as many as needed; SIGINT/SIGTERM stop it gracefully (running jobs finish within
 * `--grace` seconds, the rest go back to the queue for another worker).
 */
import { loadConfig } from "../config.ts";
import { createWorkerProcess } from "../main.ts";
import { parseCliArgs } from "./cli-args.ts";
import { untilStopSignal } from "./until-signal.ts";

export async function workerCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCliArgs(argv, { grace: { type: "string" } }, { positionals: false });
  const graceSeconds = values.grace === undefined ? 30 : Number(values.grace);
  if (!Number.isFinite(graceSeconds) || graceSeconds < 0) {
    process.stderr.write("--grace precisa ser um número de segundos (ex.: --grace 30).\n");
    return 1;
  }
  const config = loadConfig(env);
  if (!config.redisUrl) {
    process.stderr.write(
      "O worker precisa do Redis: defina REDIS_URL (ex.: redis://127.0.0.1:6379). Sem Redis, `smart-pncp serve` roda as buscas no próprio processo.\n",
    );
    return 1;
  }
  const worker = await createWorkerProcess(config);
  process.stderr.write(`worker pronto (pid ${process.pid}); Ctrl+C encerra.\n`);
  await untilStopSignal();
  await worker.stop(graceSeconds * 1000);
  return 0;
}
