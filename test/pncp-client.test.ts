/**
 * HttpPncpClient against the loopback fake PNCP serving the real fixture records. Expected counts are
 * computed here from the fixture data; retry waits go through an injected sleep on a virtual clock so the
 * suite stays fast while the requested delays are still checked (in the `pncp_retry` logs).
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AppError } from "../src/core/errors.ts";
import { HttpPncpClient, type HttpPncpClientOptions, realSleep } from "../src/core/pncp/http-pncp-client.ts";
import type { FetchProgress, PncpFetchRequest } from "../src/core/pncp/pncp-client.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import {
  type FakePncp,
  type FixtureRecord,
  loadFixtureRecords,
  syntheticRecords,
} from "./fakes/fake-pncp.ts";
import { fakePncpEach } from "./fakes/fake-pncp-each.ts";

const NOW = "2026-09-21T20:25:00Z"; // 17:25 in Brasília, when the real /proposta page was recorded
const FIXTURES = loadFixtureRecords();
const fake = fakePncpEach({ now: NOW });

function setup(pncp: FakePncp, overrides: HttpPncpClientOptions = {}) {
  const clock = new FixedClock(NOW);
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const client = new HttpPncpClient({
    baseUrl: pncp.url,
    pageSize: 10,
    maxPagesPerSlice: 100,
    concurrency: 4,
    timeoutMs: 2_000,
    maxRetries: 3,
    retryBaseMs: 40,
    retryMaxDelayMs: 200,
    retryAfterMaxMs: 5_000,
    clock,
    random: () => 0.5,
    // Virtual time: the requested wait moves the clock; the real wait is a token 2 ms.
    sleep: async (ms, signal) => {
      clock.advance(ms);
      await realSleep(2, signal);
    },
    logger,
    ...overrides,
  });
  const retries = () => logs.filter((l) => l.msg === "pncp_retry");
  return { client, clock, logs, retries };
}

const day = (r: FixtureRecord) => r.dataPublicacaoPncp.slice(0, 10);

/** Ids the fixtures hold for a publicacao search, computed straight from the data. */
function expectedIds(ufs: string[], modalidades: number[], from: string, to: string): string[] {
  return FIXTURES.filter(
    (r) =>
      (ufs.length === 0 || ufs.includes(r.unidadeOrgao.ufSigla)) &&
      modalidades.includes(r.modalidadeId) &&
      day(r) >= from &&
      day(r) <= to,
  )
    .map((r) => r.numeroControlePNCP)
    .sort();
}

const ids = (bids: { id: string }[]) => bids.map((b) => b.id).sort();
const pageOf = (p: { params: Record<string, string> }) => Number(p.params.pagina);

const BIG: PncpFetchRequest = {
  ufs: ["MG", "ES", "SP"],
  modalidades: [6, 4, 8],
  from: "2025-06-01",
  to: "2026-09-21",
  openOnly: false,
};
const MG_2025: PncpFetchRequest = {
  ufs: ["MG"],
  modalidades: [6],
  from: "2025-06-01",
  to: "2025-12-31",
  openOnly: false,
};

