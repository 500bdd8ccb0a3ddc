import type { Server } from "node:http";
import pino from "pino";
import type { Billing } from "./billing/create-billing.ts";
import type { BotAdapter, Route } from "./bots/adapter.ts";
import type { Pacer } from "./bots/whatsapp-pacer.ts";
import { ADAPTER_REQUIREMENTS, type AppConfig } from "./config.ts";
import type { AlertChatDeps } from "./core/alerts/alert-commands.ts";
import type { AlertRunner } from "./core/alerts/alert-round.ts";
import type { ChatDeps, QueryInterpreter } from "./core/chat/chat-deps.ts";
import type { ChatService } from "./core/chat/chat-service.ts";
import { UsageBacklog } from "./core/entitlements/usage-backlog.ts";
import type { SectorArbitration } from "./core/filter/arbiter/arbitrate.ts";
import { SECTORS } from "./core/filter/sectors.ts";
import type { ChatContactDeps, Outbox } from "./core/outbox/outbox.ts";
import type { OutboxSender } from "./core/outbox/outbox-sender.ts";
import type { Pacing } from "./core/outbox/pacing.ts";
import { HttpPncpClient } from "./core/pncp/http-pncp-client.ts";
import type { AlertStore } from "./core/ports/alert-store.ts";
import type { BidIndex } from "./core/ports/bid-index.ts";
import type { BillingStore } from "./core/ports/billing.ts";
import { type Clock, systemClock } from "./core/ports/clock.ts";
import { InProcessJobQueue } from "./core/ports/in-process-job-queue.ts";
import { type JobProcessor, JobProcessors, type JobQueue } from "./core/ports/job-queue.ts";
import { type Logger, REDACT_PATHS, safeErrorSerializer, silentLogger } from "./core/ports/logger.ts";
import { Counters, type Metrics } from "./core/ports/metrics.ts";
import type { Notifier } from "./core/ports/notifier.ts";
import type { OutboxStore } from "./core/ports/outbox-store.ts";
import type { RateLimiter } from "./core/ports/rate-limiter.ts";
import type { Store } from "./core/ports/store.ts";
import { FallbackSummarizer } from "./core/summary/fallback-summarizer.ts";
import type { Summarizer } from "./core/summary/summarizer.ts";
import type { SyncWorker, SyncWorkerSettings, SyncWorkerStatus } from "./core/sync/sync-worker.ts";
import { healthRoute } from "./server/health-route.ts";
import { createHttpServer, listen } from "./server/http-server.ts";
import { upgradeRoute } from "./server/upgrade-route.ts";

/**
 * The composition root: the only place that builds ports and adapters and wires them. SDKs (Bolt, grammY,
 * openai, ioredis, pg/PGlite/supabase-js, exceljs through the chat core) are imported where they are
 * constructed and only when configured, so a CLI command loads what it uses (`npm run bench` startup).
 */

/** A summarizer that imports the OpenAI one (and the `openai` SDK) on its first use. */
function lazySummarizer(load: () => Promise<Summarizer>): Summarizer {
  let summarizer: Promise<Summarizer> | null = null;
  return {
    async summarize(input) {
      summarizer ??= load();
      return (await summarizer).summarize(input);
    },
  };
}

/** A query reader that imports the OpenAI one on its first use. */
function lazyInterpreter(load: () => Promise<QueryInterpreter>): QueryInterpreter {
  let interpreter: Promise<QueryInterpreter> | null = null;
  return {
    async parse(text, now, base) {
      interpreter ??= load();
      return (await interpreter).parse(text, now, base);
    },
  };
}

/** The search job's processor, imported (with the chat core) on the first job. */
function lazySearchProcessor(deps: ChatDeps, notifier: Notifier | null): JobProcessor {
  let processor: Promise<JobProcessor> | null = null;
  const load = () =>
    (processor ??= import("./core/chat/search-command.ts").then((m) => m.searchJobProcessor(deps, notifier)));
  return {
    retry: { attempts: 3, backoffMs: 2_000 },
    run: async (data, ctx) => (await load()).run(data, ctx),
    failed: async (data, failure) => (await load()).failed?.(data, failure),
  };
}

