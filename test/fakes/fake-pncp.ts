/**
 * Loopback fake of PNCP's consulta API (`node:http`, port 0) serving the REAL fixture records with the
 * real envelope and paging, plus fault injection. Shared by every test that needs PNCP.
 *
 *   const pncp = await startFakePncp({ now: "2026-09-21T17:25:00-03:00" });
 *   const client = new HttpPncpClient({ baseUrl: pncp.url });     // url ends in /api/consulta
 *   pncp.setFaults([{ fault: "rate_limit", times: 2, retryAfter: "1" }]);
 *   … pncp.requests (path, params, status, fault, at), pncp.maxInFlight …
 *   await pncp.close();
 *
 * Endpoints: GET /api/consulta/v1/contratacoes/publicacao (dataInicial, dataFinal yyyyMMdd inclusive on
 * dataPublicacaoPncp), /atualizacao (the same on dataAtualizacaoGlobal, else dataAtualizacao, sorted by it)
 * and /proposta (open at `now`, closing on or before dataFinal); all filter by
 * codigoModalidadeContratacao (required: 400 with the real Spring body), uf (omitted = national), cnpj,
 * codigoMunicipioIbge; paging by pagina / tamanhoPagina (10–50, default 50), sorted by publication
 * ascending like PNCP. `replaceRecords(next)` swaps the data set (records changing between sync rounds).
 * No records → 204, empty body, content-type application/json. Page past the end → 400. Window over
 * 365 days or reversed → 422.
 *
 * Faults (`FaultRule`, first matching rule with uses left wins; `times` limits uses):
 * rate_limit (429 + HTML, optional Retry-After) · jdbc_500 (500 JSON "Failed to obtain JDBC Connection")
 * · text_500 (500 plain text, still labelled JSON like the real one) · gateway_timeout (504 HTML) ·
 * truncated (200 with half the JSON) · hang (never answers) · reset (socket destroyed) · slow (answers
 * normally after `delayMs`). `latencyMs` delays every answer (benchmarks). `rateLimitAbove: n` answers
 * 429 at once (like PNCP's gateway, ~50 ms) to a request arriving while n are already being answered.
 *
 * Exports: `startFakePncp(options)`, `answerFor(...)` (the fault-free answer, pure), and from
 * fake-pncp-records.ts `loadFixtureRecords()` / `syntheticRecords(spec)` to compute expectations.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FixtureRecord,
  loadFixtureRecords,
  readFixture,
  type SyntheticSpec,
  syntheticRecords,
} from "./fake-pncp-records.ts";

export {
  type FixtureRecord,
  loadFixtureRecords,
  type SyntheticSpec,
  syntheticRecords,
} from "./fake-pncp-records.ts";

/** Injectable failure modes (see the file comment). */
export type FaultKind =
  | "rate_limit"
  | "jdbc_500"
  | "text_500"
  | "gateway_timeout"
  | "truncated"
  | "hang"
  | "reset"
  | "slow";

/** One request as the fake saw it. `status` is 0 for hang/reset. `at` = ms since the fake started. */
export interface RecordedRequest {
  path: string;
  params: Record<string, string>;
  status: number;
  fault: FaultKind | null;
  at: number;
}

/** Which requests a rule hits: `path` is a suffix ("proposta"), every given param must be equal. */
export type RequestMatcher =
  | { path?: string; params?: Record<string, string> }
  | ((request: RecordedRequest) => boolean);

/** A fault for the matching requests, for the first `times` of them (default: all). */
export interface FaultRule {
  fault: FaultKind;
  match?: RequestMatcher;
  times?: number;
  /** rate_limit: `Retry-After` header value (seconds or HTTP-date). */
  retryAfter?: string;
  /** slow: extra delay before a normal answer. */
  delayMs?: number;
}

/** Options of `startFakePncp`. */
export interface FakePncpOptions {
  /** Records served; default the real fixtures. Read as given: do not mutate them after start. */
  records?: FixtureRecord[];
  /** Serve synthetic volume cloned from the fixtures instead (ignored when `records` is given). */
  synthetic?: SyntheticSpec;
  /** Delay before every answer, ms. */
  latencyMs?: number;
  /** "Now" for /proposta (what is still open). Default: the real now. */
  now?: Date | string;
  faults?: FaultRule[];
  /** Port to listen on (default 0 = any free port). */
  port?: number;
  /** A request arriving while this many are in flight gets an immediate 429 (the gateway's allowance). */
  rateLimitAbove?: number;
  /** `Retry-After` sent with `rateLimitAbove` 429s (default none, as PNCP's gateway). */
  rateLimitRetryAfter?: string;
}

