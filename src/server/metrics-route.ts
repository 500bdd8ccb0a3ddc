/**
 * GET /metrics: the Prometheus exposition of this process (prom-client's text format). With
 * `METRICS_TOKEN` set, only `Authorization: Bearer <token>` reads it (compared in constant time): the
 * counters say how many searches each plan runs, which is business data, and the server is public for
 * the webhooks. Without a token, keep /metrics off the public internet at the proxy (docs/deploy.md).
 */
import { timingSafeEqual } from "node:crypto";
import type { Route } from "../bots/adapter.ts";
import { sendJson } from "./http.ts";

/** Anything that renders the exposition text (`PromMetrics`). */
export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The /metrics route; `token` (optional) is the bearer token scrapers must send. */
export function metricsRoute(source: MetricsSource, token?: string): Route {
  return {
    method: "GET",
    path: "/metrics",
    async handle({ req, res }) {
      if (token && !bearerMatches(req.headers.authorization, token)) {
        res.setHeader("www-authenticate", 'Bearer realm="metrics"');
        return sendJson(res, 401, { error: "unauthorized" });
      }
      const { contentType, body } = await source.render();
      res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
    },
  };
}