/** The chat core, imported on the first command (it pulls in exceljs); `createApp` loads it up front. */
function lazyChatService(deps: ChatDeps & AlertChatDeps & ChatContactDeps): ChatService {
  let service: Promise<ChatService> | null = null;
  return {
    async handle(cmd, sink) {
      service ??= import("./core/chat/chat-service.ts").then((m) => m.createChatService(deps));
      return (await service).handle(cmd, sink);
    },
  };
}

/** Creates the logger with secret redaction. Logs go to stderr so CLI stdout stays clean JSON. */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: { err: safeErrorSerializer, error: safeErrorSerializer },
    },
    destination,
  );
}

export interface CoreOverrides {
  /** Queue jobs on BullMQ when REDIS_URL is set (`serve`, `worker`); the CLI keeps the in-process queue. */
  bullmq?: boolean;
  /** Posts worker-finished searches to chats (`worker`); without it only the local sink can answer. */
  notifier?: Notifier;
  logger?: Logger;
  clock?: Clock;
  store?: Store;
  limiter?: RateLimiter;
  /** Labelled metrics (`createApp` passes prom-client's, exposed on /metrics); default: none. */
  metrics?: Metrics;
  /**
   * The outbox sender's pacing; default the platforms' limits. Tests of other features on a frozen clock
   * pass `new Pacing(unpacedRules())` (a paced 2nd message to a chat would wait for a slot that never comes).
   */
  outboxPacing?: Pacing;
}

/** The ports a bare search needs (no store): PNCP client, summarizer, optional LLM query reader. */
export function createSearchPorts(
  config: AppConfig,
  logger: Logger,
  clock: Clock = systemClock,
  metrics?: Metrics,
): { pncp: HttpPncpClient; summarizer: Summarizer; interpreter?: QueryInterpreter } {
  const pncp = new HttpPncpClient({ ...config.pncp, logger, clock, metrics });
  const fallback = new FallbackSummarizer({ sectorName: (id) => SECTORS[id].name });
  if (!config.openai.enabled || !config.openai.apiKey) return { pncp, summarizer: fallback };
  const openai = {
    apiKey: config.openai.apiKey,
    model: config.openai.model,
    baseURL: config.openai.baseUrl,
    timeoutMs: config.openai.timeoutMs,
    logger,
  };
  return {
    pncp,
    summarizer: lazySummarizer(async () => {
      const { OpenAiSummarizer } = await import("./core/summary/openai-summarizer.ts");
      return new OpenAiSummarizer({ ...openai, fallback });
    }),
    interpreter: lazyInterpreter(async () => {
      const { OpenAiQueryParser } = await import("./core/query/openai-query-parser.ts");
      return new OpenAiQueryParser(openai);
    }),
  };
}

/**
 * The grey-zone sector arbiter when OPENAI_API_KEY is set (null otherwise): verdicts cached per bid and
 * sector version in `sector_verdicts` on a SQL store (in memory on Supabase and test doubles), so each bid
 * is asked about once. The OpenAI SDK loads on the first grey-zone bid, not at start-up.
 */
async function sectorArbitration(
  config: AppConfig,
  store: Store,
  logger: Logger,
): Promise<SectorArbitration | null> {
  if (!config.openai.enabled || !config.openai.apiKey) return null;
  const { createSectorArbitration } = await import("./core/filter/arbiter/arbitrate.ts");
  const { MemoryVerdictStore } = await import("./core/filter/arbiter/verdict-store.ts");
  const { SqlStore } = await import("./stores/sql-store.ts");
  const { SqlVerdictStore } = await import("./core/filter/arbiter/sql-verdict-store.ts");
  const verdicts =
    store instanceof SqlStore && !config.store.supabaseUrl
      ? new SqlVerdictStore(store.executor)
      : new MemoryVerdictStore();
  const options = {
    apiKey: config.openai.apiKey,
    model: config.openai.model,
    baseURL: config.openai.baseUrl,
    timeoutMs: config.openai.timeoutMs,
  };
  let arbiter: import("./core/filter/arbiter/sector-arbiter.ts").SectorArbiter | null = null;
  const lazy: import("./core/filter/arbiter/sector-arbiter.ts").SectorArbiter = {
    name: `openai:${options.model ?? "default"}`,
    async classify(...args) {
      if (!arbiter) {
        const { OpenAiSectorArbiter } = await import("./core/filter/arbiter/openai-sector-arbiter.ts");
        arbiter = new OpenAiSectorArbiter(options);
      }
      return arbiter.classify(...args);
    },
  };
  return createSectorArbitration({ arbiter: lazy, store: verdicts, logger });
}

