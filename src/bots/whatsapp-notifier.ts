/**
 * The WhatsApp `Notifier`: free-form messages only inside the 24-hour customer-service window (since the
 * user's last message, recorded when each command arrives: `lastInboundAt`); outside it an approved template
 * (`WHATSAPP_ALERT_TEMPLATE`, one body variable `{{1}}` that receives the message text) when configured,
 * else `outside_window`, so the outbox holds the message until the user writes again. A template carries
 * text only: files are returned as `pending` (held for the next contact) with the template's id.
 * Graph refusals map to the stable codes: 131047 (re-engagement) → `outside_window`; 131026 (undeliverable),
 * 131030 (not in the allowed list) → `chat_unreachable`; 130429 / 131056 / 80007 / 4 → `rate_limited`.
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
 */
import type { Reply } from "../core/chat/reply.ts";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { ChatAddress, Notifier, NotifyOptions, NotifyOutcome } from "../core/ports/notifier.ts";
import { WhatsAppApiError, type WhatsAppClient } from "./whatsapp-client.ts";
import type { Pacer } from "./whatsapp-pacer.ts";
import { type Outgoing, renderReply, renderResultsText, renderResultsWithFile } from "./whatsapp-render.ts";

/** The customer-service window (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages). */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Sends this close to the window's end go as a template: a message in flight must not cross it. */
const WINDOW_MARGIN_MS = 60_000;
/** A template body variable: Meta caps the body at 1,024 characters including the template's own text. */
export const TEMPLATE_PARAMETER_LIMIT = 900;

export interface WhatsAppNotifierOptions {
  /** A client that does not retry by itself (`maxRetries: 0`): the outbox owns retries. */
  client: WhatsAppClient;
  /** Shared with the adapter so notifications and search replies to one user keep the pair rate. */
  pacer?: Pacer;
  /** When the user last wrote to us (opens the 24-hour window), or null when never recorded. */
  lastInboundAt(chatId: string): Promise<Date | null>;
  /** `WHATSAPP_ALERT_TEMPLATE` and its language; omitted: outside the window is `outside_window`. */
  template?: { name: string; language: string };
  clock: Clock;
  logger: Logger;
}

/** Purposes a template may carry outside the window (a late search result is not a notification). */
const TEMPLATE_PURPOSES = new Set<NotifyOptions["purpose"]>([
  "billing",
  "alert",
  "digest",
  "bid_change",
  "reminder",
]);
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131056]);
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 133004]);
const UNREACHABLE_CODES = new Set([131026, 131030, 131045]);

/** Maps a Graph failure to an outcome (never throws). */
export function whatsappFailure(error: unknown): Extract<NotifyOutcome, { ok: false }> {
  if (!(error instanceof WhatsAppApiError)) {
    return { ok: false, reason: "transient", detail: error instanceof Error ? error.name : "unknown" };
  }
  const code = error.graphCode;
  const detail = `${error.status ?? "no_response"}${code === null ? "" : ` ${code}`}`;
  if (code === 131047) return { ok: false, reason: "outside_window", detail };
  if (code !== null && UNREACHABLE_CODES.has(code)) return { ok: false, reason: "chat_unreachable", detail };
  if (error.status === 429 || (code !== null && RATE_LIMIT_CODES.has(code))) {
    // The pair limit is ~1 message per 6 s to one user; the others are per number or app.
    const fallback = code === 131056 ? 6000 : 1000;
    return { ok: false, reason: "rate_limited", retryAfterMs: error.retryAfterMs ?? fallback, detail };
  }
  if (error.status === null || error.status >= 500 || (code !== null && TRANSIENT_CODES.has(code)))
    return { ok: false, reason: "transient", detail };
  // 401/190: our token is wrong — every chat would fail alike, so it is not the chat's fault.
  if (error.status === 401 || code === 190) return { ok: false, reason: "transient", detail };
  return { ok: false, reason: "rejected", detail };
}

