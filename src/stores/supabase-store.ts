import type { SupabaseClient } from "@supabase/supabase-js";
import { AppError } from "../core/errors.ts";
import { type Logger, silentLogger } from "../core/ports/logger.ts";
import { FunctionStore, type RpcTransport } from "./function-store.ts";
import type { Row } from "./sql-executor.ts";
import { toStoreError } from "./store-errors.ts";
import { createServerClient } from "./supabase-client.ts";

export interface SupabaseStoreOptions {
  /** `https://<project>.supabase.co` (or a loopback stand-in in tests). */
  url: string;
  /** Service-role / secret key: server only, bypasses RLS. */
  serviceRoleKey: string;
  logger?: Logger;
}

/**
 * Store on Supabase through supabase-js `.rpc()`: every operation is one SQL function call, i.e. one
 * PostgREST request and one transaction (https://docs.postgrest.org/en/v12/references/transactions.html).
 * Migrations are applied with the Supabase CLI (`supabase db push`), not by this class.
 */
export class SupabaseStore extends FunctionStore {
  constructor(options: SupabaseStoreOptions) {
    super(supabaseTransport(createServerClient(options.url, options.serviceRoleKey)), async () => {
      // supabase-js holds no connection for RPC; nothing to release.
    });
  }

  /** Same shape as the other stores' `open()`; nothing to connect up front. */
  static async open(options: SupabaseStoreOptions): Promise<SupabaseStore> {
    const store = new SupabaseStore(options);
    (options.logger ?? silentLogger()).info({ store: "supabase" }, "store_opened");
    return store;
  }
}

/**
 * Per set-returning function, the columns that order its rows uniquely (PostgREST `order=`). A function
 * listed here is always called in that order, so an answer larger than the project's Max rows can be read
 * in pages; one that is not (above all one that writes, which every page would run again) fails instead.
 */
export type PageOrder = Readonly<Record<string, readonly string[]>>;

/**
 * Calls the SQL functions as PostgREST RPC (`POST /rest/v1/rpc/<fn>`) through supabase-js.
 *
 * PostgREST answers at most the project's "Max rows" (Supabase's default: 1,000) rows per request, RPC
 * included, and says nothing unless asked: `rows()` asks for the exact count (`Prefer: count=exact`, read
 * back from `Content-Range`) and never returns fewer rows than it: the rest comes in `.range()` pages of
 * the size the server answered with (functions in `pageOrder`), else the call fails.
 */
export function supabaseTransport(client: SupabaseClient, pageOrder: PageOrder = {}): RpcTransport {
  const failed = (error: { message: string }, status: number, fn: string) =>
    toStoreError(
      status === 0 ? new AppError("STORE_UNAVAILABLE", error.message, { retryable: true }) : error,
      fn,
    );
  const call = async (fn: string, args: Record<string, unknown>, single = false): Promise<unknown> => {
    const request = client.rpc(fn, withoutUndefined(args));
    const { data, error, status } = single ? await request.single() : await request;
    if (error) throw failed(error, status, fn);
    return data;
  };
  const page = async (fn: string, args: Record<string, unknown>, from?: number, to?: number) => {
    let request = client.rpc(fn, withoutUndefined(args), { count: "exact" });
    for (const column of pageOrder[fn] ?? []) request = request.order(column);
    const { data, error, status, count } = await (from === undefined ? request : request.range(from, to!));
    if (error) throw failed(error, status, fn);
    return { data: data as unknown, count };
  };
  return {
    jsonAsText: false,
    rows: async (fn, args) => {
      const first = await page(fn, args);
      if (!Array.isArray(first.data)) return first.data === null ? [] : [first.data as Row];
      const rows = first.data as Row[];
      const total = first.count;
      if (total === null || !Number.isFinite(total)) {
        throw incomplete(fn, "the server did not say how many rows the answer has", {
          received: rows.length,
        });
      }
      if (total <= rows.length) return rows;
      const size = rows.length;
      if (!pageOrder[fn]) {
        throw incomplete(fn, `${size} of ${total} rows (the project's Max rows) and ${fn} cannot be paged`, {
          received: size,
          total,
        });
      }
      if (size === 0) throw incomplete(fn, `no rows of ${total}`, { received: 0, total });
      // The fallback path, slow for large answers: PostgREST holds no cursor, so every page runs the SQL
      // function again (a 61k-row national search at Max rows 1,000 is 62 full runs and requests). The bid
      // index uses DATABASE_URL (one statement, no cap) when it is set. Pages come from different
      // snapshots: a count that moves between them (the sync writing) fails the call, retryable.
      for (let from = size; from < total; from += size) {
        const to = Math.min(from + size, total) - 1;
        const next = await page(fn, args, from, to);
        const got = Array.isArray(next.data) ? (next.data as Row[]) : [];
        if (next.count !== total) {
          throw incomplete(fn, `the answer changed from ${total} to ${next.count} rows while paging`, {
            received: rows.length,
            total,
            retryable: true,
          });
        }
        if (got.length !== to - from + 1) {
          throw incomplete(fn, `rows ${from}-${to} of ${total} came back as ${got.length}`, {
            received: rows.length + got.length,
            total,
          });
        }
        rows.push(...got);
      }
      return rows;
    },
    one: async (fn, args) => (await call(fn, args, true)) as Row,
    scalar: (fn, args) => call(fn, args),
  };
}

/** An answer the transport could not read whole: an error, never part of the rows. */
function incomplete(
  fn: string,
  reason: string,
  details: { received: number; total?: number; retryable?: boolean },
): AppError {
  const { retryable = false, ...counts } = details;
  return new AppError("INTERNAL", `${fn}: incomplete answer: ${reason}`, {
    retryable,
    details: { operation: fn, ...counts },
  });
}

function withoutUndefined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}