/** The bid index, with `close()` when it holds connections of its own (Postgres beside Supabase). */
export type OpenedBidIndex = BidIndex & { close?(): Promise<void> };

/** Connections of the index's own pool on Supabase's direct connection (the sync's pages and searches). */
const INDEX_POOL_SIZE = 5;

/**
 * The bid index on the configured store. On Supabase with DATABASE_URL (the direct connection): plain SQL
 * on a small pool of its own, not migrated here (the Supabase CLI migrates), closed by `close()`; RPC would
 * cap every answer at the project's Max rows (a national sector search has ~61k rows) and page the rest
 * over HTTP. On Supabase alone: RPC. Else the SQL store's own executor (PGlite, embedded or server
 * Postgres), whose migrations already ran when it opened.
 */
export async function openBidIndex(
  config: AppConfig,
  store: Store,
  logger: Logger = silentLogger(),
): Promise<OpenedBidIndex> {
  const { supabaseUrl, supabaseServiceRoleKey, databaseUrl } = config.store;
  if (supabaseUrl && supabaseServiceRoleKey) {
    if (databaseUrl) {
      const { PgStore } = await import("./stores/pg-store.ts");
      const { SqlBidIndex } = await import("./stores/sql-bid-index.ts");
      const pool = await PgStore.open({
        databaseUrl,
        logger: logger.child({ pool: "bid_index" }),
        max: INDEX_POOL_SIZE,
        migrate: false,
      });
      // The pool connects lazily: a wrong DATABASE_URL fails here (index_unavailable), not at each search.
      await pool.executor.query("select 1").catch(async (error: unknown) => {
        await pool.close();
        throw error;
      });
      logger.info({ transport: "postgres" }, "bid_index_opened");
      return Object.assign(new SqlBidIndex(pool.executor), { close: () => pool.close() });
    }
    const { SupabaseBidIndex } = await import("./stores/bid-index/supabase-bid-index.ts");
    logger.info({ transport: "supabase_rpc" }, "bid_index_opened");
    logger.warn(
      "bid_index_rpc_paged: answers above the project's Max rows are paged over HTTP (slow for national searches); set DATABASE_URL to the direct connection",
    );
    return new SupabaseBidIndex({ url: supabaseUrl, serviceRoleKey: supabaseServiceRoleKey });
  }
  const { createBidIndex } = await import("./stores/sql-bid-index.ts");
  const { SqlStore } = await import("./stores/sql-store.ts");
  if (!(store instanceof SqlStore)) throw new Error("the configured store cannot hold the bid index");
  return createBidIndex(store);
}

/** Sync worker settings from config; `holder` names this instance in the `sync` lease. */
export async function syncSettings(config: AppConfig): Promise<SyncWorkerSettings> {
  const { hostname } = await import("node:os");
  const { randomUUID } = await import("node:crypto");
  const { syncModalidades } = await import("./core/sync/sync-plan.ts");
  return {
    modalidades: syncModalidades(config.sync.extraModalidades),
    backfillDays: config.sync.backfillDays,
    intervalMs: config.sync.intervalMs,
    stallAfterMs: config.sync.stallAfterMs,
    parallelPages: config.pncp.concurrency,
    holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  };
}

/**
 * Starts the sync worker on the core's PNCP client (so the sync and live searches share ONE adaptive
 * concurrency budget) writing into `index`.
 */
export async function startSync(core: Core, index: BidIndex): Promise<SyncWorker> {
  const { startSyncWorker } = await import("./core/sync/sync-worker.ts");
  const { pncp, clock, logger } = core.deps;
  if (!(pncp instanceof HttpPncpClient)) throw new Error("the sync needs the HTTP PNCP client");
  const metrics = core.deps.counters.metrics;
  const alerts = core.alerts;
  // Alerts are matched (and sent) after every round; a failure is logged by the worker, never fails it.
  const onRoundComplete = alerts ? async () => void (await alerts.runner.run()) : undefined;
  return startSyncWorker(
    { pncp, index, clock, logger, metrics, onRoundComplete },
    await syncSettings(core.config),
  );
}

