import { App, type Authorize, type Logger as BoltLogger, LogLevel, type webApi } from "@slack/bolt";
import { InstallProvider } from "@slack/oauth";
import type { AppConfig } from "../config.ts";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import { errorMessage } from "../core/messages.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { AdapterDeps, BotAdapter, Route } from "./adapter.ts";
import { createCommandRefs, decodeCommand } from "./command-refs.ts";
import {
  type BlockActionPayload,
  fromBlockAction,
  fromMessageEvent,
  fromSlashCommand,
  type MessageEventPayload,
} from "./slack-incoming.ts";
import { createSlackInstallationStore } from "./slack-installation-store.ts";
import { SlackHttpReceiver } from "./slack-receiver.ts";
import { COMMAND_ACTION_PREFIX } from "./slack-render.ts";
import { createSlackSink, type RespondFn } from "./slack-sink.ts";

/** The `config.slack` section (SLACK_* variables). */
export type SlackAdapterConfig = AppConfig["slack"];

/** Ports from the composition root, plus the public URL the OAuth redirect is built on. */
export interface SlackAdapterDeps extends AdapterDeps {
  publicBaseUrl: string;
}

/** Bot scopes requested at install; keep in sync with docs/slack-app-manifest.yml. */
export const SLACK_BOT_SCOPES = [
  "app_mentions:read",
  "chat:write",
  "chat:write.public",
  "commands",
  "files:write",
  "im:history",
  "im:write",
];

export const SLACK_EVENTS_PATH = "/slack/events";
export const SLACK_INSTALL_PATH = "/slack/install";
export const SLACK_REDIRECT_PATH = "/slack/oauth_redirect";

