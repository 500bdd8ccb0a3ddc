/**
 * HttpPncpClient behaviours that protect PNCP and users, specified one by one against the loopback fake:
 * the adaptive concurrency signal, the process-wide 429 pause, the sync's 429 allowance, the breaker
 * between retries, the waits, the errors the job queue retries, and the signals it reports (metrics,
 * logs). Waits run on a virtual clock through a recording sleep, so every requested wait is checked
 * and nothing really waits.
 */
import { getEventListeners } from "node:events";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AppError } from "../src/core/errors.ts";
import { CircuitBreaker } from "../src/core/pncp/circuit-breaker.ts";
import { HttpPncpClient, type HttpPncpClientOptions, realSleep } from "../src/core/pncp/http-pncp-client.ts";
import type { WindowPageRequest } from "../src/core/pncp/page-source.ts";
import type { PncpFetchRequest } from "../src/core/pncp/pncp-client.ts";
import { parseRetryAfter } from "../src/core/pncp/retry.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import type { MetricLabels, Metrics } from "../src/core/ports/metrics.ts";
import type { FakePncp } from "./fakes/fake-pncp.ts";
import { fakePncpEach } from "./fakes/fake-pncp-each.ts";

const NOW = "2026-09-21T20:25:00Z";
const fake = fakePncpEach({ now: NOW });

/** Backoff base 40 ms and random 0.5: the n-th retry (0-based) waits 20 × 2^n ms unless Retry-After says. */
function setup(pncp: FakePncp | null, overrides: HttpPncpClientOptions = {}) {
  const clock = new FixedClock(NOW);
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const counted: { name: string; labels: MetricLabels | undefined }[] = [];
  const metrics: Metrics = {
    inc: (name, labels) => void counted.push({ name, labels }),
    observe() {},
  };
  const sleeps: number[] = [];
  /** Hooks run inside the n-th sleep (1-based), before the virtual clock moves: during a page's wait. */
  const hooks = new Map<number, () => Promise<unknown>>();
  const client = new HttpPncpClient({
    ...(pncp ? { baseUrl: pncp.url } : {}),
    pageSize: 10,
    maxPagesPerSlice: 100,
    concurrency: 4,
    timeoutMs: 2_000,
    maxRetries: 3,
    retryBaseMs: 40,
    retryMaxDelayMs: 1_000,
    retryAfterMaxMs: 5_000,
    breakerFailureThreshold: 50,
    clock,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      const hook = hooks.get(sleeps.length);
      if (hook) await hook();
      clock.advance(ms);
    },
    logger,
    metrics,
    ...overrides,
  });
  return {
    client,
    clock,
    logs,
    counted,
    sleeps,
    during(hook: () => Promise<unknown>, nthSleep = 1) {
      hooks.set(nthSleep, hook);
    },
    logged: (msg: string) => logs.filter((l) => l.msg === msg),
  };
}

/** A sync page of one day (national, modalidade 6: the fixtures hold more than 10 such records). */
const PAGE: WindowPageRequest = {
  endpoint: "publicacao",
  from: "2026-06-02",
  to: "2026-06-02",
  modalidade: 6,
  page: 1,
};
const MG_2025: PncpFetchRequest = {
  ufs: ["MG"],
  modalidades: [6],
  from: "2025-06-01",
  to: "2025-12-31",
  openOnly: false,
};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as AppError,
  );

/** A fetch that answers every request with `status` (no PNCP behind it). */
const answering =
  (status: number, seen: string[] = []): typeof fetch =>
  async (input) => {
    seen.push(String(input));
    return new Response(status === 204 ? null : "{}", { status });
  };