/**
 * Alerts (0011) when the store can hold them and the index exists: the store for `/alerta`, and the
 * runner that matches after each sync round and hands messages to the paced outbox (which sends them at
 * each platform's pace, here or in another process); a chat the outbox finds unreachable pauses its alerts.
 */
async function openAlerts(
  config: AppConfig,
  deps: ChatDeps,
  outbox: Outbox,
): Promise<{ store: AlertStore; runner: AlertRunner } | null> {
  const { store, index, clock, logger } = deps;
  const { openAlertStore } = await import("./stores/alerts/open-alert-store.ts");
  const alerts = await openAlertStore(config.store, store).catch((error: unknown) => {
    logger.warn({ err: error }, "alerts_unavailable");
    return null;
  });
  if (!alerts || !index) return null;
  const { createAlertRunner } = await import("./core/alerts/alert-round.ts");
  const { outboxAlertSender, pauseAlertsOnUnreachable } = await import(
    "./core/alerts/outbox-alert-sender.ts"
  );
  outbox.onChatUnreachable(pauseAlertsOnUnreachable(alerts, logger));
  const sender = outboxAlertSender(outbox, clock);
  const metrics = deps.counters.metrics;
  return {
    store: alerts,
    runner: createAlertRunner({ alerts, index, store, sender, clock, logger, metrics }),
  };
}

/** The paced outbox (0010): its store, the facade the core calls, and its sender (started by `serve`). */
export interface CoreOutbox {
  store: OutboxStore;
  outbox: Outbox;
  /** Null without a notifier (CLI); `createApp` starts it, `core.close()` stops it. */
  sender: OutboxSender | null;
}

/**
 * The outbox on the configured store (Supabase RPC, else the SQL store's executor); a store that cannot
 * hold it (a test double) gets the memory one. Messages go out through `notifier`.
 */
async function openOutbox(
  config: AppConfig,
  deps: ChatDeps,
  notifier: Notifier | null,
  pacing?: Pacing,
): Promise<CoreOutbox> {
  const { store, clock, logger } = deps;
  let outboxStore: OutboxStore;
  if (config.store.supabaseUrl && config.store.supabaseServiceRoleKey) {
    const { SupabaseOutboxStore } = await import("./stores/outbox/supabase-outbox-store.ts");
    outboxStore = new SupabaseOutboxStore({
      url: config.store.supabaseUrl,
      serviceRoleKey: config.store.supabaseServiceRoleKey,
    });
  } else {
    const { SqlStore } = await import("./stores/sql-store.ts");
    if (store instanceof SqlStore) {
      const { createSqlOutboxStore } = await import("./stores/outbox/sql-outbox-store.ts");
      outboxStore = createSqlOutboxStore(store);
    } else {
      logger.warn("outbox_in_memory: the configured store cannot hold the outbox");
      outboxStore = new (await import("./core/outbox/memory-outbox-store.ts")).MemoryOutboxStore();
    }
  }
  const { createOutbox } = await import("./core/outbox/outbox.ts");
  const { createOutboxSender } = await import("./core/outbox/outbox-sender.ts");
  const { Pacing, defaultPacingRules } = await import("./core/outbox/pacing.ts");
  let sender: OutboxSender | null = null;
  const outbox = createOutbox({ store: outboxStore, clock, logger, wake: () => sender?.kick() });
  if (notifier) {
    sender = createOutboxSender({
      store: outboxStore,
      notifier,
      clock,
      logger,
      pacing: pacing ?? new Pacing(defaultPacingRules(config.whatsapp.minIntervalMs)),
      onChatUnreachable: (to, detail) => outbox.reportUnreachable(to, detail),
    });
  }
  return { store: outboxStore, outbox, sender };
}

/**
 * The notifier `serve` posts with: one per configured platform (Slack with the workspace's installation or
 * the single token, Telegram, WhatsApp inside the window recorded by the outbox or with the approved
 * template), routed by platform.
 */