describe("HttpPncpClient against the fake PNCP", () => {
  it("pages through every slice and window: exact records, page 1 of every slice first, all in parallel", async () => {
    const pncp = await fake({ latencyMs: 25 });
    const { client } = setup(pncp);
    const progress: FetchProgress[] = [];
    const { bids, stats } = await client.fetchBids(BIG, { onProgress: (p) => progress.push(p) });

    const expected = expectedIds(BIG.ufs, BIG.modalidades, BIG.from, BIG.to);
    expect(expected.length).toBeGreaterThan(500);
    expect(ids(bids)).toEqual(expected);
    expect(stats).toMatchObject({
      fetched: expected.length,
      invalid: 0,
      duplicates: 0,
      failed: 0,
      retries: 0,
      partial: false,
    });

    // 365-day windows: [2025-09-22, 2026-09-21] and [2025-06-01, 2025-09-21]; 10 records per page, 204 = 1 page.
    let expectedPages = 0;
    for (const [from, to] of [
      ["2025-09-22", "2026-09-21"],
      ["2025-06-01", "2025-09-21"],
    ] as const) {
      for (const uf of BIG.ufs) {
        for (const m of BIG.modalidades)
          expectedPages += Math.max(1, Math.ceil(expectedIds([uf], [m], from, to).length / 10));
      }
    }
    expect(stats.pages).toBe(expectedPages);
    expect(stats.pagesTotal).toBe(expectedPages);
    expect(stats.requests).toBe(expectedPages);
    expect(pncp.requests).toHaveLength(expectedPages);
    const keys = pncp.requests.map((r) => JSON.stringify(r.params));
    expect(new Set(keys).size).toBe(keys.length); // no page asked twice
    expect(pncp.requests.every((r) => r.params.tamanhoPagina === "10" && r.params.uf !== undefined)).toBe(
      true,
    );
    expect(pncp.requests.filter((r) => r.status === 204).length).toBeGreaterThan(0);

    const lastFirstPage = pncp.requests.map(pageOf).lastIndexOf(1);
    const firstLaterPage = pncp.requests.findIndex((r) => pageOf(r) > 1);
    expect(lastFirstPage).toBeLessThan(firstLaterPage);
    expect(pncp.maxInFlight).toBe(4);

    expect(progress.at(-1)).toEqual({ pagesDone: expectedPages, pagesTotal: expectedPages });
    expect(progress.every((p, i) => i === 0 || p.pagesDone >= progress[i - 1]!.pagesDone)).toBe(true);
    expect(bids.some((b) => b.municipality === "Vitória")).toBe(true); // UTF-8 without a charset header
  });

  it("omits uf for a national search and treats empty slices (204) as pages, not failures", async () => {
    const pncp = await fake();
    const { client } = setup(pncp);
    const { bids, stats } = await client.fetchBids({
      ufs: [],
      modalidades: [6, 5],
      from: "2026-01-01",
      to: "2026-06-30",
      openOnly: false,
    });
    expect(ids(bids)).toEqual(expectedIds([], [6, 5], "2026-01-01", "2026-06-30"));
    expect(pncp.requests.every((r) => !("uf" in r.params))).toBe(true);
    const concorrenciaPresencial = pncp.requests.filter((r) => r.params.codigoModalidadeContratacao === "5");
    expect(concorrenciaPresencial.map((r) => r.status)).toEqual([204]);
    expect(stats.partial).toBe(false);
  });

  it("stops at a 400 past the end when PNCP's page count was too high", async () => {
    const pncp = await fake();
    // PNCP's counts drift while paging; make page 1 announce two pages more than exist.
    const inflating: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes("pagina=1&") && !String(input).endsWith("pagina=1")) return response;
      if (response.status !== 200) return response;
      const body = (await response.json()) as { totalPaginas: number };
      body.totalPaginas += 2;
      return new Response(JSON.stringify(body), { status: 200, headers: response.headers });
    };
    const { client } = setup(pncp, { fetch: inflating });
    const { bids, stats } = await client.fetchBids(MG_2025);
    const expected = expectedIds(["MG"], [6], MG_2025.from, MG_2025.to);
    expect(ids(bids)).toEqual(expected);
    const realPages = Math.ceil(expected.length / 10);
    expect(
      pncp.requests
        .filter((r) => r.status === 400)
        .map(pageOf)
        .sort(),
    ).toEqual([realPages + 1, realPages + 2]);
    expect(stats).toMatchObject({ failed: 0, partial: false, pages: realPages + 2 });
  });

  it("retries 429s with an HTML body, honouring Retry-After (capped) and logging pncp_retry", async () => {
    const pncp = await fake({
      faults: [
        { fault: "rate_limit", times: 2, retryAfter: "1", match: { params: { pagina: "1" } } },
        { fault: "rate_limit", times: 1, retryAfter: "3600", match: { params: { pagina: "3" } } },
      ],
    });
    const { client, retries } = setup(pncp, { retryAfterMaxMs: 2_500 });
    const { bids, stats } = await client.fetchBids(MG_2025);
    expect(ids(bids)).toEqual(expectedIds(["MG"], [6], MG_2025.from, MG_2025.to));
    expect(pncp.requests.filter((r) => r.status === 429)).toHaveLength(3);
    expect(stats).toMatchObject({ retries: 3, failed: 0, partial: false });
    expect(stats.requests).toBe(stats.pages + 3);
    const logged = retries();
    expect(logged.map((l) => [l.status, l.delayMs])).toEqual([
      [429, 1000],
      [429, 1000],
      [429, 2500],
    ]);
    expect(logged[0]).toMatchObject({
      level: 40,
      method: "GET",
      path: "/api/consulta/v1/contratacoes/publicacao",
      attempt: 1,
      params: {
        codigoModalidadeContratacao: "6",
        uf: "MG",
        pagina: "1",
        dataInicial: "20250601",
        dataFinal: "20251231",
      },
    });
  });

  it("survives 500 JDBC, plain-text 500, 504, truncated JSON and connection resets without losing a record", async () => {
    const pncp = await fake({
      faults: [
        { fault: "jdbc_500", times: 2, match: { params: { pagina: "1" } } },
        { fault: "text_500", times: 1, match: { params: { pagina: "2" } } },
        { fault: "gateway_timeout", times: 1, match: { params: { pagina: "3" } } },
        { fault: "truncated", times: 2, match: { params: { pagina: "4" } } },
        { fault: "reset", times: 1, match: { params: { pagina: "5" } } },
      ],
    });
    const { client, retries } = setup(pncp, { breakerFailureThreshold: 10 });
    const { bids, stats } = await client.fetchBids(MG_2025);
    expect(ids(bids)).toEqual(expectedIds(["MG"], [6], MG_2025.from, MG_2025.to));
    expect(stats).toMatchObject({ retries: 7, failed: 0, invalid: 0, duplicates: 0, partial: false });
    const reasons = retries().map((l) => String(l.reason));
    expect(reasons.filter((r) => !r.startsWith("network_")).sort()).toEqual([
      "http_500",
      "http_500",
      "http_500",
      "http_504",
      "invalid_json",
      "invalid_json",
    ]);
    expect(reasons.filter((r) => r.startsWith("network_"))).toHaveLength(1); // the reset
  });

  it("times out a hanging request, retries it, and tolerates slow pages", async () => {
    const pncp = await fake({
      faults: [
        { fault: "hang", times: 1, match: { params: { pagina: "2" } } },
        { fault: "slow", delayMs: 150, match: { params: { pagina: "3" } } },
      ],
    });
    const { client, retries } = setup(pncp, { timeoutMs: 400 });
    const { bids, stats } = await client.fetchBids(MG_2025);
    expect(ids(bids)).toEqual(expectedIds(["MG"], [6], MG_2025.from, MG_2025.to));
    expect(retries().map((l) => l.reason)).toEqual(["timeout"]);
    expect(stats).toMatchObject({ retries: 1, failed: 0, partial: false });
    expect(pncp.requests.filter((r) => r.fault === "hang").map((r) => r.status)).toEqual([0]);
    expect(pncp.requests.filter((r) => r.fault === "slow").map((r) => r.status)).toEqual([200]);
    await expect.poll(() => pncp.inFlight).toBe(0); // the hung request was abandoned, not leaked
  });

  it("caps pages per slice, keeps page 1 plus the newest pages, and says what was cut", async () => {
    const pncp = await fake();
    const { client } = setup(pncp, { maxPagesPerSlice: 3 });
    const { bids, stats } = await client.fetchBids(MG_2025);
    const sorted = FIXTURES.filter((r) =>
      expectedIds(["MG"], [6], MG_2025.from, MG_2025.to).includes(r.numeroControlePNCP),
    ).sort(
      (a, b) =>
        a.dataPublicacaoPncp.localeCompare(b.dataPublicacaoPncp) ||
        a.numeroControlePNCP.localeCompare(b.numeroControlePNCP),
    );
    const totalPages = Math.ceil(sorted.length / 10);
    expect(totalPages).toBeGreaterThan(3);
    const kept = [...sorted.slice(0, 10), ...sorted.slice((totalPages - 2) * 10)]
      .map((r) => r.numeroControlePNCP)
      .sort();
    expect(ids(bids)).toEqual(kept);
    expect(pncp.requests.map(pageOf).sort((a, b) => a - b)).toEqual([1, totalPages - 1, totalPages]);
    expect(stats).toMatchObject({
      truncated: true,
      partial: true,
      failed: 0,
      pages: 3,
      pagesTotal: totalPages,
    });
    expect(stats.issues).toEqual([
      {
        uf: "MG",
        modalidade: 6,
        from: "2025-06-01",
        to: "2025-12-31",
        pages: totalPages - 3,
        reason: "page_cap",
      },
    ]);
  });

  it("returns partial results when one slice fails for good", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500", match: { params: { uf: "ES" } } }] });
    const { client } = setup(pncp, { breakerFailureThreshold: 100 });
    const request: PncpFetchRequest = {
      ufs: ["MG", "ES"],
      modalidades: [6],
      from: "2025-06-01",
      to: "2025-12-31",
      openOnly: false,
    };
    const { bids, stats } = await client.fetchBids(request);
    expect(ids(bids)).toEqual(expectedIds(["MG"], [6], request.from, request.to));
    expect(pncp.requests.filter((r) => r.params.uf === "ES")).toHaveLength(4); // 1 + 3 retries
    expect(stats).toMatchObject({ partial: true, failed: 1, retries: 3 });
    expect(stats.issues).toEqual([
      { uf: "ES", modalidade: 6, from: request.from, to: request.to, pages: 1, reason: "failed" },
    ]);
  });

  it("throws PNCP_UNAVAILABLE when PNCP is down, and the breaker bounds the requests sent", async () => {
    const pncp = await fake({ faults: [{ fault: "jdbc_500" }] });
    const { client } = setup(pncp, { concurrency: 4, breakerFailureThreshold: 5 });
    const national: PncpFetchRequest = {
      ufs: ["MG", "ES", "SP", "RJ", "BA"],
      modalidades: [6, 4, 8],
      from: "2026-01-01",
      to: "2026-06-30",
      openOnly: false,
    };
    const error = await client.fetchBids(national).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("PNCP_UNAVAILABLE");
    // Without a breaker: 15 slices × 4 attempts = 60. With it: the threshold plus what was already in flight.
    expect(pncp.requests.length).toBeGreaterThanOrEqual(5);
    expect(pncp.requests.length).toBeLessThanOrEqual(5 + 4 - 1);

    // While open, the next search fails fast without touching PNCP.
    const before = pncp.requests.length;
    await expect(client.fetchBids(MG_2025)).rejects.toMatchObject({ code: "PNCP_UNAVAILABLE" });
    expect(pncp.requests.length).toBe(before);
  });

  it("reports circuit_open for the pages it stopped asking for, then recovers after the cooldown", async () => {
    const pncp = await fake({ latencyMs: 5 });
    const { client, clock } = setup(pncp, {
      concurrency: 2,
      breakerFailureThreshold: 3,
      breakerCooldownMs: 60_000,
      maxRetries: 0,
    });
    // Page 1 works; every later page of the slice fails.
    pncp.setFaults([{ fault: "gateway_timeout", match: (r) => r.params.pagina !== "1" }]);
    const { stats } = await client.fetchBids(MG_2025);
    expect(stats.partial).toBe(true);
    expect(stats.issues.map((i) => i.reason).sort()).toEqual(["circuit_open", "failed"]);
    const lostPages = stats.issues.reduce((sum, i) => sum + i.pages, 0);
    expect(lostPages).toBe(stats.failed);
    expect(stats.pages + stats.failed).toBe(stats.pagesTotal);
    expect(pncp.requests.length).toBeLessThanOrEqual(1 + 3 + 1);

    pncp.setFaults([]);
    clock.advance(60_000);
    const { bids, stats: healthy } = await client.fetchBids(MG_2025);
    expect(ids(bids)).toEqual(expectedIds(["MG"], [6], MG_2025.from, MG_2025.to));
    expect(healthy.partial).toBe(false);
  });

  it("gives up on PNCP that only hangs, within the breaker's bound", async () => {
    const pncp = await fake({ faults: [{ fault: "hang" }] });
    const { client } = setup(pncp, { timeoutMs: 100, concurrency: 3, breakerFailureThreshold: 3 });
    await expect(client.fetchBids({ ...MG_2025, modalidades: [6, 4, 8, 5] })).rejects.toMatchObject({
      code: "PNCP_UNAVAILABLE",
    });
    expect(pncp.requests.length).toBeLessThanOrEqual(3 + 3 - 1);
    await expect.poll(() => pncp.inFlight).toBe(0);
  });

  it("never exceeds the global concurrency limit, even across concurrent searches, under faults", async () => {
    const request: PncpFetchRequest = {
      ufs: ["SP", "RJ", "PR", "SC", "RS"],
      modalidades: [6, 8],
      from: "2026-08-01",
      to: "2026-08-10",
      openOnly: false,
    };
    const records = syntheticRecords({
      count: 1_200,
      ufs: request.ufs,
      modalidades: request.modalidades,
      from: request.from,
      to: request.to,
    });
    let n = 0;
    const pncp = await fake({
      records,
      latencyMs: 15,
      faults: [{ fault: "jdbc_500", match: () => ++n % 7 === 0 }],
    });
    const { client } = setup(pncp, { concurrency: 5, breakerFailureThreshold: 50 });
    const [a, b] = await Promise.all([
      client.fetchBids(request),
      client.fetchBids({ ...request, ufs: ["SP"] }),
    ]);
    expect(pncp.maxInFlight).toBe(5);
    expect(ids(a.bids)).toEqual(records.map((r) => r.numeroControlePNCP).sort());
    expect(ids(b.bids)).toEqual(
      records
        .filter((r) => r.unidadeOrgao.ufSigla === "SP")
        .map((r) => r.numeroControlePNCP)
        .sort(),
    );
    expect(a.stats).toMatchObject({ fetched: 1_200, duplicates: 0, failed: 0, partial: false });
    expect(a.stats.retries + b.stats.retries).toBe(pncp.requests.filter((r) => r.status === 500).length);
  });

  it("drops malformed records and duplicates, counting both", async () => {
    const records = FIXTURES.filter((r) => r.unidadeOrgao.ufSigla === "ES");
    const broken = structuredClone(records.slice(0, 2));
    delete (broken[0] as Partial<FixtureRecord>).orgaoEntidade;
    broken[0]!.numeroControlePNCP = "27142058000126-1-999998/2025";
    broken[1]!.numeroControlePNCP = "27142058000126-1-999999/2025";
    broken[1]!.valorTotalEstimado = "R$ 10,00";
    const duplicate = structuredClone(records[5]!);
    const pncp = await fake({ records: [...records, ...broken, duplicate] });
    const { client } = setup(pncp);
    const request: PncpFetchRequest = {
      ufs: ["ES"],
      modalidades: [6],
      from: "2025-06-01",
      to: "2026-06-30",
      openOnly: false,
    };
    const { bids, stats } = await client.fetchBids(request);
    const valid = records.filter((r) => day(r) >= request.from && day(r) <= request.to);
    expect(ids(bids)).toEqual(valid.map((r) => r.numeroControlePNCP).sort());
    const inWindow = [...broken, duplicate].filter(
      (r) => day(r) >= request.from && day(r) <= request.to,
    ).length;
    expect(inWindow).toBe(3);
    expect(stats).toMatchObject({ fetched: valid.length + 3, invalid: 2, duplicates: 1, partial: false });
  });

  it("openOnly asks /proposta with dataFinal only and returns bids still open", async () => {
    const pncp = await fake();
    const { client } = setup(pncp);
    const { bids } = await client.fetchBids({
      ufs: ["SP"],
      modalidades: [6],
      from: "2026-09-14",
      to: "2026-09-21",
      openOnly: true,
    });
    expect(pncp.requests).toHaveLength(1);
    const [req] = pncp.requests;
    expect(req!.path).toBe("/api/consulta/v1/contratacoes/proposta");
    expect(req!.params).not.toHaveProperty("dataInicial");
    expect(req!.params.dataFinal).toBe("20270320"); // today + 180 days: `to` was not in the future
    const open = FIXTURES.filter(
      (r) =>
        r.unidadeOrgao.ufSigla === "SP" &&
        r.modalidadeId === 6 &&
        (r.dataEncerramentoProposta ?? "") > "2026-09-21T17:25:00",
    ).map((r) => r.numeroControlePNCP);
    expect(open).toContain("44935278000126-1-000343/2025");
    expect(ids(bids)).toEqual(open.sort());
    expect(bids.every((b) => b.status === "recebendo_propostas")).toBe(true);
  });

  it("rejects an invalid request before sending anything", async () => {
    const pncp = await fake();
    const { client } = setup(pncp);
    await expect(
      client.fetchBids({ ...MG_2025, from: "2026-01-02", to: "2026-01-01" }),
    ).rejects.toMatchObject({ code: "INVALID_QUERY" });
    await expect(client.fetchBids({ ...MG_2025, modalidades: [] })).rejects.toMatchObject({
      code: "INVALID_QUERY",
    });
    expect(pncp.requests).toHaveLength(0);
  });

  it("honours the caller's AbortSignal", async () => {
    const pncp = await fake({ faults: [{ fault: "hang" }] });
    const { client } = setup(pncp, { timeoutMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    const pending = client.fetchBids(BIG, { signal: controller.signal });
    await expect.poll(() => pncp.requests.length).toBeGreaterThan(0);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect.poll(() => pncp.inFlight).toBe(0);
  });
});

