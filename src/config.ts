import { randomBytes } from "node:crypto";
import { z } from "zod";

/**
 * The only reader of `process.env`. Parsed once with zod, frozen; derived flags decide which adapters
 * start. Every external base URL is configuration so tests can point the real SDKs at loopback fakes.
 */

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const url = (fallback: string) => z.string().url().default(fallback);
/** An integer variable; empty or blank counts as unset (`PORT=` in an env file must not mean 0). */
const int = (fallback: number, min = 0) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(min).default(fallback),
  );

const envSchema = z.object({
  NODE_ENV: z.string().default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: int(3000),
  PUBLIC_BASE_URL: url("http://localhost:3000"),
  UPGRADE_TOKEN_SECRET: optionalString,
  UPGRADE_TOKEN_TTL_HOURS: int(72, 1),
  /** Bearer token GET /metrics requires; unset = open (keep /metrics off the internet at the proxy). */
  METRICS_TOKEN: optionalString,
  /** `smart-pncp worker`: serve /metrics and /health/* on this port (unset = no HTTP server in workers). */
  METRICS_PORT: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),

  PNCP_BASE_URL: url("https://pncp.gov.br/api/consulta"),
  /** Ceiling of the adaptive per-process budget of PNCP requests in flight (searches + sync). */
  PNCP_CONCURRENCY: int(16, 1),
  PNCP_MAX_PAGES: int(20, 1),
  PNCP_TIMEOUT_MS: int(20_000, 100),
  PNCP_MAX_RETRIES: int(3, 0),
  PNCP_RETRY_BASE_MS: int(1000, 1),

  SYNC_ENABLED: z
    .enum(["true", "false", "1", "0", ""])
    .default("true")
    .transform((v) => v !== "false" && v !== "0"),
  SYNC_INTERVAL_MINUTES: int(15, 1),
  /** Seconds between alert dispatches (digests at their hour, retries) besides the one after each sync round. */
  ALERTS_TICK_SECONDS: int(60, 5),
  /** Unset: 30 on the embedded store, 365 on Postgres / Supabase. */
  SYNC_BACKFILL_DAYS: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.coerce.number().int().min(2).max(3650).optional(),
  ),
  /** Extra modalidades to sync besides the product's defaults, e.g. "5,7". */
  SYNC_MODALIDADES: z
    .string()
    .default("")
    .refine((v) => /^\s*(\d+\s*(,\s*\d+\s*)*)?$/.test(v), "comma-separated modalidade codes")
    .transform((v) =>
      v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
        .map(Number),
    ),
  SYNC_STALL_MINUTES: int(10, 1),

  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: optionalString,
  DATABASE_MIGRATE_ON_START: z
    .enum(["true", "false", "1", "0", ""])
    .default("true")
    .transform((v) => v !== "false" && v !== "0"),
  SUPABASE_URL: optionalString,
  SUPABASE_SERVICE_ROLE_KEY: optionalString,
  REDIS_URL: optionalString,
  /** With REDIS_URL: BullMQ key prefix, worker slots per lane, job lock, retries of transient failures. */
  QUEUE_PREFIX: z
    .string()
    .default("smart-pncp")
    .refine((v) => /^[A-Za-z0-9_.-]+$/.test(v), "letters, digits, '_', '.', '-'"),
  WORKER_CONCURRENCY: int(4, 1),
  WORKER_LARGE_CONCURRENCY: int(1, 0),
  JOB_LOCK_MS: int(30_000, 200),
  JOB_ATTEMPTS: int(3, 1),
  JOB_BACKOFF_MS: int(2_000, 1),

  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: z.string().default("gpt-4o-mini"),
  OPENAI_BASE_URL: optionalString,
  OPENAI_TIMEOUT_MS: int(15_000, 100),

  SLACK_SIGNING_SECRET: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: optionalString,

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_API_ROOT: url("https://api.telegram.org"),
  TELEGRAM_WEBHOOK_SECRET: optionalString,

  WHATSAPP_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_GRAPH_URL: url("https://graph.facebook.com"),
  WHATSAPP_API_VERSION: z.string().default("v23.0"),
  WHATSAPP_MIN_INTERVAL_MS: int(6000, 0),
  /** Approved template (one body variable) for notices outside the 24-hour window; unset: held until contact. */
  WHATSAPP_ALERT_TEMPLATE: optionalString,
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().default("pt_BR"),
  /** `serve` runs the outbox sender (paced delivery of billing notices and alerts). */
  OUTBOX_ENABLED: z
    .enum(["true", "false", "1", "0", ""])
    .default("true")
    .transform((v) => v !== "false" && v !== "0"),

  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  /** Stripe API base (a loopback fake in tests): the SDK's host/port/protocol. */
  STRIPE_API_URL: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.string().url().optional(),
  ),
  /** Price overrides per plan (else the lookup keys `<plan>_monthly` / `<plan>_yearly`). */
  STRIPE_PRICE_CONSULTOR_AGIL: optionalString,
  STRIPE_PRICE_MAQUINA: optionalString,
  STRIPE_PRICE_SALA_GUERRA: optionalString,
  STRIPE_PRICE_CONSULTOR_AGIL_YEARLY: optionalString,
  STRIPE_PRICE_MAQUINA_YEARLY: optionalString,
  STRIPE_PRICE_SALA_GUERRA_YEARLY: optionalString,
  /** Days a past-due subscription stays usable after the first failed payment. */
  BILLING_GRACE_DAYS: int(7, 0),
});