describe("adaptive concurrency: what halves the limit", () => {
  it("a 503-class answer (504) halves the concurrency limit", async () => {
    const pncp = await fake({ faults: [{ fault: "gateway_timeout", times: 1 }] });
    const { client } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    expect(client.concurrency.halvings).toBe(1);
  });

  it("a 500 (exactly 500) halves it too", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500", times: 1 }] });
    const { client } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    expect(client.concurrency.halvings).toBe(1);
  });

  it("a 429 halves it", async () => {
    const pncp = await fake({ faults: [{ fault: "rate_limit", times: 1, retryAfter: "0" }] });
    const { client } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    expect(client.concurrency.halvings).toBe(1);
  });

  it("a truncated body (a 200 that is not JSON) is retried but does not halve it", async () => {
    const pncp = await fake({ faults: [{ fault: "truncated", times: 1 }] });
    const { client } = setup(pncp);
    const page = await client.fetchWindowPage(PAGE);
    expect(page).toMatchObject({ requests: 2, retries: 1 });
    expect(client.concurrency.halvings).toBe(0);
  });

  it("a connection reset (no status at all) does not halve it", async () => {
    const pncp = await fake({ faults: [{ fault: "reset", times: 1 }] });
    const { client } = setup(pncp);
    const page = await client.fetchWindowPage(PAGE);
    expect(page).toMatchObject({ requests: 2, retries: 1 });
    expect(client.concurrency.halvings).toBe(0);
  });

  it("a fatal 501 (not retried) says nothing about load: no halving", async () => {
    const { client } = setup(null, { fetch: answering(501) });
    await failure(client.fetchWindowPage(PAGE));
    expect(client.concurrency.halvings).toBe(0);
  });

  it("starts at the given initial width, else at min(ceiling, 4)", () => {
    expect(setup(null, { concurrency: 8, initialConcurrency: 1 }).client.concurrency.limit).toBe(1);
    expect(setup(null, { concurrency: 16, initialConcurrency: undefined }).client.concurrency).toMatchObject({
      limit: 4,
      ceiling: 16,
    });
  });
});

describe("a 429 pauses the process's new attempts", () => {
  it("waits exactly what Retry-After asked, once, and the retry then goes straight out", async () => {
    const pncp = await fake({ faults: [{ fault: "rate_limit", times: 1, retryAfter: "1" }] });
    const { client, sleeps } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    expect(sleeps).toEqual([1_000]);
  });

  it("another page started while the throttled one waits also waits for the Retry-After", async () => {
    const pncp = await fake({
      faults: [{ fault: "rate_limit", times: 1, retryAfter: "1", match: { params: { pagina: "1" } } }],
    });
    const { client, sleeps, during } = setup(pncp);
    let other: Promise<unknown> = Promise.resolve();
    during(async () => {
      other = client.fetchWindowPage({ ...PAGE, page: 2 });
      await other;
    });
    await client.fetchWindowPage(PAGE);
    await other;
    expect(sleeps).toEqual([1_000, 1_000]);
  });

  it("repeated header-less 429s stretch the pause to the page's growing backoff (20 ms, then 40 ms)", async () => {
    const pncp = await fake({
      faults: [{ fault: "rate_limit", times: 2, match: { params: { pagina: "1" } } }],
    });
    const { client, sleeps, during } = setup(pncp);
    let other: Promise<unknown> = Promise.resolve();
    // Page 1: 429 → waits 20; 429 again → waits 40, and page 2, starting then, must wait those 40 too.
    during(async () => {
      other = client.fetchWindowPage({ ...PAGE, page: 2 });
      await other;
    }, 2);
    await client.fetchWindowPage(PAGE);
    await other;
    expect(sleeps).toEqual([20, 40, 40]);
  });

  it("a 429 on a page that is given up still holds the process back for its Retry-After", async () => {
    const pncp = await fake({
      faults: [{ fault: "rate_limit", times: 1, retryAfter: "1", match: { params: { pagina: "1" } } }],
    });
    const { client, sleeps } = setup(pncp, { maxRetries: 0 });
    const error = await failure(client.fetchWindowPage(PAGE, { priority: "interactive" }));
    expect(error.code).toBe("PNCP_UNAVAILABLE");
    expect(sleeps).toEqual([]);
    await client.fetchWindowPage({ ...PAGE, page: 2 });
    expect(sleeps).toEqual([1_000]);
  });

  it("a 500 pauses only its own page: another page started during its backoff goes out at once", async () => {
    const pncp = await fake({
      faults: [{ fault: "jdbc_500", times: 1, match: { params: { pagina: "1" } } }],
    });
    const { client, sleeps, during } = setup(pncp);
    let other: Promise<unknown> = Promise.resolve();
    during(async () => {
      other = client.fetchWindowPage({ ...PAGE, page: 2 });
      await other;
    });
    await client.fetchWindowPage(PAGE);
    await other;
    expect(sleeps).toEqual([20]);
  });

  it("a page that answers holds nothing back", async () => {
    const pncp = await fake();
    const { client, sleeps } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    await client.fetchWindowPage({ ...PAGE, page: 2 });
    expect(sleeps).toEqual([]);
  });

  it("waiting out another page's 429 for a slot costs a page none of its retries", async () => {
    // One slot: MG's page 1 gets the 429 while SP's page 1 waits for the slot; SP is then paused, and its
    // first real attempt (a 500) still has its one retry.
    const pncp = await fake({
      faults: [
        { fault: "rate_limit", times: 1, retryAfter: "1", match: { params: { uf: "MG" } } },
        { fault: "jdbc_500", times: 1, match: { params: { uf: "SP" } } },
      ],
    });
    const { client } = setup(pncp, { concurrency: 1, initialConcurrency: 1, maxRetries: 1 });
    const { stats } = await client.fetchBids({ ...MG_2025, ufs: ["MG", "SP"], from: "2025-12-01" });
    expect(pncp.requests.filter((r) => r.status === 500)).toHaveLength(1);
    expect(stats).toMatchObject({ failed: 0, partial: false, retries: 2 });
  });
});