/** Bolt wants @slack/logger's interface; everything goes to our pino logger instead. */
function toBoltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) =>
    parts
      .map((p) => (typeof p === "string" ? p : p instanceof Error ? p.message : JSON.stringify(p)))
      .join(" ");
  return {
    debug: (...parts) => logger.debug(text(parts)),
    info: (...parts) => logger.info(text(parts)),
    warn: (...parts) => logger.warn(text(parts)),
    error: (...parts) => logger.error(text(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** `SLACK_API_URL` with the trailing slash WebClient needs (it appends the method name). */
export function slackApiUrl(apiUrl: string | undefined): string {
  const base = apiUrl ?? "https://slack.com/api/";
  return base.endsWith("/") ? base : `${base}/`;
}

/**
 * The Slack adapter over @slack/bolt: slash commands (`/buscar`, `/setores`, `/plano`, `/assinar`,
 * `/ajuda`), `app_mention` and DMs become `IncomingCommand`s for the chat core; replies go back through
 * a `ReplySink` that edits the "Buscando…" message and uploads the .xlsx.
 *
 * Modes: HTTP (our server's `/slack/events`, signature checked first), Socket Mode when `appToken` is set
 * (no events route), single workspace (`botToken`) or multi-workspace OAuth (`/slack/install`,
 * `/slack/oauth_redirect`, installations in our Store). Web API retries are capped so a job cannot hang
 * for the SDK's default ~30 minutes.
 */
/** The Slack adapter, plus a way to wait for listeners still running after their HTTP ack. */
export interface SlackAdapter extends BotAdapter {
  /** Resolves when every accepted Slack request has been handed to the core (tests, graceful stop). */
  idle(): Promise<void>;
}

export function createSlackAdapter(config: SlackAdapterConfig, deps: SlackAdapterDeps): SlackAdapter {
  const logger = deps.logger.child({ platform: "slack" });
  const boltLogger = toBoltLogger(logger.child({ component: "bolt" }));
  if (!config.signingSecret && !config.socketMode) throw new Error("Slack needs SLACK_SIGNING_SECRET");
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: slackApiUrl(config.apiUrl),
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3000 },
    timeout: 30_000,
    logger: boltLogger,
  };

  let installer: InstallProvider | undefined;
  let authorize: Authorize<boolean>;
  if (config.oauth && config.clientId && config.clientSecret && config.stateSecret) {
    installer = new InstallProvider({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      stateSecret: config.stateSecret,
      installationStore: createSlackInstallationStore(deps.store),
      directInstall: true,
      installUrlOptions: {
        scopes: SLACK_BOT_SCOPES,
        redirectUri: `${deps.publicBaseUrl}${SLACK_REDIRECT_PATH}`,
      },
      clientOptions,
      logger: boltLogger,
    });
    authorize = installer.authorize;
  } else if (config.botToken) {
    const botToken = config.botToken;
    // A fixed token needs no auth.test round trip; our own filter drops bot messages by bot_id.
    authorize = async () => ({ botToken });
  } else {
    throw new Error("Slack needs SLACK_BOT_TOKEN or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET");
  }

  const receiver = config.socketMode
    ? undefined
    : new SlackHttpReceiver({ signingSecret: config.signingSecret!, clock: deps.clock, logger });
  const app = new App({
    ...(receiver ? { receiver } : { socketMode: true, appToken: config.appToken }),
    authorize,
    clientOptions,
    logger: boltLogger,
    convoStore: false,
  });

  const refs = createCommandRefs();

  /** Runs after the ack: the core claims, parses, checks quota and queues the search. */
  async function dispatch(
    cmd: IncomingCommand,
    client: webApi.WebClient,
    respond?: RespondFn,
  ): Promise<void> {
    // Yield once so requests already waiting get their ack before this command's core work runs.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const sink = createSlackSink({
      client,
      channel: cmd.chatId,
      userId: cmd.userId,
      ...(cmd.threadId ? { threadTs: cmd.threadId } : {}),
      ...(respond ? { respond } : {}),
      logger: logger.child({ userKey: cmd.userKey, requestId: cmd.messageId }),
      commandRefs: refs,
    });
    await deps.chat.handle(cmd, sink);
  }

  app.command(/.*/, async ({ command, ack, client, respond }) => {
    const receivedAt = deps.clock.now();
    await ack();
    await dispatch(fromSlashCommand(command, receivedAt), client, respond);
  });

  app.event("app_mention", async ({ event, body, client }) => {
    const cmd = fromMessageEvent(event as MessageEventPayload, body, deps.clock.now());
    if (cmd) await dispatch(cmd, client);
  });

  app.event("message", async ({ event, body, client }) => {
    const cmd = fromMessageEvent(event as MessageEventPayload, body, deps.clock.now());
    if (cmd) await dispatch(cmd, client);
  });

  // Every button sends a block_actions payload (URL buttons too: without an ack Slack shows a warning
  // icon). A command button (`cmd_…`) runs its command as if typed.
  app.action(/.*/, async ({ ack, action, body, client, respond }) => {
    await ack();
    const actionId = (action as { action_id?: string }).action_id ?? "";
    if (!actionId.startsWith(COMMAND_ACTION_PREFIX)) return;
    const payload = body as unknown as BlockActionPayload & { response_url?: string };
    // Bolt only builds respond() when the payload has a response_url.
    const reply = payload.response_url ? (respond as RespondFn) : undefined;
    const decoded = decodeCommand((action as { value?: unknown }).value, refs);
    if (!decoded.ok) {
      logger.info({ reason: decoded.reason }, "slack_button_unreadable");
      if (decoded.reason === "expired" && reply)
        await reply({
          text: errorMessage("BUTTON_EXPIRED"),
          response_type: "ephemeral",
          replace_original: false,
        });
      return;
    }
    const actionTs = (action as { action_ts?: string }).action_ts;
    const cmd = fromBlockAction(payload, actionTs, decoded.command, deps.clock.now());
    if (!cmd) return;
    await dispatch(cmd, client, reply);
  });

  app.error(async (error) => {
    logger.error({ err: error, code: (error as { code?: string }).code }, "slack_listener_failed");
  });

  const routes: Route[] = [];
  if (receiver)
    routes.push({ method: "POST", path: SLACK_EVENTS_PATH, handle: (ctx) => receiver.handle(ctx) });
  if (installer) {
    const oauth = installer;
    routes.push(
      {
        method: "GET",
        path: SLACK_INSTALL_PATH,
        handle: ({ req, res }) => oauth.handleInstallPath(req, res),
      },
      {
        method: "GET",
        path: SLACK_REDIRECT_PATH,
        handle: ({ req, res }) =>
          oauth.handleCallback(req, res, {
            success: (installation, _options, _req, response) => {
              logger.info(
                { teamId: installation.team?.id, enterpriseId: installation.enterprise?.id },
                "slack_installed",
              );
              response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
              response.end(INSTALLED_PAGE);
            },
            failure: (error, _options, _req, response) => {
              logger.warn({ err: error }, "slack_install_failed");
              response.writeHead(400, { "content-type": "text/html; charset=utf-8" });
              response.end(INSTALL_FAILED_PAGE);
            },
          }),
      },
    );
  }

  // HTTP mode needs nothing from Slack to serve; Socket Mode is ready once its socket is open.
  let socketOpen = false;
  return {
    name: "slack",
    routes,
    async start() {
      if (config.socketMode) {
        await app.start();
        socketOpen = true;
        logger.info("slack_socket_mode_started");
      }
    },
    status() {
      return !config.socketMode || socketOpen
        ? { ready: true }
        : { ready: false, reason: "slack_socket_not_open" };
    },
    async stop() {
      if (config.socketMode) await app.stop();
      socketOpen = false;
      // Let acked requests reach the core so their jobs are queued before the queue drains.
      await receiver?.idle();
    },
    async idle() {
      await receiver?.idle();
    },
  };
}

const INSTALLED_PAGE =
  '<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>Smart PNCP</title>' +
  "<h1>Smart PNCP instalado ✅</h1><p>Volte ao Slack e digite <code>/buscar uniformes SP 7d</code>.</p></html>";

const INSTALL_FAILED_PAGE =
  '<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>Smart PNCP</title>' +
  "<h1>A instalação não foi concluída</h1><p>Tente de novo a partir do botão “Adicionar ao Slack”.</p></html>";
