import { loadConfig } from "../config.ts";
import { createApp } from "../main.ts";

/** `smart-pncp serve` / `npm start`: the HTTP server with every configured adapter; graceful on SIGINT/SIGTERM. */
export async function serveCommand(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const app = await createApp(loadConfig(env), { sync: true });
  await app.start();
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await app.stop();
  return 0;
}
