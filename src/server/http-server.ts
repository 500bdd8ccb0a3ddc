import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpContext, Route } from "../bots/adapter.ts";
import type { Logger } from "../core/ports/logger.ts";
import { type Metrics, noopMetrics } from "../core/ports/metrics.ts";
import { sendJson } from "./http.ts";
import { applySecurityHeaders, type SecurityHeaderOptions, securityHeaders } from "./security-headers.ts";

export interface HttpServerOptions {
  routes: Route[];
  logger: Logger;
  /** Request bodies above this are refused with 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** How much more of a refused body is drained before the socket is cut (default 64 MiB). */
  maxDrainBytes?: number;
  /** Security headers on every response (HSTS when the public URL is https). Default: all but HSTS. */
  security?: SecurityHeaderOptions;
  /** `http_responses_total`, `http_request_duration_seconds`, `webhook_verification_failures_total`. */
  metrics?: Metrics;
  /**
   * Webhook routes by path: the platform, and the status the route answers when a signature (or secret)
   * does not verify (the chat adapters 401 and nothing else; Stripe's route 400 `bad_signature`), counted
   * as `webhook_verification_failures_total{platform}`.
   */
  webhookRoutes?: ReadonlyMap<string, WebhookRoute>;
}

/** See `HttpServerOptions.webhookRoutes`. */
export interface WebhookRoute {
  platform: string;
  refusedStatus: number;
}

class BodyTooLarge extends Error {}

/** How much of an over-limit body is read and discarded before the connection is cut (default 64 MiB). */
const DEFAULT_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body up to `limit` bytes. Over the limit (declared or, for chunked bodies, counted) it rejects
 * with `BodyTooLarge` at once but keeps reading and discarding the rest: closing a socket with unread
 * bytes makes the kernel send a reset, and the client would see ECONNRESET instead of our 413. Past
 * `drainBytes` more the socket is destroyed anyway (a client streaming forever gets the reset).
 */
function readBody(req: IncomingMessage, limit: number, drainBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    let chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const refuse = () => {
      tooLarge = true;
      chunks = [];
      reject(new BodyTooLarge());
    };
    if (declared > limit) refuse();
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) {
        if (size > limit + drainBytes) req.destroy();
        return;
      }
      if (size > limit) return refuse();
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!tooLarge) resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!tooLarge) reject(error);
    });
  });
}

/**
 * The one HTTP server: routes by method + path, keeps raw bodies (signatures are verified on the exact
 * bytes), caps body size, and is the error boundary of last resort (500, logged, server keeps serving).
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const { logger } = options;
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const drainBytes = options.maxDrainBytes ?? DEFAULT_DRAIN_BYTES;
  const byPath = new Map<string, Route[]>();
  for (const route of options.routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  const headers = securityHeaders(options.security ?? { hsts: false });
  const metrics = options.metrics ?? noopMetrics;
  const webhooks = options.webhookRoutes ?? new Map<string, WebhookRoute>();

  const server = createServer(async (req, res) => {
    applySecurityHeaders(res, headers);
    const started = performance.now();
    let routeLabel = "unmatched";
    res.once("finish", () => {
      const status = res.statusCode;
      metrics.inc("http_responses", { route: routeLabel, method: req.method ?? "", status });
      metrics.observe("http_request_duration_seconds", (performance.now() - started) / 1000, {
        route: routeLabel,
      });
      const webhook = webhooks.get(routeLabel);
      if (webhook && status === webhook.refusedStatus) {
        metrics.inc("webhook_verification_failures", { platform: webhook.platform });
      }
    });
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return sendJson(res, 400, { error: "bad_request" });
    }
    const candidates = byPath.get(url.pathname);
    if (!candidates) return sendJson(res, 404, { error: "not_found" });
    routeLabel = url.pathname;
    const route = candidates.find((r) => r.method === req.method);
    if (!route) {
      res.setHeader("allow", candidates.map((r) => r.method).join(", "));
      return sendJson(res, 405, { error: "method_not_allowed" });
    }
    let rawBody: Buffer;
    try {
      rawBody = req.method === "GET" ? Buffer.alloc(0) : await readBody(req, limit, drainBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(res, 413, { error: "payload_too_large" });
      logger.warn({ err: error, path: url.pathname }, "http_body_error");
      return sendJson(res, 400, { error: "bad_request" });
    }
    const ctx: HttpContext = { req, res, url, rawBody };
    try {
      await route.handle(ctx);
    } catch (error) {
      logger.error({ err: error, path: url.pathname }, "http_route_failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal_error" });
      else res.end();
    }
  });
  // Requests Node cannot parse never reach the handler: answer them with the same headers, then close.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(`HTTP/1.1 400 Bad Request\r\n${lines.join("")}content-length: 0\r\nconnection: close\r\n\r\n`);
  });
  return server;
}

/** Listens on `port` (0 = any) on 127.0.0.1 or all interfaces; resolves with the base URL. */
export async function listen(server: Server, port: number, host = "0.0.0.0"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}