/** A running fake. */
export interface FakePncp {
  /** Base URL to give the client, e.g. `http://127.0.0.1:41234/api/consulta`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** The records served (the current set after `replaceRecords`). */
  readonly records: readonly FixtureRecord[];
  /** Serves `next` from now on (the old array is left as it was). */
  replaceRecords(next: FixtureRecord[]): void;
  /** Changes the `rateLimitAbove` allowance (undefined = none). */
  setRateLimitAbove(limit: number | undefined): void;
  /** Requests being answered right now / the most ever at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Replaces the fault rules (uses restart). */
  setFaults(rules: FaultRule[]): void;
  /** Changes the per-answer latency. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

const BASE_PATH = "/api/consulta";
const RATE_LIMIT_HTML = `<html>\n<head>\n    <meta charset="UTF-8">\n    <title>Limite de Requisições Excedido</title>\n</head>\n<body>\n    <h2>Limite de requisições excedido</h2>\n\n    <p>Você excedeu o limite de requisições permitidas. Tente novamente mais tarde.</p>\n</body>\n</html>\n`;
const GATEWAY_TIMEOUT_HTML =
  "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>\n";
const JDBC_MESSAGE =
  "Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.";

function springError(status: number, error: string, message: string, path: string): Answer {
  const body = {
    timestamp: new Date().toISOString().replace("Z", "+00:00"),
    status,
    error,
    message,
    path: `/pncp-consulta${path}`,
  };
  return { status, body: JSON.stringify(body), contentType: "application/json" };
}

/** The real 400 body recorded when `codigoModalidadeContratacao` is missing, with this request's path. */
function missingModalidade(path: string): Answer {
  const real = readFixture<Record<string, unknown>>("error-400-missing-codigoModalidadeContratacao.json");
  return {
    status: 400,
    body: JSON.stringify({ ...real, path: `/pncp-consulta${path}` }),
    contentType: "application/json",
  };
}

function brasiliaLocal(instant: Date): string {
  return new Date(instant.getTime() - 3 * 3_600_000).toISOString().slice(0, 19);
}

function yyyymmdd(local: string | null | undefined): string {
  return (local ?? "").slice(0, 10).replaceAll("-", "");
}

/** Publication time, then id; tolerant of the malformed records tests inject. */
function sortKey(record: FixtureRecord): string {
  return `${String(record.dataPublicacaoPncp ?? "")}|${String(record.numeroControlePNCP ?? "")}`;
}

function daysBetween(a: string, b: string): number {
  const parse = (s: string) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8));
  return Math.round((parse(b) - parse(a)) / 86_400_000);
}

/**
 * Records a query selects, sorted like PNCP (publication ascending). Memoized per record set and query so
 * the fake's own CPU (it shares the process with the client under test) stays out of benchmark timings.
 */
const selections = new WeakMap<readonly FixtureRecord[], Map<string, FixtureRecord[]>>();

/** `dataAtualizacaoGlobal`, else `dataAtualizacao`, else the publication: what `/atualizacao` filters on. */
export function updatedLocal(record: FixtureRecord): string {
  const value = record.dataAtualizacaoGlobal ?? record.dataAtualizacao ?? record.dataPublicacaoPncp;
  return typeof value === "string" ? value : "";
}