describe("retry budget and backoff", () => {
  it("backs off with full jitter: the first retry within one base (20 of 40 ms), the next within two", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500", times: 2 }] });
    const { client, sleeps } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    expect(sleeps).toEqual([20, 40]);
  });

  it("a sync page rides out 8 429s on top of its retries, not a 9th", async () => {
    const pncp = await fake({ faults: [{ fault: "rate_limit", times: 8, retryAfter: "0" }] });
    const { client } = setup(pncp, { maxRetries: 0 });
    expect(await client.fetchWindowPage(PAGE)).toMatchObject({ requests: 9, retries: 8 });
    pncp.setFaults([{ fault: "rate_limit", times: 9, retryAfter: "0" }]);
    const error = await failure(client.fetchWindowPage(PAGE));
    expect(error).toMatchObject({ code: "PNCP_UNAVAILABLE", details: { reason: "failed", requests: 9 } });
  });

  it("the 429s a sync page rode out do not eat into its retries for real failures", async () => {
    const pncp = await fake({
      faults: [
        { fault: "rate_limit", times: 2, retryAfter: "0" },
        { fault: "jdbc_500", times: 1 },
      ],
    });
    const { client } = setup(pncp, { maxRetries: 1 });
    expect(await client.fetchWindowPage(PAGE)).toMatchObject({ requests: 4, retries: 3 });
  });

  it("once the breaker opens, the page gives up at once instead of waiting a backoff", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500" }] });
    const { client, sleeps, counted } = setup(pncp, { breakerFailureThreshold: 1 });
    const error = await failure(client.fetchWindowPage(PAGE));
    expect(error).toMatchObject({
      code: "PNCP_UNAVAILABLE",
      details: { reason: "circuit_open", requests: 1, retries: 0 },
    });
    expect(sleeps).toEqual([]);
    expect(pncp.requests).toHaveLength(1);
    expect(counted.filter((c) => c.name === "pncp_circuit_opens")).toHaveLength(1);
  });
});