describe("HttpPncpClient.fetchWindowPage (the sync's page access)", () => {
  it("asks one national page of a day window and keeps the raw record and its update instant", async () => {
    const pncp = await fake();
    const { client } = setup(pncp);
    const when = "2026-06-02";
    const expected = FIXTURES.filter((r) => r.modalidadeId === 6 && day(r) === when);
    expect(expected.length).toBeGreaterThan(10);
    const page = await client.fetchWindowPage({
      endpoint: "publicacao",
      from: when,
      to: when,
      modalidade: 6,
      page: 2,
    });
    expect(pncp.requests[0]!.path).toBe("/api/consulta/v1/contratacoes/publicacao");
    expect(pncp.requests[0]!.params).toEqual({
      dataInicial: "20260602",
      dataFinal: "20260602",
      codigoModalidadeContratacao: "6",
      tamanhoPagina: "10",
      pagina: "2",
    });
    expect(page.totalPages).toBe(Math.ceil(expected.length / 10));
    expect(page.records.map((r) => r.bid.id)).toEqual(
      [...expected]
        .sort((a, b) =>
          `${a.dataPublicacaoPncp}|${a.numeroControlePNCP}`.localeCompare(
            `${b.dataPublicacaoPncp}|${b.numeroControlePNCP}`,
          ),
        )
        .slice(10, 20)
        .map((r) => r.numeroControlePNCP),
    );
    const first = page.records[0]!;
    const raw = expected.find((r) => r.numeroControlePNCP === first.bid.id)!;
    expect(first.raw).toEqual(raw);
    const local = String(raw.dataAtualizacaoGlobal ?? raw.dataAtualizacao);
    expect(first.pncpUpdatedAt).toBe(new Date(`${local}-03:00`).toISOString());
    expect(page).toMatchObject({ received: expected.length - 10, invalid: 0, requests: 1, retries: 0 });
  });

  it("reads /atualizacao by update date; an empty window is 0 pages; a lost page throws PNCP_UNAVAILABLE", async () => {
    const records = loadFixtureRecords().slice(0, 30);
    for (const [i, r] of records.entries()) {
      r.modalidadeId = 8;
      r.dataAtualizacaoGlobal = i < 12 ? "2026-09-20T10:00:00" : "2026-01-01T10:00:00";
    }
    const pncp = await fake({ records });
    const { client } = setup(pncp, { maxRetries: 1 });
    const updates = await client.fetchWindowPage({
      endpoint: "atualizacao",
      from: "2026-09-20",
      to: "2026-09-21",
      modalidade: 8,
      page: 1,
    });
    expect(pncp.requests[0]!.path).toBe("/api/consulta/v1/contratacoes/atualizacao");
    expect(updates.totalPages).toBe(2);
    expect(updates.records.every((r) => r.pncpUpdatedAt === "2026-09-20T13:00:00.000Z")).toBe(true);
    const empty = await client.fetchWindowPage({
      endpoint: "publicacao",
      from: "2026-09-21",
      to: "2026-09-21",
      modalidade: 13,
      page: 1,
    });
    expect(empty).toMatchObject({ totalPages: 0, records: [] });
    pncp.setFaults([{ fault: "jdbc_500" }]);
    await expect(
      client.fetchWindowPage({
        endpoint: "publicacao",
        from: "2026-09-17",
        to: "2026-09-17",
        modalidade: 6,
        page: 1,
      }),
    ).rejects.toMatchObject({ code: "PNCP_UNAVAILABLE" });
  });

  it("a sync page is not given up for throttling alone (429s cost no retry), a search's page is", async () => {
    const pncp = await fake();
    const { client } = setup(pncp, { maxRetries: 2 });
    const request = {
      endpoint: "publicacao",
      from: "2026-06-02",
      to: "2026-06-02",
      modalidade: 6,
      page: 1,
    } as const;
    pncp.setFaults([{ fault: "rate_limit", times: 6, retryAfter: "0" }]);
    const page = await client.fetchWindowPage(request);
    expect(page).toMatchObject({ requests: 7, retries: 6 });
    expect(page.records.length).toBeGreaterThan(0);
    pncp.setFaults([{ fault: "rate_limit", times: 6, retryAfter: "0" }]);
    await expect(client.fetchWindowPage(request, { priority: "interactive" })).rejects.toMatchObject({
      code: "PNCP_UNAVAILABLE",
    });
    pncp.setFaults([{ fault: "jdbc_500", times: 3 }]);
    await expect(client.fetchWindowPage(request)).rejects.toMatchObject({ code: "PNCP_UNAVAILABLE" });
  });

  it("shares one budget with live searches (never above the ceiling together) and lets searches go first", async () => {
    const records = syntheticRecords({
      count: 600,
      ufs: ["SP", "RJ"],
      modalidades: [6],
      from: "2026-08-01",
      to: "2026-08-03",
    });
    const pncp = await fake({ records, latencyMs: 15 });
    const { client } = setup(pncp, { concurrency: 3, initialConcurrency: 3 });
    // A backlog of sync pages, queued before the search starts.
    const sync = Array.from({ length: 30 }, (_, i) =>
      client.fetchWindowPage({
        endpoint: "publicacao",
        from: "2026-08-01",
        to: "2026-08-03",
        modalidade: 6,
        page: (i % 6) + 1,
      }),
    );
    await expect.poll(() => pncp.requests.length).toBeGreaterThan(0);
    const search = client.fetchBids({
      ufs: ["SP"],
      modalidades: [6],
      from: "2026-08-01",
      to: "2026-08-03",
      openOnly: false,
    });
    const { stats } = await search;
    const syncDoneWhenSearchEnded = pncp.requests.filter((r) => !r.params.uf).length;
    await Promise.all(sync);
    expect(pncp.maxInFlight).toBeLessThanOrEqual(3);
    expect(stats.failed).toBe(0);
    // The search's pages jumped the sync's queue: most sync pages were still waiting when it finished.
    expect(syncDoneWhenSearchEnded).toBeLessThan(30);
  });
});