/** Text a template variable accepts: no newlines or tabs, no more than 4 spaces in a row, bounded. */
export function templateText(text: string, limit = TEMPLATE_PARAMETER_LIMIT): string {
  const flat = text
    .replace(/\s*\n\s*/g, " · ")
    .replace(/[\t\r]/g, " ")
    .replace(/ {2,}/g, " ")
    .replace(/^( · )+|( · )+$/g, "")
    .trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1).trimEnd()}…`;
}

function textOf(reply: Reply): string {
  if (reply.kind === "results") return renderResultsText(reply);
  if (reply.kind === "file") return "";
  const links =
    "buttons" in reply && reply.buttons
      ? reply.buttons.flatMap((b) => ("url" in b ? [`${b.label}: ${b.url}`] : []))
      : [];
  return [reply.text, ...links].join("\n");
}

/** Builds the WhatsApp notifier. */
export function createWhatsAppNotifier(options: WhatsAppNotifierOptions): Notifier {
  const { client } = options;
  const logger = options.logger.child({ platform: "whatsapp", component: "notifier" });

  async function paced(to: string, send: () => Promise<string>): Promise<string> {
    if (!options.pacer) return send();
    let id = "";
    await options.pacer.run(to, async () => {
      id = await send();
      return true;
    });
    return id;
  }

  async function sendOne(to: string, message: Outgoing, mediaId?: string): Promise<string> {
    switch (message.type) {
      case "text":
        return paced(to, () => client.sendText(to, message.body));
      case "cta":
        return paced(to, () =>
          client.sendCtaUrl(to, { body: message.body, displayText: message.displayText, url: message.url }),
        );
      case "buttons":
        return paced(to, () => client.sendReplyButtons(to, { body: message.body, buttons: message.buttons }));
      case "document":
        if (!mediaId) throw new Error("document without an uploaded media id");
        return paced(to, () =>
          client.sendDocument(to, { mediaId, filename: message.file.filename, caption: message.caption }),
        );
    }
  }

  /** Inside the window: the sink's rendering (results + file merged into one document when it fits). */
  async function freeForm(to: string, replies: Reply[]): Promise<NotifyOutcome> {
    const messageIds: string[] = [];
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!;
      const next = replies[i + 1];
      const take = reply.kind === "results" && next?.kind === "file" ? 2 : 1;
      try {
        if (reply.kind === "progress") continue;
        const file = reply.kind === "file" ? reply : next?.kind === "file" && take === 2 ? next : null;
        const mediaId = file
          ? await client.uploadMedia({ data: file.data, mimeType: file.mimeType, filename: file.filename })
          : undefined;
        const plan =
          reply.kind === "results" && file ? renderResultsWithFile(reply, file) : renderReply(reply);
        for (const message of plan) messageIds.push(await sendOne(to, message, mediaId));
        i += take - 1;
      } catch (error) {
        const failure = whatsappFailure(error);
        logger.info({ reason: failure.reason, detail: failure.detail }, "whatsapp_notify_failed");
        return messageIds.length === 0 ? failure : { ...failure, pending: replies.slice(i), messageIds };
      }
    }
    return { ok: true, messageIds };
  }

  /** Outside the window: one template with the text; files wait for the next contact. */
  async function viaTemplate(
    to: string,
    template: { name: string; language: string },
    replies: Reply[],
  ): Promise<NotifyOutcome> {
    if (!client.sendTemplate) return { ok: false, reason: "outside_window", detail: "no_template_support" };
    const files = replies.filter((r) => r.kind === "file");
    const text = templateText(
      replies
        .map(textOf)
        .filter((t) => t !== "")
        .join("\n"),
    );
    if (text === "") return { ok: false, reason: "outside_window", detail: "files_only" };
    let id: string;
    try {
      id = await paced(to, () =>
        client.sendTemplate!(to, {
          name: template.name,
          language: template.language,
          bodyParameters: [text],
        }),
      );
    } catch (error) {
      const failure = whatsappFailure(error);
      // A refused template (132xxx: missing, paused, wrong parameters) is our configuration: hold the
      // message for the next contact rather than drop it.
      const code = error instanceof WhatsAppApiError ? error.graphCode : null;
      if (code !== null && code >= 132000 && code < 133000) {
        logger.error({ code, template: template.name }, "whatsapp_template_refused");
        return { ok: false, reason: "outside_window", detail: `template_refused ${code}` };
      }
      logger.info({ reason: failure.reason, detail: failure.detail }, "whatsapp_notify_failed");
      return failure;
    }
    if (files.length === 0) return { ok: true, messageIds: [id] };
    return {
      ok: false,
      reason: "outside_window",
      detail: "template_sent_files_held",
      pending: files,
      messageIds: [id],
    };
  }

  return {
    async notify(address: ChatAddress, replies, notifyOptions): Promise<NotifyOutcome> {
      const to = address.chatId;
      let last: Date | null;
      try {
        last = await options.lastInboundAt(to);
      } catch (error) {
        logger.warn({ err: error }, "whatsapp_notify_window_unknown");
        return { ok: false, reason: "transient", detail: "window_lookup_failed" };
      }
      const now = options.clock.now().getTime();
      const inside = last !== null && now < last.getTime() + WHATSAPP_WINDOW_MS - WINDOW_MARGIN_MS;
      const template =
        options.template && TEMPLATE_PURPOSES.has(notifyOptions.purpose) ? options.template : undefined;
      if (inside) {
        const outcome = await freeForm(to, replies);
        // Meta's own clock said the window is closed (131047) before anything went out: use the template.
        if (!outcome.ok && outcome.reason === "outside_window" && !outcome.pending && template)
          return viaTemplate(to, template, replies);
        return outcome;
      }
      if (template) return viaTemplate(to, template, replies);
      return { ok: false, reason: "outside_window", detail: last === null ? "no_contact" : "window_closed" };
    },
  };
}