async function platformNotifier(
  config: AppConfig,
  core: Core,
  whatsappPacer: Pacer | undefined,
): Promise<Notifier> {
  const { logger, store, clock } = core.deps;
  const { createNotifierRouter } = await import("./bots/notifier-router.ts");
  const notifiers: Partial<Record<"slack" | "telegram" | "whatsapp", Notifier>> = {};
  if (config.slack.enabled) {
    const { createSlackNotifier } = await import("./bots/slack-notifier.ts");
    notifiers.slack = createSlackNotifier({
      apiUrl: config.slack.apiUrl,
      botToken: config.slack.botToken,
      ...(config.slack.oauth ? { store } : {}),
      logger,
    });
  }
  if (config.telegram.enabled && config.telegram.token) {
    const { createTelegramNotifier } = await import("./bots/telegram-notifier.ts");
    notifiers.telegram = createTelegramNotifier({
      token: config.telegram.token,
      apiRoot: config.telegram.apiRoot,
      logger,
    });
  }
  const wa = config.whatsapp;
  if (wa.enabled && wa.token && wa.phoneNumberId) {
    const { createWhatsAppClient } = await import("./bots/whatsapp-client.ts");
    const { createWhatsAppNotifier } = await import("./bots/whatsapp-notifier.ts");
    const outboxStore = core.outbox.store;
    notifiers.whatsapp = createWhatsAppNotifier({
      // No retries inside the client: the outbox retries with the platform's wait.
      client: createWhatsAppClient({
        token: wa.token,
        phoneNumberId: wa.phoneNumberId,
        graphUrl: wa.graphUrl,
        apiVersion: wa.apiVersion,
        maxRetries: 0,
        logger,
      }),
      ...(whatsappPacer ? { pacer: whatsappPacer } : {}),
      lastInboundAt: async (chatId) => (await outboxStore.chatState("whatsapp", chatId)).lastInboundAt,
      ...(wa.alertTemplate ? { template: wa.alertTemplate } : {}),
      clock,
      logger,
    });
  }
  return createNotifierRouter(notifiers, logger);
}

/**
 * The billing store on the configured store: Supabase RPC when SUPABASE_URL is set, else the SQL store's
 * own executor (its migrations, 0009 included, already ran).
 */
export async function openBillingStore(config: AppConfig, store: Store): Promise<BillingStore> {
  if (config.store.supabaseUrl && config.store.supabaseServiceRoleKey) {
    const { SupabaseBillingStore } = await import("./stores/billing/supabase-billing-store.ts");
    return new SupabaseBillingStore({
      url: config.store.supabaseUrl,
      serviceRoleKey: config.store.supabaseServiceRoleKey,
    });
  }
  const { createSqlBillingStore } = await import("./stores/billing/function-billing-store.ts");
  const { SqlStore } = await import("./stores/sql-store.ts");
  if (!(store instanceof SqlStore)) throw new Error("the configured store cannot hold billing");
  return createSqlBillingStore(store);
}

/**
 * Online payment when STRIPE_SECRET_KEY is set (null otherwise): the Stripe SDK and `src/billing` are
 * imported only then.
 */
export async function openBilling(
  config: AppConfig,
  store: Store,
  deps: { clock: Clock; logger: Logger; upgrade: ChatDeps["upgrade"] },
): Promise<Billing | null> {
  const { secretKey } = config.stripe;
  if (!config.stripe.enabled || !secretKey) return null;
  const billingStore = await openBillingStore(config, store);
  const { createBilling } = await import("./billing/create-billing.ts");
  return createBilling(
    {
      secretKey,
      webhookSecret: config.stripe.webhookSecret,
      apiUrl: config.stripe.apiUrl,
      priceOverrides: config.stripe.priceOverrides,
      graceDays: config.stripe.graceDays,
    },
    { store, billingStore, clock: deps.clock, logger: deps.logger, links: deps.upgrade },
  );
}

/** Ports shared by the CLI and the server. */
export interface Core {
  config: AppConfig;
  deps: ChatDeps;
  /** Stripe billing (checkout, portal, webhook), null without STRIPE_SECRET_KEY. */
  billing: Billing | null;
  /** What jobs this process can run (search built in; others register theirs before workers start). */
  processors: JobProcessors;
  chat: ChatService;
  /** Saved alerts and their runner; null when the store or the index cannot hold them. */
  alerts: { store: AlertStore; runner: AlertRunner } | null;
  /** Messages to chats outside a reply: `core.outbox.outbox.enqueue(...)` (billing notices, alerts). */
  outbox: CoreOutbox;
  close(): Promise<void>;
}

