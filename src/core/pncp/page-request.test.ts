import { describe, expect, it } from "vitest";
import { requestPage } from "./page-request.ts";

const url = new URL("http://pncp.test/api/consulta/v1/contratacoes/publicacao?pagina=1");

function stub(response: () => Response): typeof fetch {
  return (async () => response()) as typeof fetch;
}

const run = (response: () => Response, page = 1) =>
  requestPage({ fetch: stub(response), url, page, pageSize: 10, timeoutMs: 1000 });

describe("requestPage", () => {
  it("treats 204 with a JSON content type and no body as an empty page", async () => {
    const outcome = await run(
      () => new Response(null, { status: 204, headers: { "content-type": "application/json" } }),
    );
    expect(outcome).toEqual({ kind: "empty", status: 204 });
  });

  it("treats 400 past the first page as the end, but 400 on page 1 as fatal", async () => {
    const bad = () =>
      new Response('{"status":400}', { status: 400, headers: { "content-type": "application/json" } });
    expect(await run(bad, 3)).toEqual({ kind: "empty", status: 400 });
    expect(await run(bad, 1)).toMatchObject({ kind: "fatal", status: 400 });
  });

  it("decodes the body as UTF-8 even when the header claims Latin-1", async () => {
    const body = JSON.stringify({
      data: [{ municipioNome: "São José do Rio Preto – Educação" }],
      totalPaginas: 1,
    });
    const outcome = await run(
      () =>
        new Response(new TextEncoder().encode(body), {
          headers: { "content-type": "application/json; charset=iso-8859-1" },
        }),
    );
    expect(outcome).toEqual({
      kind: "ok",
      status: 200,
      totalPages: 1,
      records: [{ municipioNome: "São José do Rio Preto – Educação" }],
    });
  });

  it("derives the page count from totalRegistros when totalPaginas is absent", async () => {
    const outcome = await run(() => new Response(JSON.stringify({ data: [], totalRegistros: 38 })));
    expect(outcome).toMatchObject({ kind: "ok", totalPages: 4 });
  });

  it("asks for a retry on truncated JSON, an empty 200 and a non-envelope body", async () => {
    expect(await run(() => new Response('{"data":[{"numeroControlePNCP":"1'))).toMatchObject({
      kind: "retryable",
      reason: "invalid_json",
    });
    expect(await run(() => new Response(""))).toMatchObject({ kind: "retryable", reason: "empty_body" });
    expect(await run(() => new Response('{"data":"nope"}'))).toMatchObject({
      kind: "retryable",
      reason: "invalid_envelope",
    });
  });

  it("classifies 429 with an HTML body by status and passes Retry-After on", async () => {
    const outcome = await run(
      () =>
        new Response("<html><title>Limite de Requisições Excedido</title></html>", {
          status: 429,
          headers: { "content-type": "text/html", "retry-after": "5" },
        }),
    );
    expect(outcome).toEqual({ kind: "retryable", status: 429, reason: "http_429", retryAfter: "5" });
  });

  it("turns network errors and its own timeout into retryable outcomes", async () => {
    const refused = (async () => {
      throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    }) as typeof fetch;
    expect(await requestPage({ fetch: refused, url, page: 1, pageSize: 10, timeoutMs: 1000 })).toMatchObject({
      kind: "retryable",
      reason: "network_ECONNRESET",
    });
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      )) as typeof fetch;
    expect(await requestPage({ fetch: hanging, url, page: 1, pageSize: 10, timeoutMs: 20 })).toMatchObject({
      kind: "retryable",
      reason: "timeout",
    });
  });

  it("rethrows the caller's abort instead of retrying", async () => {
    const controller = new AbortController();
    const hanging = ((_: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      )) as typeof fetch;
    const pending = requestPage({
      fetch: hanging,
      url,
      page: 1,
      pageSize: 10,
      timeoutMs: 5000,
      signal: controller.signal,
    });
    controller.abort(new Error("user cancelled"));
    await expect(pending).rejects.toThrow("user cancelled");
  });
});
