/**
 * The worker's own small HTTP server (`METRICS_PORT`): a worker runs the searches, Excel builds and the
 * sync when Redis is configured, so their metrics live in its process, not in the web one. It serves
 * `/metrics`, `/health/live` and `/health/ready` (store, Redis, queue, index, PNCP circuit; no chat
 * adapters here), with the same security headers and METRICS_TOKEN as the web server. Bind it to the
 * private network only.
 */
import type { Server } from "node:http";
import type { ChatDeps } from "../core/chat/chat-deps.ts";
import type { Metrics } from "../core/ports/metrics.ts";
import { createHttpServer, listen } from "../server/http-server.ts";
import { type ObserveAppInput, observeApp } from "./observe-app.ts";

/** The running server; `close()` stops it. */
export interface WorkerHttp {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the worker's observability server on `port` (0 = any free port, for tests). */
export async function startWorkerHttp(input: {
  config: ObserveAppInput["config"];
  deps: ChatDeps;
  metrics: Metrics;
  port: number;
}): Promise<WorkerHttp> {
  const observed = observeApp({
    config: input.config,
    deps: input.deps,
    metrics: input.metrics,
    adapters: () => [],
  });
  const server = createHttpServer({ routes: observed.routes, logger: input.deps.logger, ...observed.server });
  const url = await listen(server, input.port);
  input.deps.logger.info({ url }, "worker_http_started");
  return {
    url,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await observed.close();
    },
  };
}