function matchingRecords(
  kind: "publicacao" | "proposta" | "atualizacao",
  params: Record<string, string>,
  records: readonly FixtureRecord[],
  now: Date,
): FixtureRecord[] {
  const nowLocal = brasiliaLocal(now);
  const { pagina: _page, tamanhoPagina: _size, ...filters } = params;
  const key = JSON.stringify([kind, kind === "proposta" ? nowLocal : "", filters]);
  let cache = selections.get(records);
  if (!cache) {
    cache = new Map();
    selections.set(records, cache);
  }
  const cached = cache.get(key);
  if (cached) return cached;
  const matching = records
    .filter((r) => String(r.modalidadeId) === params.codigoModalidadeContratacao)
    .filter((r) => !params.uf || r.unidadeOrgao?.ufSigla === params.uf)
    .filter((r) => !params.cnpj || r.orgaoEntidade?.cnpj === params.cnpj)
    .filter((r) => !params.codigoMunicipioIbge || r.unidadeOrgao?.codigoIbge === params.codigoMunicipioIbge)
    .filter((r) => {
      if (kind === "proposta") {
        const close = r.dataEncerramentoProposta;
        return !!close && close > nowLocal && yyyymmdd(close) <= params.dataFinal!;
      }
      const day = yyyymmdd(kind === "atualizacao" ? updatedLocal(r) : r.dataPublicacaoPncp);
      return day >= params.dataInicial! && day <= params.dataFinal!;
    })
    .sort((a, b) =>
      kind === "atualizacao"
        ? `${updatedLocal(a)}|${sortKey(a)}`.localeCompare(`${updatedLocal(b)}|${sortKey(b)}`)
        : sortKey(a).localeCompare(sortKey(b)),
    );
  cache.set(key, matching);
  return matching;
}

/** The answer PNCP would give without faults. Exported for tests of the fake itself. */
export function answerFor(
  path: string,
  params: Record<string, string>,
  records: readonly FixtureRecord[],
  now: Date,
): Answer {
  const endpoint = path.startsWith(BASE_PATH) ? path.slice(BASE_PATH.length) : path;
  const kind =
    endpoint === "/v1/contratacoes/publicacao"
      ? "publicacao"
      : endpoint === "/v1/contratacoes/proposta"
        ? "proposta"
        : endpoint === "/v1/contratacoes/atualizacao"
          ? "atualizacao"
          : null;
  if (!kind) return springError(404, "Not Found", "No static resource.", endpoint);
  const required = kind === "proposta" ? ["dataFinal", "pagina"] : ["dataInicial", "dataFinal", "pagina"];
  if (!params.codigoModalidadeContratacao) return missingModalidade(endpoint);
  for (const name of required) {
    if (!params[name]) {
      return springError(
        400,
        "Bad Request",
        `Required request parameter '${name}' for method parameter type String is not present`,
        endpoint,
      );
    }
  }
  const dates = [params.dataInicial, params.dataFinal].filter((d): d is string => d !== undefined);
  if (dates.some((d) => !/^\d{8}$/.test(d)))
    return springError(400, "Bad Request", "Data inválida.", endpoint);
  if (kind !== "proposta") {
    const span = daysBetween(params.dataInicial!, params.dataFinal!);
    if (span < 0)
      return springError(
        422,
        "Unprocessable Entity",
        "Data Inicial deve ser anterior ou igual à Data Final",
        endpoint,
      );
    if (span + 1 > 365)
      return springError(
        422,
        "Unprocessable Entity",
        "Período inicial e final maior que 365 dias.",
        endpoint,
      );
  }
  const page = Number(params.pagina);
  const size = params.tamanhoPagina === undefined ? 50 : Number(params.tamanhoPagina);
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 10 || size > 50) {
    return springError(400, "Bad Request", "Parâmetros de paginação inválidos.", endpoint);
  }

  const matching = matchingRecords(kind, params, records, now);
  if (matching.length === 0) return { status: 204, body: "", contentType: "application/json" };
  const totalPaginas = Math.ceil(matching.length / size);
  if (page > totalPaginas) {
    // PNCP's exact message for this case was not recorded; the status is what clients rely on.
    return springError(400, "Bad Request", `Número de página inválido: ${page}.`, endpoint);
  }
  const envelope = {
    data: matching.slice((page - 1) * size, page * size),
    totalRegistros: matching.length,
    totalPaginas,
    numeroPagina: page,
    paginasRestantes: totalPaginas - page,
    empty: false,
  };
  return { status: 200, body: JSON.stringify(envelope), contentType: "application/json" };
}