/** Builds every port from config (store by DATABASE_URL / SUPABASE_URL / DATA_DIR, limiter by REDIS_URL…). */
export async function createCore(config: AppConfig, overrides: CoreOverrides = {}): Promise<Core> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const counters = new Counters(overrides.metrics);
  const store =
    overrides.store ?? (await (await import("./stores/create-store.ts")).createStore(config.store, logger));
  const limiter =
    overrides.limiter ??
    (await (
      await import("./stores/create-rate-limiter.ts")
    ).createRateLimiter({ redisUrl: config.redisUrl, store }, logger, counters));
  // Without UPGRADE_TOKEN_SECRET: one generated secret per installation, kept in the store.
  const upgradeSecret = config.upgrade.secretIsEphemeral
    ? await (await import("./stores/stored-secret.ts")).storedSecret(
        store,
        "upgrade_token_secret",
        config.upgrade.secret,
        logger,
      )
    : { secret: config.upgrade.secret, stored: false };
  if (config.upgrade.secretIsEphemeral && !upgradeSecret.stored) {
    logger.warn("upgrade_secret_ephemeral: set UPGRADE_TOKEN_SECRET");
  }
  const { pncp, summarizer, interpreter } = createSearchPorts(config, logger, clock, overrides.metrics);
  // Searches read complete windows from the local index; a store that cannot hold it searches live.
  const index = await openBidIndex(config, store, logger).catch((error: unknown) => {
    logger.warn({ err: error }, "index_unavailable");
    return null;
  });
  // Jobs are data run by registered processors: here (embedded, and BullMQ's fallback) or in workers.
  const processors = overrides.metrics
    ? new (await import("./observability/timed-processors.ts")).TimedJobProcessors(overrides.metrics)
    : new JobProcessors();
  const embedded = new InProcessJobQueue(logger, 4, processors);
  const queue: JobQueue =
    overrides.bullmq && config.redisUrl
      ? await (await import("./queue/bullmq-job-queue.ts")).BullMqJobQueue.open({
          settings: { redisUrl: config.redisUrl, ...config.jobs },
          processors,
          fallback: embedded,
          logger,
        })
      : embedded;
  const backlog = new UsageBacklog();
  const arbitrate = await sectorArbitration(config, store, logger);
  const deps: ChatDeps = {
    pncp,
    summarizer,
    clock,
    logger,
    index,
    ...(arbitrate ? { arbitrate } : {}),
    store,
    limiter,
    queue,
    backlog,
    counters,
    interpreter,
    upgrade: {
      publicBaseUrl: config.publicBaseUrl,
      secret: upgradeSecret.secret,
      ttlHours: config.upgrade.ttlHours,
    },
  };
  const billing = await openBilling(config, store, deps);
  if (billing) deps.billing = billing.chat;
  processors.register("search", lazySearchProcessor(deps, overrides.notifier ?? null));
  const outbox = await openOutbox(config, deps, overrides.notifier ?? null, overrides.outboxPacing);
  const alerts = await openAlerts(config, deps, outbox.outbox);
  const retry = setInterval(() => void backlog.flush(store, logger), 30_000);
  retry.unref();
  return {
    config,
    deps,
    billing,
    processors,
    chat: lazyChatService({
      ...deps,
      alerts: alerts?.store ?? null,
      onContact: (cmd) => outbox.outbox.contact(cmd),
    }),
    alerts,
    outbox,
    async close() {
      clearInterval(retry);
      await outbox.sender?.stop();
      await alerts?.runner.stop();
      await queue.drain(30_000);
      await queue.close?.();
      await backlog.flush(store, logger);
      if (backlog.size > 0) logger.error({ pending: backlog.size }, "usage_backlog_lost_on_shutdown");
      await limiter.close?.();
      await index?.close?.();
      if (!overrides.store) await store.close();
    },
  };
}

/** The running server: adapters mounted on one HTTP server. */
export interface App {
  core: Core;
  adapters: BotAdapter[];
  server: Server;
  /** Listens on `port` (default config.port); resolves with the local base URL. */
  start(port?: number): Promise<string>;
  /** Waits until adapters handed every delivery to the core, jobs finished and replies were sent. */
  idle(): Promise<void>;
  /** This process's sync worker (lease held, running, stalled, last round), null when it does not run. */
  syncStatus(): SyncWorkerStatus | null;
  /** Graceful shutdown: stop intake, let running jobs finish, close ports. */
  stop(): Promise<void>;
}

