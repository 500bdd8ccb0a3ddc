import type { AppConfig } from "../config.ts";
import { errorMessage } from "../core/messages.ts";
import { sendJson, sendText } from "../server/http.ts";
import { parseJson } from "../server/json-body.ts";
import type { AdapterDeps, BotAdapter, HttpContext, Route } from "./adapter.ts";
import { createCommandRefs, decodeCommand } from "./command-refs.ts";
import { createWhatsAppClient, type WhatsAppClient } from "./whatsapp-client.ts";
import { Pacer } from "./whatsapp-pacer.ts";
import { ONLY_TEXT_HINT } from "./whatsapp-render.ts";
import { WhatsAppSink } from "./whatsapp-sink.ts";
import { verifySignature, verifySubscription } from "./whatsapp-verify.ts";
import { toWebhookEvents, type WebhookEvent, webhookSchema } from "./whatsapp-webhook.ts";

/**
 * `config.whatsapp`, plus the pacing interval (`WHATSAPP_MIN_INTERVAL_MS` once config.ts reads it).
 */
export type WhatsAppAdapterConfig = Omit<AppConfig["whatsapp"], "alertTemplate"> & { minIntervalMs?: number };

export interface WhatsAppAdapterDeps extends AdapterDeps {
  publicBaseUrl?: string;
}

/** Tuning and test seams; production uses the defaults. */
export interface WhatsAppAdapterOptions {
  /** Minimum gap between two messages to the same user (default `config.minIntervalMs` or 6000 ms). */
  minIntervalMs?: number;
  /** First (and only) progress message after this long (default 15 s). */
  progressAfterMs?: number;
  /** Upper bound on how long results wait for the Excel file they announce (default 5 s). */
  mergeWindowMs?: number;
  /** Graph API retry base delay (default 500 ms). */
  retryBaseMs?: number;
  client?: WhatsAppClient;
  /** Per-user pacing shared with the WhatsApp notifier, so notices and replies to one user keep the pair rate. */
  pacer?: Pacer;
}

export const WEBHOOK_PATH = "/whatsapp/webhook";

/** The adapter, plus a way to wait until every delivery handed to it has been answered and sent. */
export interface WhatsAppAdapter extends BotAdapter {
  /** The pacing interval in effect (ms between two messages to the same user). */
  readonly minIntervalMs: number;
  /**
   * Resolves when no webhook message is being handed to the core and no reply is queued or in flight
   * (results may go out shortly after the search job ends: they wait briefly for the file to merge with).
   */
  idle(): Promise<void>;
}

/**
 * The WhatsApp Cloud API adapter: `GET /whatsapp/webhook` answers Meta's subscription handshake;
 * `POST /whatsapp/webhook` verifies `X-Hub-Signature-256` on the raw bytes, answers 200 at once and hands
 * each message to the chat core, whose replies go out paced through the Graph API.
 *
 * Status codes: bad/missing signature → 401; a body that is not JSON → 400 (a signed body from Meta always
 * is JSON); JSON of a shape we do not know → 200 and a warning, because Meta retries every non-200
 * delivery for up to 7 days and a payload we cannot read will never get readable.
 */
