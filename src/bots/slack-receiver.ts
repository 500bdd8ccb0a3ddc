import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../core/ports/logger.ts";
import { sendJson, sendText } from "../server/http.ts";
import { isRecord, parseJson } from "../server/json-body.ts";
import type { HttpContext } from "./adapter.ts";
import { malformedSlackBody } from "./slack-payload.ts";
import { verifySlackSignature } from "./slack-verify.ts";

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  clock: Clock;
  logger: Logger;
}

function header(ctx: HttpContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads a verified body: form-encoded (slash commands; interactions carry JSON in `payload=`) or JSON
 * (Events API). Returns null when it is neither, or when its JSON nests deeper than any Slack payload.
 */
export function parseSlackBody(
  contentType: string | undefined,
  rawBody: Buffer,
): Record<string, unknown> | null {
  const text = rawBody.toString("utf8");
  const object = (json: string) => {
    const parsed = parseJson(json);
    return parsed.ok && isRecord(parsed.value) ? parsed.value : null;
  };
  if (contentType?.includes("application/json")) return object(text);
  const form = new URLSearchParams(text);
  const payload = form.get("payload");
  if (payload !== null) return object(payload);
  return Object.fromEntries(form);
}

/**
 * A Bolt `Receiver` fed by our own HTTP server's `/slack/events` route (Bolt's HTTPReceiver would open a
 * second server). Order: verify the v0 signature on the raw bytes, parse, answer `url_verification`,
 * then `app.processEvent`; the HTTP answer goes out as soon as a listener calls `ack()` (events are
 * acked by Bolt before listeners run), so the 3-second budget never waits for a search.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/receiver
 */
export class SlackHttpReceiver implements Receiver {
  #app: App | undefined;
  readonly #options: SlackHttpReceiverOptions;
  /** Requests whose listeners are still running (they outlive the HTTP answer). */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: SlackHttpReceiverOptions) {
    this.#options = options;
  }

  init(app: App): void {
    this.#app = app;
  }

  /** Nothing to start: requests arrive through the shared HTTP server. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Resolves once every accepted request's listeners have finished (the core has queued its job). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** The `/slack/events` route handler (commands, events and interactions share it). */
  async handle(ctx: HttpContext): Promise<void> {
    const { logger, clock, signingSecret } = this.#options;
    const verdict = verifySlackSignature({
      signingSecret,
      timestamp: header(ctx, "x-slack-request-timestamp"),
      signature: header(ctx, "x-slack-signature"),
      rawBody: ctx.rawBody,
      now: clock.now(),
    });
    if (!verdict.ok) {
      logger.warn({ platform: "slack", reason: verdict.reason }, "slack_signature_rejected");
      return sendJson(ctx.res, 401, { error: "invalid_signature" });
    }
    const body = parseSlackBody(header(ctx, "content-type"), ctx.rawBody);
    if (body === null) return sendJson(ctx.res, 400, { error: "bad_request" });
    if (body.ssl_check !== undefined) return sendText(ctx.res, 200, "");
    if (body.type === "url_verification") return sendJson(ctx.res, 200, { challenge: body.challenge });
    if (!this.#app) throw new Error("SlackHttpReceiver used before Bolt's App.init");
    const why = malformedSlackBody(body);
    if (why !== null) {
      // Signed, so from Slack (or a holder of the secret): a retry would not read any better. 200, dropped.
      logger.warn({ platform: "slack", why }, "slack_payload_dropped");
      return sendText(ctx.res, 200, "");
    }

    let acked = false;
    const ack = async (response?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      if (response === undefined || response === "") sendText(ctx.res, 200, "");
      else if (typeof response === "string") sendText(ctx.res, 200, response);
      else sendJson(ctx.res, 200, response);
    };
    const retryNum = Number(header(ctx, "x-slack-retry-num"));
    const event: ReceiverEvent = {
      body,
      ack,
      ...(Number.isInteger(retryNum) && retryNum > 0 ? { retryNum } : {}),
      ...(header(ctx, "x-slack-retry-reason") ? { retryReason: header(ctx, "x-slack-retry-reason") } : {}),
    };
    const processing = this.#app.processEvent(event);
    this.#inFlight.add(processing);
    try {
      await processing;
    } catch (error) {
      logger.error({ err: error, platform: "slack" }, "slack_process_event_failed");
      if (!acked) {
        acked = true;
        sendJson(ctx.res, 500, { error: "internal_error" });
      }
      return;
    } finally {
      this.#inFlight.delete(processing);
    }
    // Nothing matched (an event type we do not handle): answer so Slack does not retry it.
    if (!acked) await ack();
  }
}
