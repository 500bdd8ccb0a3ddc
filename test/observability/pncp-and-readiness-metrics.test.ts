import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { createLogger } from "../../src/main.ts";
import { PromMetrics } from "../../src/observability/prom-metrics.ts";
import { createRedisPinger } from "../../src/observability/redis-ping.ts";
import { registerRuntimeGauges } from "../../src/observability/runtime-gauges.ts";
import { healthReadyRoute } from "../../src/server/health-route.ts";
import { createHttpServer, listen } from "../../src/server/http-server.ts";
import type { ReadinessCheck } from "../../src/server/readiness.ts";
import { pncpCheck, queueCheck, redisCheck, storeCheck } from "../../src/server/readiness-checks.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { needRedis, REDIS_URL } from "../helpers/services.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import { parseExposition, sumOf } from "./prom-text.ts";

/**
 * The PNCP client's series under real faults from the loopback PNCP (429, 5xx, timeouts, the circuit),
 * and /health/ready's verdicts: a critical check failing (or hanging) → 503, a fallback-served one →
 * degraded 200; the Redis pinger against the local Redis and a dead port.
 */
let pncp: FakePncp;
const logs: Record<string, unknown>[] = [];
const logger = createLogger(
  "info",
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  }),
);
beforeAll(async () => {
  pncp = await startFakePncp({ now: FIXTURE_NOW });
});
afterAll(async () => {
  await pncp?.close();
});

const request = {
  ufs: ["SP" as const],
  modalidades: [8],
  from: "2026-09-17",
  to: "2026-09-17",
  openOnly: false,
};

function client(metrics: PromMetrics, extra: Partial<ConstructorParameters<typeof HttpPncpClient>[0]> = {}) {
  return new HttpPncpClient({
    baseUrl: pncp.url,
    metrics,
    logger,
    clock: new FixedClock(FIXTURE_NOW),
    sleep: async () => {},
    random: () => 0,
    timeoutMs: 300,
    maxRetries: 3,
    ...extra,
  });
}

async function scrape(metrics: PromMetrics) {
  return parseExposition((await metrics.render()).body);
}

describe("PNCP metrics", () => {
  it("count every attempt by status (429, 5xx, timeout), the retries by reason, and 200s", async () => {
    const metrics = new PromMetrics({ defaultMetrics: false });
    pncp.setFaults([
      { fault: "rate_limit", times: 1 },
      { fault: "jdbc_500", times: 1 },
      { fault: "hang", times: 1 },
    ]);
    await client(metrics).fetchBids(request);
    pncp.setFaults([]);
    const e = await scrape(metrics);
    expect(sumOf(e, 'smart_pncp_pncp_requests_total{status="429",priority="interactive"}')).toBe(1);
    expect(sumOf(e, 'smart_pncp_pncp_requests_total{status="500"}')).toBe(1);
    expect(sumOf(e, 'smart_pncp_pncp_requests_total{status="timeout"}')).toBe(1);
    expect(sumOf(e, 'smart_pncp_pncp_requests_total{status="200"}')).toBeGreaterThan(0);
    expect(sumOf(e, 'smart_pncp_pncp_retries_total{reason="http_429"}')).toBe(1);
    expect(sumOf(e, 'smart_pncp_pncp_retries_total{reason="timeout"}')).toBe(1);
    // Every attempt the fake saw is counted once.
    expect(sumOf(e, "smart_pncp_pncp_requests_total")).toBe(pncp.requests.length);
    // The business event of each retry, with what was retried and why.
    const retries = logs.filter((l) => l.msg === "pncp_retry");
    expect(retries.map((l) => l.reason).sort()).toEqual(["http_429", "http_500", "timeout"]);
    expect(retries[0]).toMatchObject({ path: "/api/consulta/v1/contratacoes/publicacao", attempt: 1 });
  });

  it("count circuit openings and show the open circuit on the gauge and in readiness (degraded)", async () => {
    const metrics = new PromMetrics({ defaultMetrics: false });
    const c = client(metrics, { breakerFailureThreshold: 2, maxRetries: 1 });
    registerRuntimeGauges(metrics, { clock: new FixedClock(FIXTURE_NOW), pncp: c });
    pncp.setFaults([{ fault: "gateway_timeout" }]);
    await expect(c.fetchBids(request)).rejects.toThrow();
    pncp.setFaults([]);
    const e = await scrape(metrics);
    expect(sumOf(e, "smart_pncp_pncp_circuit_opens_total")).toBe(1);
    expect(logs.filter((l) => l.msg === "pncp_circuit_open")).toHaveLength(1);
    expect(sumOf(e, "smart_pncp_pncp_circuit_state")).toBe(2);
    expect(await pncpCheck(c).check()).toEqual({ ok: false, detail: { circuit: "open" } });
  });
});

async function ready(checks: ReadinessCheck[]) {
  const server = createHttpServer({ routes: [healthReadyRoute(() => checks)], logger: silentLogger() });
  const url = await listen(server, 0, "127.0.0.1");
  try {
    const res = await fetch(`${url}/health/ready`);
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { checks: unknown[] },
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const plans = [{ id: "free_trial" }] as never[];

describe("/health/ready", () => {
  it("is 503 when the store fails or hangs, with a stable code and no error text", async () => {
    const failing = storeCheck({
      listPlans: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED postgres://u:secret@db"), {
          code: "ECONNREFUSED",
        });
      },
    });
    const down = await ready([failing, queueCheck({ size: 0 })]);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ ok: false, ready: false });
    expect(JSON.stringify(down.body)).not.toContain("secret");
    expect(down.body.checks[0]).toMatchObject({
      name: "store",
      ok: false,
      critical: true,
      error: "ECONNREFUSED",
    });
    const hung = storeCheck({ listPlans: () => new Promise(() => {}) });
    const slow = await ready([hung]);
    expect(slow.status).toBe(503);
    expect(slow.body.checks[0]).toMatchObject({ ok: false, error: "timeout" });
  }, 10_000);

  it("is 200 but degraded when only Redis or the queue's backend is down (the fallbacks serve)", async () => {
    const store = storeCheck({ listPlans: async () => plans });
    const queue = queueCheck({
      size: 3,
      status: () => ({ state: "degraded", backend: "bullmq", redis: "down" }),
    });
    const res = await ready([store, redisCheck(async () => false), queue]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, ready: true, degraded: true });
    expect(res.body.checks.map((c) => (c as { ok: boolean }).ok)).toEqual([true, false, false]);
    const healthy = await ready([store, redisCheck(async () => true), queueCheck({ size: 0 })]);
    expect(healthy.body).toMatchObject({ ready: true, degraded: false });
  });
});

const redisOk = await needRedis();

describe("Redis pinger", () => {
  it("answers false at once for a dead port", async () => {
    const pinger = createRedisPinger("redis://127.0.0.1:1", 300);
    try {
      expect(await pinger.ping()).toBe(false);
    } finally {
      await pinger.close();
    }
  });

  it.skipIf(!redisOk)("answers true for the local Redis, again and again on one connection", async () => {
    const pinger = createRedisPinger(REDIS_URL);
    try {
      expect(await pinger.ping()).toBe(true);
      expect(await pinger.ping()).toBe(true);
    } finally {
      await pinger.close();
    }
  });
});