export function createWhatsAppAdapter(
  config: WhatsAppAdapterConfig,
  deps: WhatsAppAdapterDeps,
  options: WhatsAppAdapterOptions = {},
): WhatsAppAdapter {
  const { token, phoneNumberId, appSecret, verifyToken } = config;
  if (!token || !phoneNumberId || !appSecret || !verifyToken) {
    throw new Error(
      "WhatsApp adapter needs WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN",
    );
  }
  const logger = deps.logger.child({ adapter: "whatsapp" });
  const client =
    options.client ??
    createWhatsAppClient({
      token,
      phoneNumberId,
      graphUrl: config.graphUrl,
      apiVersion: config.apiVersion,
      retryBaseMs: options.retryBaseMs,
      logger,
    });
  const pacer =
    options.pacer ?? new Pacer({ minIntervalMs: options.minIntervalMs ?? config.minIntervalMs ?? 6000 });
  const inflight = new Set<Promise<void>>();
  const refs = createCommandRefs();
  const sinkDeps = { client, pacer, logger, inflight, commandRefs: refs };
  const sinkOptions = { progressAfterMs: options.progressAfterMs, mergeWindowMs: options.mergeWindowMs };

  async function dispatch(event: WebhookEvent): Promise<void> {
    switch (event.kind) {
      case "command": {
        const sink = new WhatsAppSink(event.command.chatId, sinkDeps, sinkOptions);
        if (event.buttonPayload === undefined) return deps.chat.handle(event.command, sink);
        const decoded = decodeCommand(event.buttonPayload, refs);
        if (decoded.ok) return deps.chat.handle({ ...event.command, text: decoded.command }, sink);
        // Same idempotency as commands: a redelivered tap on an expired button gets one answer.
        const fresh = await deps.store.claimEvent("whatsapp", event.command.messageId).catch(() => true);
        if (!fresh) return;
        logger.info({ userKey: event.command.userKey, reason: decoded.reason }, "whatsapp_button_unreadable");
        await sink.send({ kind: "text", text: errorMessage("BUTTON_EXPIRED") });
        return;
      }
      case "unsupported": {
        // Same idempotency as commands: a redelivered sticker gets one hint.
        const fresh = await deps.store.claimEvent("whatsapp", event.messageId).catch(() => true);
        if (!fresh) return;
        logger.info({ userKey: event.userKey, type: event.messageType }, "whatsapp_unsupported_message");
        const sink = new WhatsAppSink(event.chatId, sinkDeps, sinkOptions);
        await sink.send({ kind: "text", text: ONLY_TEXT_HINT });
        return;
      }
      case "ignored":
        if (event.reason === "status") {
          const errors = event.detail?.errors;
          if (errors) logger.warn({ ...event.detail }, "whatsapp_status_failed");
          else logger.debug({ ...event.detail }, "whatsapp_status");
        } else if (event.detail?.field === "user_id_update") {
          // A rotated business-scoped user id: the next message would open a new account. Not migrated
          // automatically yet; logged loudly so the identity can be re-pointed by an admin.
          logger.warn({ ...event.detail }, "whatsapp_user_id_update_unhandled");
        } else {
          logger.info({ reason: event.reason, ...event.detail }, "whatsapp_event_ignored");
        }
        return;
    }
  }

  const verifyRoute: Route = {
    method: "GET",
    path: WEBHOOK_PATH,
    async handle({ res, url }: HttpContext) {
      const challenge = verifySubscription(url.searchParams, verifyToken);
      if (challenge === null) {
        logger.warn({ mode: url.searchParams.get("hub.mode") }, "whatsapp_verify_refused");
        return sendText(res, 403, "Forbidden");
      }
      logger.info("whatsapp_webhook_verified");
      sendText(res, 200, challenge);
    },
  };

  const eventsRoute: Route = {
    method: "POST",
    path: WEBHOOK_PATH,
    async handle({ req, res, rawBody }: HttpContext) {
      if (!verifySignature(rawBody, req.headers["x-hub-signature-256"], appSecret)) {
        logger.warn({ bytes: rawBody.length }, "whatsapp_signature_invalid");
        return sendJson(res, 401, { error: "invalid_signature" });
      }
      const parsed = parseJson(rawBody.toString("utf8"));
      if (!parsed.ok) {
        logger.warn({ bytes: rawBody.length, reason: parsed.reason }, "whatsapp_body_not_json");
        return sendJson(res, 400, { error: parsed.reason });
      }
      const payload = webhookSchema.safeParse(parsed.value);
      if (!payload.success) {
        logger.warn({ issues: payload.error.issues.slice(0, 5) }, "whatsapp_payload_unexpected");
        return sendJson(res, 200, { ok: true });
      }
      const events = toWebhookEvents(payload.data, phoneNumberId, deps.clock.now());
      sendJson(res, 200, { ok: true });
      for (const event of events) {
        const handled = dispatch(event).catch((error: unknown) =>
          logger.error({ err: error, kind: event.kind }, "whatsapp_dispatch_failed"),
        );
        inflight.add(handled);
        void handled.finally(() => inflight.delete(handled));
      }
    },
  };

  async function idle(): Promise<void> {
    while (inflight.size > 0) await Promise.all([...inflight]);
  }

  return {
    name: "whatsapp",
    minIntervalMs: pacer.minIntervalMs,
    idle,
    routes: [verifyRoute, eventsRoute],
    async start() {
      logger.info(
        { graphUrl: config.graphUrl, apiVersion: config.apiVersion, minIntervalMs: pacer.minIntervalMs },
        "whatsapp_adapter_ready",
      );
    },
    status() {
      // Webhooks need nothing from Meta to be accepted; send failures are logged per message.
      return { ready: true };
    },
    async stop() {
      // No intake of its own: webhooks stop with the HTTP server.
    },
  };
}
