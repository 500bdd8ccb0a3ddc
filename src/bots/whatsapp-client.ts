import type { Logger } from "../core/ports/logger.ts";

/**
 * A small typed WhatsApp Cloud API client over `fetch` (Meta's Node SDK is abandoned; see
 * CHAT-PLATFORMS.md §3.10). Base URL and version are configuration so tests point it at a loopback fake.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/
 */
export interface WhatsAppClientOptions {
  token: string;
  phoneNumberId: string;
  /** `https://graph.facebook.com` or a loopback fake; no trailing slash needed. */
  graphUrl: string;
  apiVersion: string;
  /** Retries after the first attempt on 429, 5xx and throttling error codes (default 3). */
  maxRetries?: number;
  /** First retry delay; doubles each time (default 500 ms), capped by `retryMaxMs` (default 8 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per request (default 20 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

/** A CTA URL interactive message: one URL button under a body text. */
export interface CtaUrlMessage {
  /** ≤ 1024 characters. */
  body: string;
  /** Button text, ≤ 20 characters. */
  displayText: string;
  url: string;
  footer?: string;
}

/** An interactive reply-buttons message: up to 3 buttons (`id` ≤ 256, `title` ≤ 20 characters). */
export interface ReplyButtonsMessage {
  /** ≤ 1024 characters. */
  body: string;
  buttons: { id: string; title: string }[];
}

export interface DocumentMessage {
  mediaId: string;
  filename: string;
  /** ≤ 1024 characters; WhatsApp markup allowed. */
  caption?: string;
}

/** An approved message template with one body text parameter per entry of `bodyParameters`, in order. */
export interface TemplateMessage {
  name: string;
  /** Language/locale code the template was approved in, e.g. `pt_BR`. */
  language: string;
  bodyParameters: string[];
}

export interface MediaFile {
  data: Buffer;
  mimeType: string;
  filename: string;
}

/** What the adapter needs from the Cloud API. Every send returns the new message's wamid. */
export interface WhatsAppClient {
  sendText(to: string, body: string): Promise<string>;
  sendCtaUrl(to: string, message: CtaUrlMessage): Promise<string>;
  sendReplyButtons(to: string, message: ReplyButtonsMessage): Promise<string>;
  /** Multipart POST `/{phone-number-id}/media`; returns the media id (valid ~30 days). */
  uploadMedia(file: MediaFile): Promise<string>;
  sendDocument(to: string, document: DocumentMessage): Promise<string>;
  /** A template message: the only kind allowed outside the 24-hour customer-service window. */
  sendTemplate?(to: string, template: TemplateMessage): Promise<string>;
}

/**
 * A failed Cloud API call: HTTP status (null when the request never got an answer), Graph error code and
 * subcode, the operation, and whether retrying can help. Never carries the token.
 */
export class WhatsAppApiError extends Error {
  readonly status: number | null;
  readonly graphCode: number | null;
  readonly graphSubcode: number | null;
  readonly operation: string;
  readonly retryable: boolean;
  readonly fbtraceId: string | null;
  /** The server's `Retry-After`, when it sent one. */
  readonly retryAfterMs: number | null;

  constructor(
    operation: string,
    info: {
      status: number | null;
      graphCode?: number | null;
      graphSubcode?: number | null;
      detail: string;
      fbtraceId?: string | null;
      retryAfterMs?: number | null;
    },
    options: { retryable: boolean; cause?: unknown },
  ) {
    const code = info.graphCode != null ? ` code ${info.graphCode}` : "";
    super(
      `WhatsApp ${operation} failed (${info.status === null ? "no response" : `HTTP ${info.status}`}${code}): ${info.detail}`,
      {
        cause: options.cause,
      },
    );
    this.name = "WhatsAppApiError";
    this.operation = operation;
    this.status = info.status;
    this.graphCode = info.graphCode ?? null;
    this.graphSubcode = info.graphSubcode ?? null;
    this.fbtraceId = info.fbtraceId ?? null;
    this.retryAfterMs = info.retryAfterMs ?? null;
    this.retryable = options.retryable;
  }
}

/**
 * Graph codes worth a retry whatever the HTTP status: 4 app call limit, 80007 WABA rate limit, 130429
 * throughput, 131056 pair rate limit (same user too fast), 131000/131016 transient service errors.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 */
const RETRYABLE_CODES = new Set([4, 80007, 130429, 131056, 131000, 131016]);

const graphErrorSchema = (body: unknown) => {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== "object") return null;
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  const details = (error.error_data as { details?: unknown } | undefined)?.details;
  return {
    code: num(error.code),
    subcode: num(error.error_subcode),
    message: typeof error.message === "string" ? error.message : "",
    details: typeof details === "string" ? details : "",
    fbtraceId: typeof error.fbtrace_id === "string" ? error.fbtrace_id : null,
  };
};

