import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";

/** The SQL functions `SupabaseStore` calls; the fake refuses any other name (like an unexposed function). */
export const STORE_RPC_FUNCTIONS = [
  "resolve_identity",
  "resolve_team",
  "consume_search",
  "refund_search",
  "set_plan",
  "claim_event",
  "account_status",
  "list_plans",
  "log_search",
  "save_installation",
  "get_installation",
  "delete_installation",
  "rate_limit_hit",
  "rate_limit_undo",
  "app_setting_get_or_create",
] as const;

export interface FakeSupabaseOptions {
  /** Postgres where the calls run (migrated). */
  databaseUrl: string;
  /** Requests must carry this key (`apikey` + `Authorization: Bearer`); they run as `service_role`. */
  serviceRoleKey: string;
  /** Optional publishable/anon key; its requests run as `anon`. */
  anonKey?: string;
  /** Callable function names (default: `STORE_RPC_FUNCTIONS`). */
  allow?: readonly string[];
  /**
   * PostgREST's `db-max-rows` (Supabase's "Max rows", 1,000 by default there): at most this many rows of a
   * set-returning function per response, whatever `limit` asks. Default: no cap.
   */
  maxRows?: number;
  /** Test hook, a server that lies: the total it reports in `Content-Range` for a result of `total` rows. */
  reportTotal?: (total: number, fn: string) => number;
}

/** One request as the fake saw it. */
export interface RecordedRpc {
  method: string;
  path: string;
  /** The query string (`?offset=…&limit=…&order=…`), or "". */
  query: string;
  fn: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

interface FunctionInfo {
  args: { name: string; type: string }[];
  required: number;
  returnsSet: boolean;
  returnsVoid: boolean;
  returnsComposite: boolean;
}

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

const RPC_PATH = /^\/rest\/v1\/rpc\/([^/?]+)$/;
/** One `order=` term: `column.asc|desc[.nullsfirst|.nullslast]`. */
const ORDER_TERM = /^([a-z_][a-z0-9_]*)(?:\.(asc|desc))?(?:\.(nullsfirst|nullslast))?$/;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Loopback stand-in for Supabase's PostgREST `POST /rest/v1/rpc/<fn>`: checks the API key, runs
 * `fn(p_a => $1, …)` on a local Postgres as `service_role` (or `anon`) in one transaction, and answers the
 * way PostgREST does: set-returning → JSON array (one object with `Accept: application/vnd.pgrst.object+json`),
 * scalar → the JSON value, void → 204. Bodies are built with `json_agg`/`to_json` in SQL, as PostgREST does.
 * Set-returning results page like PostgREST's (docs.postgrest.org, "Pagination and Count"): `offset`,
 * `limit` and `order` query parameters (what postgrest-js `.range()` and `.order()` send; the `Range`
 * header is not read), `maxRows` caps every answer (`db-max-rows`), `Content-Range: <from>-<to>/<total>`
 * (`*` as the total unless `Prefer: count=exact`; `*` as the range of an empty page), 206 when the answer
 * is part of a known total, 416 (PGRST103) for an offset past it.
 */
export class FakeSupabase {
  readonly requests: RecordedRpc[] = [];
  readonly #server: Server;
  readonly #pool: pg.Pool;
  readonly #options: FakeSupabaseOptions;
  readonly #allow: Set<string>;
  readonly #functions = new Map<string, FunctionInfo[]>();

