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

/** Calls the SQL functions as PostgREST RPC (`POST /rest/v1/rpc/<fn>`) through supabase-js. */
export function supabaseTransport(client: SupabaseClient): RpcTransport {
  const call = async (fn: string, args: Record<string, unknown>, single = false): Promise<unknown> => {
    const request = client.rpc(fn, withoutUndefined(args));
    const { data, error, status } = single ? await request.single() : await request;
    if (error) {
      throw toStoreError(
        status === 0 ? new AppError("STORE_UNAVAILABLE", error.message, { retryable: true }) : error,
        fn,
      );
    }
    return data;
  };
  return {
    jsonAsText: false,
    rows: async (fn, args) => {
      const data = await call(fn, args);
      return Array.isArray(data) ? (data as Row[]) : data === null ? [] : [data as Row];
    },
    one: async (fn, args) => (await call(fn, args, true)) as Row,
    scalar: (fn, args) => call(fn, args),
  };
}

function withoutUndefined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}