/** Waits for every adapter's `idle()`, at most `timeoutMs`. */
async function idleAll(adapters: BotAdapter[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(adapters.map((a) => a.idle?.())), deadline]);
  clearTimeout(timer);
}

/** Builds the server app: the core plus every configured adapter. */
/** `createApp` options beyond the core's overrides. */
export interface AppOptions extends CoreOverrides {
  /** Run the sync worker beside the server (`serve` passes true; off unless `SYNC_ENABLED` too). */
  sync?: boolean;
}

export async function createApp(config: AppConfig, overrides: AppOptions = {}): Promise<App> {
  // Loaded before serving so the first delivery does not wait for the chat core's modules.
  await import("./core/chat/chat-service.ts");
  const { PromMetrics } = await import("./observability/prom-metrics.ts");
  overrides = { ...overrides, metrics: overrides.metrics ?? new PromMetrics() };
  // The platforms' notifiers need the core's store (installations, the WhatsApp window): bound once built.
  const { createDeferredNotifier } = await import("./bots/notifier-router.ts");
  const deferred = createDeferredNotifier();
  const notifier = overrides.notifier ?? deferred.notifier;
  const core = await createCore(config, { bullmq: true, ...overrides, notifier });
  const { Pacer } = await import("./bots/whatsapp-pacer.ts");
  const whatsappPacer = config.whatsapp.enabled
    ? new Pacer({ minIntervalMs: config.whatsapp.minIntervalMs })
    : undefined;
  deferred.bind(overrides.notifier ?? (await platformNotifier(config, core, whatsappPacer)));
  const { logger, store, clock } = core.deps;
  const adapterDeps = { chat: core.chat, store, logger, clock, publicBaseUrl: config.publicBaseUrl };
  const adapters: BotAdapter[] = [];
  if (config.slack.enabled) {
    const { createSlackAdapter } = await import("./bots/slack.ts");
    adapters.push(createSlackAdapter(config.slack, adapterDeps));
  } else logger.info({ needs: ADAPTER_REQUIREMENTS.slack }, "adapter_off_slack");
  if (config.telegram.enabled) {
    const { createTelegramAdapter } = await import("./bots/telegram.ts");
    adapters.push(createTelegramAdapter(config.telegram, adapterDeps));
  } else logger.info({ needs: ADAPTER_REQUIREMENTS.telegram }, "adapter_off_telegram");
  if (config.whatsapp.enabled) {
    const { createWhatsAppAdapter } = await import("./bots/whatsapp.ts");
    adapters.push(createWhatsAppAdapter(config.whatsapp, adapterDeps, { pacer: whatsappPacer }));
  } else logger.info({ needs: ADAPTER_REQUIREMENTS.whatsapp }, "adapter_off_whatsapp");

  const { observeApp } = await import("./observability/observe-app.ts");
  const metrics = core.deps.counters.metrics;
  const observed = observeApp({ config, deps: core.deps, metrics, adapters: () => adapters });
  const routes: Route[] = [
    healthRoute(core.deps, () => adapters),
    ...observed.routes,
    upgradeRoute(core.deps, core.deps.upgrade.secret, core.billing ?? undefined),
    // Notices on the outbox (24-hour window, template, held until the next contact) unless it is off.
    ...(core.billing?.routes(
      config.outbox.enabled
        ? { enqueue: (message) => core.outbox.outbox.enqueue(message), notifier: () => notifier }
        : () => notifier,
    ) ?? []),
    ...adapters.flatMap((a) => a.routes),
  ];
  const server = createHttpServer({ routes, logger, ...observed.server });
  let sync: SyncWorker | null = null;

  return {
    core,
    adapters,
    server,
    async start(port = config.port) {
      const url = await listen(server, port);
      for (const adapter of adapters) await adapter.start();
      // With Redis, workers also run the sync as a job scheduler; the `sync` lease keeps it to one syncer
      // (SYNC_ENABLED=false on web instances leaves it to the workers).
      if (overrides.sync && config.sync.enabled) {
        // The core's index when it opened; else try again (the error then says why the sync cannot run).
        sync = await startSync(core, core.deps.index ?? (await openBidIndex(config, store)));
      } else if (overrides.sync) logger.info("sync_off: SYNC_ENABLED=false");
      // Alerts: matched and sent after each sync round here, and on this ticker wherever the sync runs.
      core.alerts?.runner.startTicker(config.alerts.tickMs);
      if (config.outbox.enabled) core.outbox.sender?.start();
      else logger.info("outbox_off: OUTBOX_ENABLED=false");
      logger.info({ url, adapters: adapters.map((a) => a.name) }, "server_started");
      return url;
    },
    syncStatus: () => sync?.status() ?? null,
    async idle() {
      await idleAll(adapters, 60_000);
      await core.deps.queue.drain(60_000);
      await core.billing?.idle();
      // OUTBOX_ENABLED=false: another process sends them, this one must not.
      if (config.outbox.enabled) await core.outbox.sender?.idle();
      await idleAll(adapters, 60_000);
    },
    async stop() {
      logger.info({ jobs: core.deps.queue.size }, "server_stopping");
      // Stop intake first (polling, sockets, new HTTP requests), then let running searches finish.
      for (const adapter of adapters) await adapter.stop();
      await sync?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await idleAll(adapters, 10_000);
      await core.deps.queue.drain(60_000);
      await idleAll(adapters, 20_000);
      await core.close();
      await observed.close();
      server.closeAllConnections();
      await closed;
      logger.info("server_stopped");
    },
  };
}