describe("HttpPncpClient under throttling (guards the docs' promises)", () => {
  it("a 429 pauses every NEW attempt of the process, not only the retried page", async () => {
    const pncp = await fake({
      faults: [
        { fault: "rate_limit", times: 1, retryAfter: "2", match: { params: { uf: "MG", pagina: "1" } } },
      ],
    });
    const clock = new FixedClock(NOW);
    const sent: { uf: string | null; at: number }[] = [];
    let throttledAt: number | null = null;
    let sentBeforeThrottle = 0;
    const { client } = setup(pncp, {
      concurrency: 1,
      initialConcurrency: 1,
      clock,
      // The retried page's wait moves the clock only after a few real ms: a request of another slice that
      // ignored the pause would be sent (and stamped) before that.
      sleep: async (ms, signal) => {
        await realSleep(5, signal);
        clock.advance(ms);
      },
      fetch: async (input, init) => {
        const url = new URL(String(input));
        sent.push({ uf: url.searchParams.get("uf"), at: clock.now().getTime() });
        const response = await fetch(input, init);
        if (response.status === 429) {
          throttledAt = clock.now().getTime();
          sentBeforeThrottle = sent.length;
        }
        return response;
      },
    });
    const { stats } = await client.fetchBids({ ...MG_2025, ufs: ["MG", "SP"] });
    expect(stats).toMatchObject({ retries: 1, failed: 0, partial: false });
    expect(throttledAt).not.toBeNull();
    // Everything sent once the 429 came back: the other slice's pages and the retry alike wait it out.
    const after = sent.slice(sentBeforeThrottle);
    expect(after.length).toBeGreaterThan(1);
    expect(after.some((r) => r.uf === "SP")).toBe(true);
    for (const request of after) expect(request.at).toBeGreaterThanOrEqual(throttledAt! + 2_000);
  });

  it("a burst of 429s does not open the circuit breaker: the search still gets every bid", async () => {
    const pncp = await fake({ faults: [{ fault: "rate_limit", times: 8, retryAfter: "0" }] });
    const { client } = setup(pncp, { breakerFailureThreshold: 3, maxRetries: 12 });
    const { bids, stats } = await client.fetchBids(MG_2025);
    expect(pncp.requests.filter((r) => r.status === 429)).toHaveLength(8);
    expect(ids(bids)).toEqual(expectedIds(["MG"], [6], MG_2025.from, MG_2025.to));
    expect(stats).toMatchObject({ failed: 0, partial: false });
    expect(stats.issues).toEqual([]);
  });
});

