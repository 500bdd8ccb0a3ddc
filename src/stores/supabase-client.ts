import { createClient, type SupabaseClient, type SupabaseClientOptions } from "@supabase/supabase-js";

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

/**
 * Stand-in WebSocket: supabase-js builds a Realtime client eagerly and, on Node 20 (no global WebSocket),
 * throws unless a transport is given. We only use `.rpc()`, so opening a socket is a bug.
 */
class NoRealtimeTransport {
  constructor() {
    throw new Error("Supabase Realtime is not used by Smart PNCP");
  }
}

/** A server-side supabase-js client: service/secret key, no session persistence, no Realtime socket. */
export function createServerClient(url: string, key: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: NoRealtimeTransport as unknown as RealtimeTransport },
  });
}
