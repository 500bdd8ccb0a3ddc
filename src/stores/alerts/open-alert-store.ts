/**
 * Which alert store the configured account store can hold: Supabase RPC when SUPABASE_URL is set, else
 * the SQL store's own executor (its migrations, 0011 included, already ran); null for any other store
 * (alerts are then off and `/alerta` says so).
 */
import type { AppConfig } from "../../config.ts";
import type { AlertStore } from "../../core/ports/alert-store.ts";
import type { Store } from "../../core/ports/store.ts";

export async function openAlertStore(config: AppConfig["store"], store: Store): Promise<AlertStore | null> {
  if (config.supabaseUrl && config.supabaseServiceRoleKey) {
    const { SupabaseAlertStore } = await import("./supabase-alert-store.ts");
    return new SupabaseAlertStore({ url: config.supabaseUrl, serviceRoleKey: config.supabaseServiceRoleKey });
  }
  const { SqlStore } = await import("../sql-store.ts");
  if (!(store instanceof SqlStore)) return null;
  const { createAlertStore } = await import("./sql-alert-store.ts");
  return createAlertStore(store);
}