function faultAnswer(rule: FaultRule, normal: Answer): Answer {
  switch (rule.fault) {
    case "rate_limit":
      return {
        status: 429,
        body: RATE_LIMIT_HTML,
        contentType: "text/html",
        headers: rule.retryAfter ? { "retry-after": rule.retryAfter } : {},
      };
    case "jdbc_500": {
      const body = {
        timestamp: new Date().toISOString().replace("Z", "+00:00"),
        status: 500,
        error: "Internal Server Error",
        message: JDBC_MESSAGE,
        path: "/pncp-consulta/v1/contratacoes/publicacao",
      };
      return { status: 500, body: JSON.stringify(body), contentType: "application/json" };
    }
    case "text_500":
      return {
        status: 500,
        body: "Erro na comunicação com o banco de dados.",
        contentType: "application/json",
      };
    case "gateway_timeout":
      return { status: 504, body: GATEWAY_TIMEOUT_HTML, contentType: "text/html" };
    case "truncated": {
      const full =
        normal.status === 200 ? normal.body : JSON.stringify({ data: loadFixtureRecords().slice(0, 3) });
      return {
        status: 200,
        body: full.slice(0, Math.floor(full.length / 2)),
        contentType: "application/json",
      };
    }
    default:
      return normal;
  }
}

function matches(matcher: RequestMatcher | undefined, request: RecordedRequest): boolean {
  if (!matcher) return true;
  if (typeof matcher === "function") return matcher(request);
  if (matcher.path && !request.path.endsWith(matcher.path)) return false;
  return Object.entries(matcher.params ?? {}).every(([key, value]) => request.params[key] === value);
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakePncp(options: FakePncpOptions = {}): Promise<FakePncp> {
  let records: readonly FixtureRecord[] =
    options.records ?? (options.synthetic ? syntheticRecords(options.synthetic) : loadFixtureRecords());
  let rateLimitAbove = options.rateLimitAbove;
  const now = options.now === undefined ? null : new Date(options.now);
  const startedAt = performance.now();
  const requests: RecordedRequest[] = [];
  let rules: { rule: FaultRule; left: number }[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const setFaults = (next: FaultRule[]) => {
    rules = next.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
  };
  setFaults(options.faults ?? []);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const overAllowance = rateLimitAbove !== undefined && inFlight >= rateLimitAbove;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Done when the answer is sent (what a gateway counts), or when the socket dies first (hang, reset).
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on("finish", done);
    res.on("close", done);
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded: RecordedRequest = {
      path: url.pathname,
      params: Object.fromEntries(url.searchParams),
      status: 0,
      fault: null,
      at: Math.round(performance.now() - startedAt),
    };
    requests.push(recorded);
    let hit = rules.find((r) => r.left > 0 && matches(r.rule.match, recorded));
    if (hit) {
      hit.left--;
      recorded.fault = hit.rule.fault;
    }
    if (overAllowance && !hit) {
      hit = { rule: { fault: "rate_limit", retryAfter: options.rateLimitRetryAfter }, left: 0 };
      recorded.fault = "rate_limit";
      const answer = faultAnswer(hit.rule, { status: 0, body: "", contentType: "" });
      recorded.status = answer.status;
      res.writeHead(answer.status, { "content-type": answer.contentType, ...answer.headers });
      return void res.end(answer.body);
    }
    if (hit?.rule.fault === "reset") return void req.socket.destroy();
    if (hit?.rule.fault === "hang") return; // the socket stays open until the client gives up
    const delay = latencyMs + (hit?.rule.fault === "slow" ? (hit.rule.delayMs ?? 0) : 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    const normal = answerFor(url.pathname, recorded.params, records, now ?? new Date());
    const answer = hit ? faultAnswer(hit.rule, normal) : normal;
    recorded.status = answer.status;
    const body = Buffer.from(answer.body, "utf8");
    res.writeHead(answer.status, {
      "content-type": answer.contentType,
      "content-length": String(body.length),
      "access-control-allow-origin": "*",
      "cache-control": "no-cache, no-store, max-age=0, must-revalidate",
      ...answer.headers,
    });
    res.end(body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    requests,
    get records() {
      return records;
    },
    replaceRecords(next: FixtureRecord[]) {
      records = next;
    },
    setRateLimitAbove(limit: number | undefined) {
      rateLimitAbove = limit;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    setFaults,
    setLatency(ms: number) {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
