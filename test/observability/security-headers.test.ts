import { createHash } from "node:crypto";
import type { Server } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Route } from "../../src/bots/adapter.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { PromMetrics } from "../../src/observability/prom-metrics.ts";
import { sendJson, sendText } from "../../src/server/http.ts";
import { createHttpServer, listen } from "../../src/server/http-server.ts";
import { htmlCsp } from "../../src/server/security-headers.ts";
import { parseExposition, sumOf } from "./prom-text.ts";

/** Security headers on every response the one HTTP server writes, whoever writes it, errors included. */
const STYLE = "body{color:#111}";
const routes: Route[] = [
  { method: "GET", path: "/ok", handle: async ({ res }) => sendJson(res, 200, { ok: true }) },
  { method: "GET", path: "/boom", handle: async () => Promise.reject(new Error("route bug")) },
  {
    method: "GET",
    path: "/page",
    handle: async ({ res }) =>
      sendText(res, 200, `<html><style>${STYLE}</style><p>oi</p></html>`, "text/html"),
  },
  {
    method: "POST",
    path: "/hook",
    // What a chat adapter does with a bad signature: its own writeHead, 401.
    handle: async ({ res }) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":"invalid_signature"}');
    },
  },
];

let metrics: PromMetrics;
let https: { server: Server; url: string };
let plain: { server: Server; url: string };

async function start(hsts: boolean): Promise<{ server: Server; url: string }> {
  const server = createHttpServer({
    routes,
    logger: silentLogger(),
    maxBodyBytes: 64,
    security: { hsts },
    metrics,
    webhookRoutes: new Map([["/hook", { platform: "whatsapp", refusedStatus: 401 }]]),
  });
  return { server, url: await listen(server, 0, "127.0.0.1") };
}

beforeAll(async () => {
  metrics = new PromMetrics({ defaultMetrics: false });
  https = await start(true);
  plain = await start(false);
});
afterAll(async () => {
  for (const s of [https, plain]) await new Promise((resolve) => s.server.close(resolve));
});

function expectHardened(headers: Headers, hsts: boolean): void {
  const csp = headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).not.toContain("unsafe-inline");
  expect(headers.get("x-content-type-options")).toBe("nosniff");
  expect(headers.get("referrer-policy")).toBe("no-referrer");
  expect(headers.get("x-frame-options")).toBe("DENY");
  if (hsts) expect(headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  else expect(headers.get("strict-transport-security")).toBeNull();
}

describe("security headers", () => {
  it("are on 200, 404, 405, 413, 500 and a route's own 401, with HSTS only for an https public URL", async () => {
    for (const [s, hsts] of [
      [https, true],
      [plain, false],
    ] as const) {
      const cases: [string, RequestInit, number][] = [
        ["/ok", {}, 200],
        ["/nope", {}, 404],
        ["/ok", { method: "POST", body: "{}" }, 405],
        ["/hook", { method: "POST", body: "x".repeat(100) }, 413],
        ["/boom", {}, 500],
        ["/hook", { method: "POST", body: "{}" }, 401],
      ];
      for (const [path, init, status] of cases) {
        const res = await fetch(`${s.url}${path}`, init);
        await res.arrayBuffer();
        expect(res.status, path).toBe(status);
        expectHardened(res.headers, hsts);
      }
    }
  });

  it("allow an HTML page's own <style> by its hash, nothing else", async () => {
    const res = await fetch(`${https.url}/page`);
    const html = await res.text();
    const csp = res.headers.get("content-security-policy") ?? "";
    const hash = createHash("sha256").update(STYLE).digest("base64");
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toBe(htmlCsp(html));
    expect(csp).not.toContain("script-src");
    expectHardened(res.headers, true);
  });

  it("are on the 400 Node sends for a request it cannot parse", async () => {
    const port = new URL(https.url).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () =>
        socket.write("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
      );
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk.toString();
      });
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(answer.startsWith("HTTP/1.1 400")).toBe(true);
    expect(answer).toContain("x-content-type-options: nosniff");
    expect(answer).toContain("frame-ancestors 'none'");
    expect(answer).toContain("strict-transport-security: max-age=31536000");
  });

  it("count responses by route and a webhook's refused signature by platform", async () => {
    const before = parseExposition((await metrics.render()).body);
    const res = await fetch(`${plain.url}/hook`, { method: "POST", body: "{}" });
    await res.arrayBuffer();
    const after = parseExposition((await metrics.render()).body);
    const failures = 'smart_pncp_webhook_verification_failures_total{platform="whatsapp"}';
    expect(sumOf(after, failures) - sumOf(before, failures)).toBe(1);
    expect(sumOf(after, 'smart_pncp_http_responses_total{route="unmatched",status="404"}')).toBe(2);
    expect(sumOf(after, 'smart_pncp_http_responses_total{route="/boom",status="500"}')).toBe(2);
  });
});
