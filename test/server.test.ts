import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpgradeToken } from "../src/core/upgrade-token.ts";
import { PromMetrics } from "../src/observability/prom-metrics.ts";
import { startWorkerHttp } from "../src/observability/worker-http.ts";
import { postWebhook, whatsappEnv } from "./bots/whatsapp-driver.ts";
import { type FakeWhatsApp, startFakeWhatsApp } from "./fakes/fake-whatsapp.ts";
import { createTestApp, type TestApp } from "./helpers/test-app.ts";
import { parseExposition, sumOf } from "./observability/prom-text.ts";

/**
 * The shared HTTP server: routing, body limits, /health, /health/live, /health/ready, /metrics, the
 * /upgrade page, and the security headers on all of them (PUBLIC_BASE_URL is https here: HSTS).
 */
let t: TestApp;
let graph: FakeWhatsApp;

beforeAll(async () => {
  graph = await startFakeWhatsApp();
  t = await createTestApp({ env: whatsappEnv(graph) });
});
afterAll(async () => {
  await t?.close();
  await graph?.close();
});

function expectHardened(res: Response): void {
  expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("strict-transport-security")).toContain("max-age=");
}

describe("HTTP server", () => {
  it("GET /health reports adapters, jobs and counters", async () => {
    const res = await fetch(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      ready: true,
      adapters: [{ name: "whatsapp", ready: true }],
      jobs: 0,
      usageBacklog: 0,
      counters: {},
    });
    expect((await fetch(`${t.baseUrl}/health?ready`)).status).toBe(200);
  });

  it("answers 404 for unknown paths and 405 with Allow for wrong methods", async () => {
    expect((await fetch(`${t.baseUrl}/nope`)).status).toBe(404);
    const res = await fetch(`${t.baseUrl}/health`, { method: "POST", body: "{}" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
  });

  it("serves the plans page for a valid upgrade token, highlighting the plan offered", async () => {
    const accountId = await t.store.resolveIdentity({
      platform: "cli",
      userId: "up-1",
      teamId: null,
      displayName: null,
    });
    const token = createUpgradeToken(
      { accountId, planId: "maquina", notify: { platform: "telegram", chatId: "1" } },
      { secret: "test-upgrade-secret", now: t.clock.now(), ttlHours: 1 },
    );
    const res = await fetch(`${t.baseUrl}/upgrade?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("Plano escolhido: <strong>Máquina</strong>");
    expect(html).toContain("R$ 597,00/mês");
    expect(html).toContain("R$ 1.497,00/mês");
    expect(html).toContain('<html lang="pt-BR">');
  });

  it("refuses forged and expired upgrade tokens with a pt-BR page", async () => {
    const forged = createUpgradeToken(
      { accountId: "x", planId: "maquina", notify: { platform: "cli", chatId: "x" } },
      { secret: "wrong", now: t.clock.now(), ttlHours: 1 },
    );
    const bad = await fetch(`${t.baseUrl}/upgrade?token=${encodeURIComponent(forged)}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Link de assinatura inválido");
    const old = createUpgradeToken(
      { accountId: "x", planId: "maquina", notify: { platform: "cli", chatId: "x" } },
      { secret: "test-upgrade-secret", now: new Date(t.clock.now().getTime() - 5 * 3600_000), ttlHours: 1 },
    );
    const expired = await fetch(`${t.baseUrl}/upgrade?token=${encodeURIComponent(old)}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("expirou");
  });

  it("/health/live answers without checking anything; /health/ready lists every component", async () => {
    const live = await fetch(`${t.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ ok: true });
    expectHardened(live);
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      ready: boolean;
      degraded: boolean;
      checks: { name: string; ok: boolean }[];
    };
    expect(body.ready).toBe(true);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ["store", true],
      ["queue", true],
      ["index", true],
      ["pncp", true],
      ["adapter:whatsapp", true],
    ]);
    expectHardened(ready);
  });

  it("serves /metrics (open without METRICS_TOKEN) with the readiness gauge and process metrics", async () => {
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expectHardened(res);
    const exposition = parseExposition(await res.text());
    expect(sumOf(exposition, 'smart_pncp_component_ready{component="store",critical="true"}')).toBe(1);
    expect(exposition.types.get("smart_pncp_process_cpu_seconds_total")).toBe("counter");
    expect(exposition.types.get("smart_pncp_queue_jobs")).toBe("gauge");
  });

  it("hardens webhook answers and counts a bad signature as a verification failure of its platform", async () => {
    const metric = 'smart_pncp_webhook_verification_failures_total{platform="whatsapp"}';
    const before = parseExposition(await (await fetch(`${t.baseUrl}/metrics`)).text());
    expect(
      await postWebhook(
        t.baseUrl,
        { object: "whatsapp_business_account", entry: [] },
        { badSignature: true },
      ),
    ).toBe(401);
    const res = await fetch(`${t.baseUrl}/whatsapp/webhook`, { method: "POST", body: "{}" });
    await res.arrayBuffer();
    expect(res.status).toBe(401);
    expectHardened(res);
    const after = parseExposition(await (await fetch(`${t.baseUrl}/metrics`)).text());
    expect(sumOf(after, metric) - sumOf(before, metric)).toBe(2);
  });

  it("sends the upgrade page with a CSP that allows exactly its own style and no script", async () => {
    const token = createUpgradeToken(
      { accountId: "x", planId: "maquina", notify: { platform: "cli", chatId: "x" } },
      { secret: "wrong", now: t.clock.now(), ttlHours: 1 },
    );
    const res = await fetch(`${t.baseUrl}/upgrade?token=${encodeURIComponent(token)}`);
    const html = await res.text();
    expectHardened(res);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("script-src");
    for (const m of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
      expect(csp).toContain(
        `'sha256-${createHash("sha256")
          .update(m[1] ?? "")
          .digest("base64")}'`,
      );
    }
    const missing = await fetch(`${t.baseUrl}/nope`);
    expect(missing.status).toBe(404);
    expectHardened(missing);
  });

  it("a worker's METRICS_PORT server: /metrics, /health/live and /health/ready without chat adapters", async () => {
    const metrics = new PromMetrics({ defaultMetrics: false });
    metrics.inc("searches", { outcome: "ok", reason: "ok", size: "xs", source: "index" });
    const { config, deps } = t.app.core;
    const http = await startWorkerHttp({ config, deps, metrics, port: 0 });
    try {
      const ready = await fetch(`${http.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { checks: { name: string }[] };
      expect(body.checks.map((c) => c.name)).toEqual(["store", "queue", "index", "pncp"]);
      expectHardened(ready);
      expect((await fetch(`${http.url}/health/live`)).status).toBe(200);
      const exposition = parseExposition(await (await fetch(`${http.url}/metrics`)).text());
      expect(sumOf(exposition, 'smart_pncp_searches_total{source="index"}')).toBe(1);
    } finally {
      await http.close();
    }
  });
});
