import { loadConfig } from "../config.ts";
import { createLogger } from "../main.ts";
import { PgStore } from "../stores/pg-store.ts";
import { PgliteStore } from "../stores/pglite-store.ts";
import { cliLogLevel } from "./cli-errors.ts";

/**
 * `smart-pncp migrate`: applies supabase/migrations to the configured store (DATABASE_URL, else the
 * embedded PGlite in DATA_DIR). Supabase without DATABASE_URL is migrated by the Supabase CLI.
 */
export async function migrateCommand(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig(env);
  const logger = createLogger(cliLogLevel(env));
  if (!config.store.databaseUrl && config.store.supabaseUrl) {
    process.stderr.write(
      "SUPABASE_URL sem DATABASE_URL: aplique supabase/migrations com `supabase db push`, ou defina DATABASE_URL com a connection string direta do Supabase e rode de novo.\n",
    );
    return 1;
  }
  const store = config.store.databaseUrl
    ? await PgStore.open({ databaseUrl: config.store.databaseUrl, logger, migrate: false })
    : await PgliteStore.open({ dataDir: config.store.dataDir, logger, migrate: false });
  try {
    const applied = await store.migrate();
    const target = config.store.databaseUrl ? "Postgres (DATABASE_URL)" : `PGlite em ${config.store.dataDir}`;
    process.stdout.write(
      applied.length === 0
        ? `${target}: nenhuma migração pendente.\n`
        : `${target}: aplicadas ${applied.length} migrações:\n${applied.map((f) => `  - ${f}`).join("\n")}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
