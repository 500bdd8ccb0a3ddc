import { loadConfig } from "../config.ts";
import { createApp } from "../main.ts";
import { untilStopSignal } from "./until-signal.ts";

/** `smart-pncp serve` / `npm start`: the HTTP server with every configured adapter; graceful on SIGINT/SIGTERM. */
export async function serveCommand(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const app = await createApp(loadConfig(env), { sync: true });
  await app.start();
  await untilStopSignal();
  await app.stop();
  return 0;
}