describe("fake PNCP (what the other suites rely on)", () => {
  it("answers like PNCP: real 400 body, 422 windows, 204 empty, real envelope", async () => {
    const pncp = await fake();
    const get = (query: string) => fetch(`${pncp.url}/v1/contratacoes/publicacao?${query}`);
    const missing = await get("dataInicial=20260915&dataFinal=20260921&uf=SP&pagina=1&tamanhoPagina=10");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      status: 400,
      message:
        "Required request parameter 'codigoModalidadeContratacao' for method parameter type Long is not present",
    });
    expect(
      (await get("dataInicial=20250101&dataFinal=20260101&codigoModalidadeContratacao=6&pagina=1")).status,
    ).toBe(422);
    expect(
      (await get("dataInicial=20260922&dataFinal=20260921&codigoModalidadeContratacao=6&pagina=1")).status,
    ).toBe(422);
    const empty = await get(
      "dataInicial=20260922&dataFinal=20260922&codigoModalidadeContratacao=6&uf=SP&pagina=1",
    );
    expect([empty.status, empty.headers.get("content-type"), await empty.text()]).toEqual([
      204,
      "application/json",
      "",
    ]);
    const page = await get(
      "dataInicial=20260917&dataFinal=20260917&codigoModalidadeContratacao=4&uf=SP&pagina=1&tamanhoPagina=10",
    );
    const body = (await page.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      totalRegistros: 10,
      totalPaginas: 1,
      numeroPagina: 1,
      paginasRestantes: 0,
      empty: false,
    });
    expect(
      (
        await get(
          "dataInicial=20260917&dataFinal=20260917&codigoModalidadeContratacao=4&uf=SP&pagina=2&tamanhoPagina=10",
        )
      ).status,
    ).toBe(400);
    const throttled = await fake({ faults: [{ fault: "rate_limit", retryAfter: "7" }] });
    const limited = await fetch(`${throttled.url}/v1/contratacoes/publicacao?pagina=1`);
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
    expect(await limited.text()).toContain("<title>Limite de Requisições Excedido</title>");
  });
});