describe("the errors the chat's job queue retries", () => {
  it("a lost sync page is PNCP_UNAVAILABLE, retryable, with the request and the reason", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500" }] });
    const { client } = setup(pncp, { maxRetries: 1 });
    const error = await failure(client.fetchWindowPage(PAGE));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("PNCP_UNAVAILABLE");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe("PNCP page lost (failed)");
    expect(error.details).toEqual({ ...PAGE, reason: "failed", requests: 2, retries: 1 });
  });

  it("a search that got no page is PNCP_UNAVAILABLE, retryable, with what was tried", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500" }] });
    const { client } = setup(pncp, { maxRetries: 1 });
    const error = await failure(client.fetchBids({ ...MG_2025, modalidades: [6, 8] }));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("PNCP_UNAVAILABLE");
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/no page/);
    expect(error.details).toEqual({ requests: 4, failed: 2, slices: 2 });
  });
});

describe("what the client reports", () => {
  it("counts every request by status and priority, and every retry by reason and priority", async () => {
    const pncp = await fake({
      faults: [
        { fault: "jdbc_500", times: 1 },
        { fault: "reset", times: 1 },
      ],
    });
    const { client, counted } = setup(pncp);
    await client.fetchWindowPage(PAGE);
    expect(counted.filter((c) => c.name === "pncp_requests").map((c) => c.labels)).toEqual([
      { status: "500", priority: "background" },
      { status: expect.stringMatching(/^network_/), priority: "background" },
      { status: "200", priority: "background" },
    ]);
    expect(counted.filter((c) => c.name === "pncp_retries").map((c) => c.labels)).toEqual([
      { reason: "http_500", priority: "background" },
      { reason: expect.stringMatching(/^network_/), priority: "background" },
    ]);
  });

  it("logs the circuit opening (warn, with the failure count) and the width changes (debug)", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500", times: 2 }] });
    const { client, logged } = setup(pncp, { breakerFailureThreshold: 2, maxRetries: 5 });
    await failure(client.fetchWindowPage(PAGE));
    expect(logged("pncp_circuit_open")).toEqual([
      expect.objectContaining({ level: 40, event: "pncp_circuit_open", failures: 2 }),
    ]);
    expect(logged("pncp_concurrency")[0]).toMatchObject({
      level: 20,
      event: "pncp_concurrency",
      reason: "halve",
      limit: expect.any(Number),
    });
  });

  it("logs a fatal answer as pncp_request_failed with the request", async () => {
    const { client, logged } = setup(null, {
      baseUrl: "http://pncp.test/api/consulta",
      fetch: answering(404),
    });
    await failure(client.fetchWindowPage(PAGE));
    expect(logged("pncp_request_failed")).toEqual([
      expect.objectContaining({
        level: 40,
        event: "pncp_request_failed",
        method: "GET",
        path: "/api/consulta/v1/contratacoes/publicacao",
        params: expect.objectContaining({ pagina: "1", codigoModalidadeContratacao: "6" }),
        status: 404,
      }),
    ]);
  });

  it("logs each search's totals as pncp_fetch_completed and measures its real duration", async () => {
    const pncp = await fake();
    const { client, logged } = setup(pncp);
    const before = performance.now();
    const { stats } = await client.fetchBids(MG_2025);
    const elapsed = performance.now() - before;
    expect(stats.durationMs).toBeLessThanOrEqual(Math.ceil(elapsed));
    expect(logged("pncp_fetch_completed")).toEqual([
      expect.objectContaining({
        level: 20,
        event: "pncp_fetch_completed",
        pages: stats.pages,
        requests: stats.requests,
        issues: 0,
      }),
    ]);
  });
});