export type Env = z.infer<typeof envSchema>;

function buildConfig(env: Env) {
  const slackOAuth = Boolean(env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_STATE_SECRET);
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    port: env.PORT,
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ""),
    metricsToken: env.METRICS_TOKEN,
    metricsPort: env.METRICS_PORT,
    upgrade: {
      /** Random per process when unset: links then die with the process (logged at start). */
      secret: env.UPGRADE_TOKEN_SECRET ?? randomBytes(32).toString("hex"),
      secretIsEphemeral: env.UPGRADE_TOKEN_SECRET === undefined,
      ttlHours: env.UPGRADE_TOKEN_TTL_HOURS,
    },
    pncp: {
      baseUrl: env.PNCP_BASE_URL.replace(/\/+$/, ""),
      concurrency: env.PNCP_CONCURRENCY,
      maxPagesPerSlice: env.PNCP_MAX_PAGES,
      timeoutMs: env.PNCP_TIMEOUT_MS,
      maxRetries: env.PNCP_MAX_RETRIES,
      retryBaseMs: env.PNCP_RETRY_BASE_MS,
    },
    sync: {
      enabled: env.SYNC_ENABLED,
      intervalMs: env.SYNC_INTERVAL_MINUTES * 60_000,
      /** A year on a Postgres server; a month on the embedded store (disk, first-run time). */
      backfillDays: env.SYNC_BACKFILL_DAYS ?? (env.DATABASE_URL || env.SUPABASE_URL ? 365 : 30),
      extraModalidades: env.SYNC_MODALIDADES,
      stallAfterMs: env.SYNC_STALL_MINUTES * 60_000,
    },
    alerts: {
      tickMs: env.ALERTS_TICK_SECONDS * 1000,
    },
    store: {
      dataDir: env.DATA_DIR,
      databaseUrl: env.DATABASE_URL,
      migrateOnStart: env.DATABASE_MIGRATE_ON_START,
      supabaseUrl: env.SUPABASE_URL,
      supabaseServiceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
    },
    redisUrl: env.REDIS_URL,
    /** BullMQ (`src/queue`), used by `serve` and `smart-pncp worker` when REDIS_URL is set. */
    jobs: {
      prefix: env.QUEUE_PREFIX,
      concurrency: { small: env.WORKER_CONCURRENCY, large: env.WORKER_LARGE_CONCURRENCY },
      lockMs: env.JOB_LOCK_MS,
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
    },
    openai: {
      enabled: Boolean(env.OPENAI_API_KEY),
      apiKey: env.OPENAI_API_KEY,
      model: env.OPENAI_MODEL,
      baseUrl: env.OPENAI_BASE_URL,
      timeoutMs: env.OPENAI_TIMEOUT_MS,
    },
    slack: {
      enabled: Boolean(env.SLACK_SIGNING_SECRET && (env.SLACK_BOT_TOKEN || slackOAuth)),
      socketMode: Boolean(env.SLACK_APP_TOKEN),
      oauth: slackOAuth,
      signingSecret: env.SLACK_SIGNING_SECRET,
      botToken: env.SLACK_BOT_TOKEN,
      clientId: env.SLACK_CLIENT_ID,
      clientSecret: env.SLACK_CLIENT_SECRET,
      stateSecret: env.SLACK_STATE_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
    },
    telegram: {
      enabled: Boolean(env.TELEGRAM_BOT_TOKEN),
      /** Webhook mode when a secret is set; long polling otherwise. */
      webhook: Boolean(env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_WEBHOOK_SECRET),
      token: env.TELEGRAM_BOT_TOKEN,
      apiRoot: env.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
      webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
    },
    whatsapp: {
      enabled: Boolean(
        env.WHATSAPP_TOKEN &&
          env.WHATSAPP_PHONE_NUMBER_ID &&
          env.WHATSAPP_APP_SECRET &&
          env.WHATSAPP_VERIFY_TOKEN,
      ),
      token: env.WHATSAPP_TOKEN,
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID,
      appSecret: env.WHATSAPP_APP_SECRET,
      verifyToken: env.WHATSAPP_VERIFY_TOKEN,
      graphUrl: env.WHATSAPP_GRAPH_URL.replace(/\/+$/, ""),
      apiVersion: env.WHATSAPP_API_VERSION,
      minIntervalMs: env.WHATSAPP_MIN_INTERVAL_MS,
      alertTemplate: env.WHATSAPP_ALERT_TEMPLATE
        ? { name: env.WHATSAPP_ALERT_TEMPLATE, language: env.WHATSAPP_TEMPLATE_LANGUAGE }
        : undefined,
    },
    outbox: {
      enabled: env.OUTBOX_ENABLED,
    },
    stripe: {
      /** Online payment needs the secret key; the webhook secret is checked where events arrive. */
      enabled: Boolean(env.STRIPE_SECRET_KEY),
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      apiUrl: env.STRIPE_API_URL,
      /** Price ids set by STRIPE_PRICE_<PLAN>[_YEARLY], keyed `<plan id>_monthly` / `<plan id>_yearly`. */
      priceOverrides: Object.fromEntries(
        Object.entries({
          consultor_agil_monthly: env.STRIPE_PRICE_CONSULTOR_AGIL,
          maquina_monthly: env.STRIPE_PRICE_MAQUINA,
          sala_guerra_monthly: env.STRIPE_PRICE_SALA_GUERRA,
          consultor_agil_yearly: env.STRIPE_PRICE_CONSULTOR_AGIL_YEARLY,
          maquina_yearly: env.STRIPE_PRICE_MAQUINA_YEARLY,
          sala_guerra_yearly: env.STRIPE_PRICE_SALA_GUERRA_YEARLY,
        }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ) as Readonly<Record<string, string>>,
      graceDays: env.BILLING_GRACE_DAYS,
    },
  };
}

export type AppConfig = Readonly<ReturnType<typeof buildConfig>>;

/** What each adapter needs to be turned on; logged for every adapter that is off. */
export const ADAPTER_REQUIREMENTS = {
  slack:
    "SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET (OAuth)",
  telegram: "TELEGRAM_BOT_TOKEN (+ TELEGRAM_WEBHOOK_SECRET for webhook mode)",
  whatsapp: "WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN",
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parses an environment (default `process.env`); throws ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return deepFreeze(buildConfig(parsed.data));
}