/** `smart-pncp worker`: the core on BullMQ plus the workers consuming every registered job kind. */
export interface WorkerProcess {
  core: Core;
  /** Jobs running in this process. */
  running(): number;
  /** Graceful: running jobs finish within `graceMs`, the rest are handed back to the queue. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Builds a worker process (needs REDIS_URL): the search runs with `notifier` posting the results (the
 * platforms' notifiers by default), the sync as a job scheduler unless `SYNC_ENABLED=false`. `register`
 * adds other processors (Excel builds, alert matching, the outbox, digests) before the workers start.
 */
export async function createWorkerProcess(
  config: AppConfig,
  overrides: CoreOverrides & { register?: (processors: JobProcessors, core: Core) => void } = {},
): Promise<WorkerProcess> {
  if (!config.redisUrl) throw new Error("smart-pncp worker needs REDIS_URL");
  const logger0 = overrides.logger ?? createLogger(config.logLevel);
  // The same platform notifiers as `serve` (Slack installations, Telegram, WhatsApp inside the window the
  // web process records in the shared store); they need the core's store, so they are bound once it exists.
  const deferred = overrides.notifier
    ? null
    : (await import("./bots/notifier-router.ts")).createDeferredNotifier();
  const notifier = overrides.notifier ?? deferred!.notifier;
  // The searches, Excel builds and the sync run here: their metrics are this process's (METRICS_PORT).
  const metrics = overrides.metrics ?? new (await import("./observability/prom-metrics.ts")).PromMetrics();
  const core = await createCore(config, { bullmq: true, ...overrides, logger: logger0, notifier, metrics });
  if (deferred) deferred.bind(await platformNotifier(config, core, undefined));
  const { logger } = core.deps;
  if (config.sync.enabled) {
    const { pncp, clock, index } = core.deps;
    if (index && pncp instanceof HttpPncpClient) {
      const { syncJobProcessor, SYNC_JOB } = await import("./queue/sync-job.ts");
      const settings = await syncSettings(config);
      const deps = { pncp, index, clock, logger, metrics };
      core.processors.register(SYNC_JOB, syncJobProcessor(deps, settings, logger));
    } else logger.warn("sync_off: no index on this store");
  }
  overrides.register?.(core.processors, core);
  const { startWorkers } = await import("./queue/bullmq-workers.ts");
  const pool = await startWorkers({ redisUrl: config.redisUrl, ...config.jobs }, core.processors, logger);
  const http =
    config.metricsPort === undefined
      ? null
      : await (await import("./observability/worker-http.ts")).startWorkerHttp({
          config,
          deps: core.deps,
          metrics,
          port: config.metricsPort,
        });
  return {
    core,
    running: () => pool.running,
    async stop(graceMs = 30_000) {
      await pool.close(graceMs);
      await http?.close();
      await core.close();
    },
  };
}