describe("configuration", () => {
  it("talks to PNCP's public consulta API by default", async () => {
    const seen: string[] = [];
    const { client } = setup(null, { fetch: answering(204, seen) });
    await client.fetchWindowPage(PAGE);
    expect(new URL(seen[0]!).origin + new URL(seen[0]!).pathname).toBe(
      "https://pncp.gov.br/api/consulta/v1/contratacoes/publicacao",
    );
  });

  it("accepts a base URL with trailing slashes", async () => {
    const pncp = await fake();
    const { client } = setup(pncp, { baseUrl: `${pncp.url}//` });
    const page = await client.fetchWindowPage(PAGE);
    expect(page.records.length).toBeGreaterThan(0);
    expect(pncp.requests[0]!.path).toBe("/api/consulta/v1/contratacoes/publicacao");
  });

  it("asks 50 records a page by default, and clamps the page size to PNCP's [10, 50]", async () => {
    const sizes = async (pageSize: number | undefined) => {
      const seen: string[] = [];
      const { client } = setup(null, { pageSize, fetch: answering(204, seen) });
      await client.fetchWindowPage(PAGE);
      return new URL(seen[0]!).searchParams.get("tamanhoPagina");
    };
    expect(await sizes(undefined)).toBe("50");
    expect(await sizes(5)).toBe("10");
    expect(await sizes(100)).toBe("50");
  });

  it("splits a search into windows of at most maxWindowDays", async () => {
    const seen: string[] = [];
    const { client } = setup(null, { maxWindowDays: 30, fetch: answering(204, seen) });
    await client.fetchBids({ ...MG_2025, from: "2025-01-01", to: "2025-03-01" });
    expect(seen).toHaveLength(2);
  });
});

describe("abort listeners do not leak", () => {
  it("realSleep resolves after its delay and leaves no listener on the signal", async () => {
    const controller = new AbortController();
    await realSleep(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("realSleep rejects at once with the signal's reason on abort, and leaves no listener", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const sleeping = realSleep(60_000, controller.signal);
    controller.abort(reason);
    const outcome = await Promise.race([
      sleeping.then(
        () => "resolved",
        (error: unknown) => error,
      ),
      realSleep(200).then(() => "still sleeping"),
    ]);
    expect(outcome).toBe(reason);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("fetchBids removes its listener from the caller's signal when it is done", async () => {
    const pncp = await fake();
    const { client } = setup(pncp);
    const controller = new AbortController();
    await client.fetchBids(MG_2025, { signal: controller.signal });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("CircuitBreaker.isOpen (checked between a page's retries)", () => {
  function breaker(threshold = 1, cooldownMs = 100) {
    let now = 1_000;
    const opened: number[] = [];
    const b = new CircuitBreaker({
      failureThreshold: threshold,
      cooldownMs,
      now: () => now,
      onOpen: (failures) => opened.push(failures),
    });
    return { b, opened, advance: (ms: number) => (now += ms), at: (ms: number) => (now = ms) };
  }

  it("reads open during the cooldown, and no longer from the instant a probe may go out", async () => {
    const { b, advance } = breaker();
    expect(await b.acquire()).toBe(true);
    b.record("failure");
    advance(99);
    expect(b.isOpen()).toBe(true);
    advance(1);
    expect(b.isOpen()).toBe(false); // the cooldown has elapsed, though `state` still reads "open"
    expect(b.state).toBe("open");
    expect(await b.acquire()).toBe(true); // …and the probe is indeed let through
  });

  it("a closed breaker is not open, whatever the clock reads", () => {
    const { b, at } = breaker(1, 100);
    at(0);
    expect(b.isOpen()).toBe(false);
  });

  it("a failure of a request sent before the circuit opened neither re-opens it nor restarts the cooldown", async () => {
    const { b, opened, advance } = breaker(2, 100);
    for (let i = 0; i < 3; i++) expect(await b.acquire()).toBe(true);
    b.record("failure");
    b.record("failure");
    advance(50);
    b.record("failure"); // the third request, in flight when the circuit opened
    expect(opened).toEqual([2]);
    advance(50);
    expect(b.isOpen()).toBe(false);
  });
});

describe("parseRetryAfter: delta-seconds only when the whole value is a number", () => {
  it("reads fractional seconds with any number of decimals", () => {
    expect(parseRetryAfter("1.25", 0)).toBe(1_250);
  });

  it("is never negative and ignores values that only start or end with digits", () => {
    expect(parseRetryAfter("-5", Date.parse("2026-09-21T00:00:00Z"))).toBe(0);
    expect(parseRetryAfter("x5", 0)).toBeNull();
    expect(parseRetryAfter("5abc", 0)).toBeNull();
  });
});