  private constructor(options: FakeSupabaseOptions) {
    this.#options = options;
    this.#allow = new Set(options.allow ?? STORE_RPC_FUNCTIONS);
    this.#pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // A test database is dropped WITH (FORCE) after the suite: a client still closing must not crash the run.
    this.#pool.on("error", () => undefined);
    this.#pool.on("connect", (client) => client.on("error", () => undefined));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#send(res, 500, { message: String(error) }));
    });
  }

  /** Starts on 127.0.0.1, port 0. */
  static async start(options: FakeSupabaseOptions): Promise<FakeSupabase> {
    const fake = new FakeSupabase(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  /** Base URL to give supabase-js (`createClient(url, key)`). */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.#pool.end();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const query = url.search;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
    );
    const fn = RPC_PATH.exec(path)?.[1] ?? "";
    let body: unknown = null;
    const record = (status: number) =>
      this.requests.push({ method: req.method ?? "", path, query, fn, headers, body, status });
    const reply = (status: number, payload?: unknown, extra: Record<string, string> = {}) => {
      record(status);
      this.#send(res, status, payload, extra);
    };

    if (!fn) return reply(404, { code: "PGRST125", message: `Invalid path specified in request URL` });
    if (req.method !== "POST") return reply(405, { code: "PGRST117", message: `Unsupported HTTP method` });
    const role = this.#role(headers);
    if (!role)
      return reply(401, {
        message: "Invalid API key",
        hint: "Double check your Supabase `anon` or `service_role` API key.",
      });
    const profile = headers["content-profile"];
    if (profile && profile !== "public") {
      return reply(406, { code: "PGRST106", message: `The schema must be one of the following: public` });
    }
    try {
      body = raw === "" ? {} : JSON.parse(raw);
    } catch {
      return reply(400, { code: "PGRST102", message: "Empty or invalid json" });
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return reply(400, { code: "PGRST102", message: "Expected a JSON object of named arguments" });
    }
    const args = body as Record<string, unknown>;
    const overloads = IDENTIFIER.test(fn) && this.#allow.has(fn) ? await this.#describe(fn) : [];
    const names = Object.keys(args);
    // Like PostgREST: the overload whose argument names fit the call (all given names known, all required present).
    const info =
      overloads.find(
        (o) =>
          names.every((n) => o.args.some((a) => a.name === n)) &&
          o.args.slice(0, o.required).every((a) => a.name in args),
      ) ?? null;
    if (!info) {
      return reply(404, {
        code: "PGRST202",
        message: `Could not find the function public.${fn}(${names.join(", ")}) in the schema cache`,
      });
    }

    const params: unknown[] = [];
    const parts = info.args
      .filter((a) => a.name in args)
      .map((a) => {
        const value = args[a.name];
        const json = a.type === "json" || a.type === "jsonb";
        // PostgREST reads a JSON array argument of an array type (text[], integer[]) as a Postgres array.
        const pgArray = a.type.endsWith("[]") && Array.isArray(value);
        params.push(
          value === null || pgArray
            ? value
            : json || typeof value === "object"
              ? JSON.stringify(value)
              : value,
        );
        return `${a.name} => $${params.length}::${a.type}`;
      });
    const call = `public.${fn}(${parts.join(", ")})`;
    const range = info.returnsSet ? this.#range(url.searchParams) : null;
    if (range && "error" in range) return reply(400, { code: "PGRST100", message: range.error });
    // Like PostgREST: the function's rows once (a CTE), counted, then ordered and cut to the page.
    const sql = info.returnsVoid
      ? `select ${call}`
      : range
        ? `with _src as (select * from ${call} _r)
           select (select count(*) from _src) as total,
                  coalesce((select json_agg(_p) from (select * from _src _s ${range.orderBy}
                    limit ${range.limit ?? "all"} offset ${range.offset}) _p), '[]'::json) as body`
        : info.returnsComposite
          ? `select row_to_json(_r) as body from ${call} _r`
          : `select to_json(${call}) as body`;

    let result: unknown;
    let total = 0;
    try {
      ({ body: result, total } = await this.#run(role, sql, params));
    } catch (error) {
      const e = error as PgError;
      return reply(statusFor(e.code, role), {
        code: e.code ?? "",
        message: e.message ?? String(error),
        details: e.detail ?? null,
        hint: e.hint ?? null,
      });
    }
    if (info.returnsVoid) return reply(204);
    let status = 200;
    const extra: Record<string, string> = {};
    if (range && Array.isArray(result)) {
      const counted = /\bcount=exact\b/.test(headers.prefer ?? "");
      const reported = this.#options.reportTotal?.(total, fn) ?? total;
      if (counted && range.offset > reported) {
        return reply(416, {
          code: "PGRST103",
          message: "Requested range not satisfiable",
          details: `An offset of ${range.offset} was requested, but there are only ${reported} rows.`,
          hint: null,
        });
      }
      const n = result.length;
      const of = counted ? String(reported) : "*";
      extra["content-range"] = n > 0 ? `${range.offset}-${range.offset + n - 1}/${of}` : `*/${of}`;
      if (counted && n < reported) status = 206;
    }
    const wantsObject = (headers.accept ?? "").includes("application/vnd.pgrst.object+json");
    if (wantsObject && Array.isArray(result)) {
      if (result.length !== 1) {
        return reply(406, {
          code: "PGRST116",
          message: "JSON object requested, multiple (or no) rows returned",
          details: `The result contains ${result.length} rows`,
          hint: null,
        });
      }
      return reply(200, result[0]);
    }
    return reply(status, result, extra);
  }

  /** `offset`, `limit` (capped by `maxRows`) and `order` of a set-returning call, as SQL. */
  #range(
    search: URLSearchParams,
  ): { offset: number; limit: number | null; orderBy: string } | { error: string } {
    const count = (name: string) => {
      const raw = search.get(name);
      if (raw === null) return null;
      return /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    };
    const offset = count("offset") ?? 0;
    const asked = count("limit");
    if (Number.isNaN(offset) || Number.isNaN(asked)) return { error: "offset and limit must be integers" };
    const cap = this.#options.maxRows ?? null;
    const limit = asked === null ? cap : cap === null ? asked : Math.min(asked, cap);
    const terms: string[] = [];
    for (const term of (search.get("order") ?? "").split(",").filter(Boolean)) {
      const m = ORDER_TERM.exec(term);
      if (!m) return { error: `failed to parse order (${term})` };
      const [, column, direction = "asc", nulls] = m;
      terms.push(
        `_s.${column} ${direction}${nulls ? (nulls === "nullsfirst" ? " nulls first" : " nulls last") : ""}`,
      );
    }
    return { offset, limit, orderBy: terms.length ? `order by ${terms.join(", ")}` : "" };
  }

  #role(headers: Record<string, string>): "service_role" | "anon" | null {
    const key = headers.apikey;
    const bearer = headers.authorization === `Bearer ${key}`;
    if (!key || !bearer) return null;
    if (key === this.#options.serviceRoleKey) return "service_role";
    if (this.#options.anonKey && key === this.#options.anonKey) return "anon";
    return null;
  }

  async #run(role: string, sql: string, params: unknown[]): Promise<{ body: unknown; total: number }> {
    const client = await this.#pool.connect();
    try {
      await client.query("begin");
      await client.query(`set local role ${role}`);
      const { rows } = await client.query(sql, params);
      await client.query("commit");
      return { body: rows[0]?.body ?? null, total: Number(rows[0]?.total ?? 0) };
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  // PostgREST's schema cache, reduced to what named-argument calls need.
  async #describe(fn: string): Promise<FunctionInfo[]> {
    const cached = this.#functions.get(fn);
    if (cached) return cached;
    const { rows } = await this.#pool.query(
      `select p.proretset, p.prorettype = 'void'::regtype as is_void, t.typtype = 'c' as is_composite,
              p.pronargs, p.pronargdefaults, coalesce(p.proargnames, '{}') as names,
              coalesce(p.proargmodes::text[], '{}') as modes,
              array(select format_type(x, null) from unnest(p.proargtypes) x) as types
         from pg_proc p join pg_type t on t.oid = p.prorettype
        where p.pronamespace = 'public'::regnamespace and p.proname = $1
        order by p.pronargs`,
      [fn],
    );
    const infos: FunctionInfo[] = rows.map((row) => {
      const modes: string[] = row.modes;
      const inputNames = (row.names as string[]).filter(
        (_, i) => modes.length === 0 || "ibv".includes(modes[i]!),
      );
      return {
        args: (row.types as string[]).map((type, i) => ({ name: inputNames[i]!, type })),
        required: Number(row.pronargs) - Number(row.pronargdefaults),
        returnsSet: row.proretset,
        returnsVoid: row.is_void,
        returnsComposite: row.is_composite,
      };
    });
    this.#functions.set(fn, infos);
    return infos;
  }

  #send(res: ServerResponse, status: number, payload?: unknown, extra: Record<string, string> = {}): void {
    if (status === 204 || payload === undefined) {
      res.writeHead(status, extra).end();
      return;
    }
    res
      .writeHead(status, { "content-type": "application/json; charset=utf-8", ...extra })
      .end(JSON.stringify(payload));
  }
}

/** PostgREST's SQLSTATE → HTTP mapping (subset). */
function statusFor(code: string | undefined, role: string): number {
  if (!code) return 500;
  if (code === "42501") return role === "anon" ? 401 : 403;
  if (code === "P0002") return 404;
  if (code === "23505" || code === "23503") return 409;
  if (code.startsWith("08")) return 503;
  if (code.startsWith("53") || code.startsWith("57")) return 503;
  if (code === "42883") return 404;
  return 400;
}