/** BSUIDs look like `BR.1502576394655843` (country, dot, id); phone numbers are digits. */
export function isBsuid(id: string): boolean {
  return /^[A-Z]{2}\./.test(id);
}

/** Addresses a user by phone (`to`) or, for username users without one, by BSUID (`recipient`). */
function addressee(to: string): Record<string, string> {
  return isBsuid(to) ? { recipient: to } : { recipient_type: "individual", to };
}

/** Builds the Cloud API client. */
export function createWhatsAppClient(options: WhatsAppClientOptions): WhatsAppClient {
  const base = `${options.graphUrl.replace(/\/+$/, "")}/${options.apiVersion}/${options.phoneNumberId}`;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = options.maxRetries ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 8000;
  const timeoutMs = options.timeoutMs ?? 20_000;

  async function attempt(
    operation: string,
    path: string,
    body: () => NonNullable<RequestInit["body"]>,
    json: boolean,
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.token}`,
          ...(json ? { "content-type": "application/json" } : {}),
        },
        body: body(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      // A timed-out message may have been delivered: only the idempotent media upload is retried then.
      throw new WhatsAppApiError(
        operation,
        { status: null, detail: timedOut ? `timeout after ${timeoutMs} ms` : "network error" },
        { retryable: !timedOut || operation === "media", cause: error },
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (response.ok) return parsed;
    const graph = graphErrorSchema(parsed);
    const retryable =
      response.status === 429 ||
      response.status >= 500 ||
      (graph?.code != null && RETRYABLE_CODES.has(graph.code));
    const retryAfter = response.headers.get("retry-after");
    const retryAfterSeconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    throw new WhatsAppApiError(
      operation,
      {
        status: response.status,
        graphCode: graph?.code ?? null,
        graphSubcode: graph?.subcode ?? null,
        detail:
          [graph?.message, graph?.details].filter(Boolean).join(" — ") ||
          text.slice(0, 200) ||
          response.statusText,
        fbtraceId: graph?.fbtraceId ?? null,
        retryAfterMs:
          Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0 ? retryAfterSeconds * 1000 : null,
      },
      { retryable },
    );
  }

  async function call(
    operation: string,
    path: string,
    body: () => NonNullable<RequestInit["body"]>,
    json: boolean,
  ): Promise<unknown> {
    for (let n = 0; ; n++) {
      try {
        return await attempt(operation, path, body, json);
      } catch (error) {
        if (!(error instanceof WhatsAppApiError) || !error.retryable || n >= maxRetries) throw error;
        const delay = Math.min(retryMaxMs, error.retryAfterMs ?? retryBaseMs * 2 ** n);
        options.logger?.warn(
          { operation, status: error.status, graphCode: error.graphCode, attempt: n + 1, delayMs: delay },
          "whatsapp_api_retry",
        );
        await sleep(delay);
      }
    }
  }

  async function sendMessage(to: string, message: Record<string, unknown>): Promise<string> {
    const payload = { messaging_product: "whatsapp", ...addressee(to), ...message };
    const result = (await call("messages", "/messages", () => JSON.stringify(payload), true)) as {
      messages?: { id?: string }[];
    } | null;
    return result?.messages?.[0]?.id ?? "";
  }

  return {
    sendText(to, body) {
      return sendMessage(to, { type: "text", text: { body, preview_url: false } });
    },
    sendCtaUrl(to, message) {
      return sendMessage(to, {
        type: "interactive",
        interactive: {
          type: "cta_url",
          body: { text: message.body },
          ...(message.footer ? { footer: { text: message.footer } } : {}),
          action: { name: "cta_url", parameters: { display_text: message.displayText, url: message.url } },
        },
      });
    },
    sendReplyButtons(to, message) {
      return sendMessage(to, {
        type: "interactive",
        interactive: {
          type: "button",
          body: { text: message.body },
          action: {
            buttons: message.buttons.map((b) => ({ type: "reply", reply: { id: b.id, title: b.title } })),
          },
        },
      });
    },
    async uploadMedia(file) {
      const form = () => {
        const data = new FormData();
        data.append("messaging_product", "whatsapp");
        data.append("type", file.mimeType);
        data.append("file", new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.filename);
        return data;
      };
      const result = (await call("media", "/media", form, false)) as { id?: string } | null;
      if (!result?.id) {
        throw new WhatsAppApiError(
          "media",
          { status: 200, detail: "upload answered without a media id" },
          { retryable: false },
        );
      }
      return result.id;
    },
    sendTemplate(to, template) {
      return sendMessage(to, {
        type: "template",
        template: {
          name: template.name,
          language: { policy: "deterministic", code: template.language },
          components: [
            { type: "body", parameters: template.bodyParameters.map((text) => ({ type: "text", text })) },
          ],
        },
      });
    },
    sendDocument(to, document) {
      return sendMessage(to, {
        type: "document",
        document: {
          id: document.mediaId,
          filename: document.filename,
          ...(document.caption ? { caption: document.caption } : {}),
        },
      });
    },
  };
}
