import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpgradeToken } from "../src/core/upgrade-token.ts";
import { createTestApp, type TestApp } from "./helpers/test-app.ts";

/** The shared HTTP server: routing, body limits, /health and the /upgrade page. */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe("HTTP server", () => {
  it("GET /health reports adapters, jobs and counters", async () => {
    const res = await fetch(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      ready: true,
      adapters: [],
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
});
