/**
 * A loopback stand-in for the WhatsApp Cloud API (Graph API) at `WHATSAPP_GRAPH_URL`.
 *
 * ```ts
 * const graph = await startFakeWhatsApp({ token: "tok", phoneNumberId: "1055" });
 * // WHATSAPP_GRAPH_URL = graph.url
 * graph.failNext("http_429", { count: 2 });     // next 2 calls answer 429 (Graph code 130429)
 * await graph.waitFor(() => graph.messages.length >= 3);
 * graph.messages[0].body.text.body;            // every accepted /messages body, with arrival time `at`
 * graph.media[0].data;                         // the uploaded file's bytes, parsed from the multipart body
 * await graph.close();
 * ```
 *
 * - `POST /{version}/{phone-number-id}/messages` (JSON) records the body and answers like Graph:
 *   `{messaging_product, contacts:[{input, wa_id}], messages:[{id}]}`.
 * - `POST /{version}/{phone-number-id}/media` (multipart: `messaging_product`, `type`, `file`) records the
 *   file and answers `{id}`.
 * - A wrong/missing Bearer token gets 401 (code 190); an unknown phone number id 400 (code 100). Bodies that
 *   break the platform's limits (text > 4096, caption > 1024, CTA button > 20 chars, document with an
 *   unknown media id…) get 400 (code 100 / 131053) so tests catch them. Failed calls are not in `messages`.
 * - Every request, failed or not, is in `requests` with its arrival time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeWhatsAppOptions {
  token?: string;
  phoneNumberId?: string;
  /**
   * Approved templates (name → language code and number of body variables); a template message naming
   * another, or with the wrong language or variable count, gets Graph's 132001 / 132000.
   */
  templates?: Record<string, { language: string; bodyParameters: number }>;
}

/** An accepted `/messages` call. */
export interface FakeWhatsAppMessage {
  /** `Date.now()` when the request arrived. */
  at: number;
  id: string;
  version: string;
  /** `to` (phone) or `recipient` (BSUID). */
  to: string;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary Graph fields.
  body: any;
}

/** An accepted `/media` upload. */
export interface FakeWhatsAppMedia {
  at: number;
  id: string;
  version: string;
  messagingProduct: string | null;
  /** The multipart `type` field. */
  type: string | null;
  filename: string;
  /** The file part's own content type. */
  contentType: string;
  data: Buffer;
}

export interface FakeWhatsAppRequest {
  at: number;
  method: string;
  path: string;
  status: number;
}

/**
 * Faults for the next calls: `http_429` (code 130429), `http_500` (code 1, transient), `pair_rate_limit`
 * (HTTP 400, code 131056), `invalid_token` (401, code 190, not retryable), `bad_request` (400, code 100).
 */
export type FakeWhatsAppFault =
  | "http_429"
  | "http_500"
  | "pair_rate_limit"
  | "invalid_token"
  | "bad_request"
  /** 131047: more than 24 hours since the user last wrote (free-form refused). */
  | "reengagement"
  /** 131026: the recipient cannot receive the message (not on WhatsApp, old client, blocked terms). */
  | "undeliverable";

export interface FakeWhatsApp {
  /** `http://127.0.0.1:PORT`: what `WHATSAPP_GRAPH_URL` gets. */
  readonly url: string;
  readonly token: string;
  readonly phoneNumberId: string;
  readonly messages: FakeWhatsAppMessage[];
  readonly media: FakeWhatsAppMedia[];
  readonly requests: FakeWhatsAppRequest[];
  /** The next `count` (default 1) calls to `endpoint` (default both) fail with `fault`. */
  failNext(fault: FakeWhatsAppFault, options?: { count?: number; endpoint?: "messages" | "media" }): void;
  /** Resolves once `predicate()` holds; rejects after `timeoutMs` (default 10 s) with what was recorded. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Forgets recorded calls and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

const FAULTS: Record<FakeWhatsAppFault, { status: number; code: number; message: string }> = {
  http_429: { status: 429, code: 130429, message: "Rate limit hit" },
  http_500: { status: 500, code: 1, message: "An unknown error occurred" },
  pair_rate_limit: {
    status: 400,
    code: 131056,
    message: "(Business Account, Consumer Account) pair rate limit hit",
  },
  invalid_token: {
    status: 401,
    code: 190,
    message: "Invalid OAuth access token - Cannot parse access token",
  },
  bad_request: { status: 400, code: 100, message: "Invalid parameter" },
  reengagement: {
    status: 400,
    code: 131047,
    message: "Re-engagement message: more than 24 hours have passed since the recipient last replied",
  },
  undeliverable: { status: 400, code: 131026, message: "Message undeliverable" },
};

function graphError(res: ServerResponse, status: number, code: number, message: string): void {
  const body = JSON.stringify({
    error: {
      message,
      type: "OAuthException",
      code,
      error_data: { details: message },
      fbtrace_id: "AfakeTrace",
    },
  });
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body);
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** What a real Graph API would refuse in a `/messages` body, or null when it is fine. */
function invalidMessage(
  // biome-ignore lint/suspicious/noExplicitAny: validates an arbitrary JSON body.
  body: any,
  mediaIds: Set<string>,
  templates: NonNullable<FakeWhatsAppOptions["templates"]>,
): { code: number; message: string } | null {
  if (body?.messaging_product !== "whatsapp")
    return { code: 100, message: "messaging_product must be whatsapp" };
  if (typeof body.to !== "string" && typeof body.recipient !== "string")
    return { code: 100, message: "missing to" };
  switch (body.type) {
    case "text": {
      const text = body.text?.body;
      if (typeof text !== "string" || text.length === 0) return { code: 100, message: "text.body required" };
      if (text.length > 4096) return { code: 100, message: "text.body longer than 4096" };
      return null;
    }
    case "template":
      return invalidTemplate(body.template, templates);
    case "document": {
      const doc = body.document;
      if (!doc?.id && !doc?.link) return { code: 100, message: "document.id or link required" };
      if (doc.id && !mediaIds.has(doc.id))
        return { code: 131053, message: "Media upload error: unknown media id" };
      if (typeof doc.caption === "string" && doc.caption.length > 1024)
        return { code: 100, message: "caption too long" };
      return null;
    }
    case "interactive": {
      const it = body.interactive;
      if (it?.type === "button") return invalidReplyButtons(it);
      if (it?.type !== "cta_url")
        return { code: 100, message: "only cta_url and button interactive are faked" };
      const p = it.action?.parameters;
      if (
        it.action?.name !== "cta_url" ||
        typeof p?.url !== "string" ||
        typeof p?.display_text !== "string"
      ) {
        return { code: 100, message: "cta_url action requires display_text and url" };
      }
      if (p.display_text.length > 20) return { code: 100, message: "display_text longer than 20" };
      if (typeof it.body?.text !== "string" || it.body.text.length > 1024)
        return { code: 100, message: "body.text invalid" };
      return null;
    }
    default:
      return { code: 100, message: `unsupported type ${String(body.type)}` };
  }
}

/**
 * A template message as Graph checks it: an approved name (132001), its language, the body variable count
 * (132000), and variables without newlines, tabs or more than 4 spaces in a row (132018).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes
 */
function invalidTemplate(
  // biome-ignore lint/suspicious/noExplicitAny: validates an arbitrary JSON body.
  template: any,
  templates: NonNullable<FakeWhatsAppOptions["templates"]>,
): { code: number; message: string } | null {
  const name = template?.name;
  const approved = typeof name === "string" && Object.hasOwn(templates, name) ? templates[name] : undefined;
  if (!approved || template?.language?.code !== approved.language)
    return { code: 132001, message: "Template name does not exist in the translation" };
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON.
  const body = (template.components ?? []).find((c: any) => c?.type === "body");
  const params: unknown[] = body?.parameters ?? [];
  if (params.length !== approved.bodyParameters)
    return { code: 132000, message: "Number of parameters does not match the expected number of params" };
  for (const p of params as { type?: string; text?: unknown }[]) {
    if (p?.type !== "text" || typeof p.text !== "string" || p.text === "")
      return { code: 132000, message: "Parameter must be text" };
    if (/[\n\t]| {5,}/.test(p.text))
      return {
        code: 132018,
        message: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
      };
  }
  return null;
}

/**
 * Reply buttons as Graph checks them: body.text 1–1024 characters, 1–3 buttons of `type: "reply"`, each
 * `reply.id` 1–256 characters and unique, `reply.title` 1–20 characters and unique.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages
 */
// biome-ignore lint/suspicious/noExplicitAny: validates an arbitrary JSON body.
function invalidReplyButtons(it: any): { code: number; message: string } | null {
  const text = it.body?.text;
  if (typeof text !== "string" || text.length === 0 || text.length > 1024)
    return { code: 100, message: "body.text invalid" };
  const buttons = it.action?.buttons;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3)
    return { code: 100, message: "action.buttons must hold 1 to 3 buttons" };
  const ids = new Set<string>();
  const titles = new Set<string>();
  for (const b of buttons) {
    const id = b?.reply?.id;
    const title = b?.reply?.title;
    if (b?.type !== "reply") return { code: 100, message: "button type must be reply" };
    if (typeof id !== "string" || id.length === 0 || id.length > 256)
      return { code: 100, message: "reply.id must be 1 to 256 characters" };
    if (typeof title !== "string" || title.length === 0 || title.length > 20)
      return { code: 100, message: "reply.title must be 1 to 20 characters" };
    if (ids.has(id) || titles.has(title))
      return { code: 100, message: "button ids and titles must be unique" };
    ids.add(id);
    titles.add(title);
  }
  return null;
}

/** Starts the fake on a free loopback port. */
export async function startFakeWhatsApp(options: FakeWhatsAppOptions = {}): Promise<FakeWhatsApp> {
  const token = options.token ?? "test-whatsapp-token";
  const phoneNumberId = options.phoneNumberId ?? "100200300";
  const messages: FakeWhatsAppMessage[] = [];
  const media: FakeWhatsAppMedia[] = [];
  const requests: FakeWhatsAppRequest[] = [];
  const mediaIds = new Set<string>();
  let faults: { fault: FakeWhatsAppFault; endpoint?: "messages" | "media" }[] = [];
  let seq = 0;

  const server = createServer(async (req, res) => {
    const at = Date.now();
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const finish = (status: number) => requests.push({ at, method: req.method ?? "", path, status });
    const raw = await readAll(req);
    const match = /^\/(v\d+\.\d+)\/([^/]+)\/(messages|media)$/.exec(path);
    if (req.method !== "POST" || !match) {
      finish(404);
      return graphError(res, 404, 100, `Unknown path ${path}`);
    }
    const [, version, phoneId, endpoint] = match as unknown as [string, string, string, "messages" | "media"];
    if (req.headers.authorization !== `Bearer ${token}`) {
      finish(401);
      return graphError(res, 401, 190, "Invalid OAuth access token");
    }
    if (phoneId !== phoneNumberId) {
      finish(400);
      return graphError(
        res,
        400,
        100,
        `Unsupported post request. Object with ID '${phoneId}' does not exist`,
      );
    }
    const faultIndex = faults.findIndex((f) => !f.endpoint || f.endpoint === endpoint);
    if (faultIndex >= 0) {
      const { fault } = faults[faultIndex]!;
      faults.splice(faultIndex, 1);
      const f = FAULTS[fault];
      finish(f.status);
      return graphError(res, f.status, f.code, f.message);
    }
    if (endpoint === "media") {
      let form: FormData;
      try {
        form = await new Response(raw, {
          headers: { "content-type": req.headers["content-type"] ?? "" },
        }).formData();
      } catch {
        finish(400);
        return graphError(res, 400, 100, "media upload must be multipart/form-data");
      }
      const file = form.get("file");
      if (!(file instanceof Blob)) {
        finish(400);
        return graphError(res, 400, 100, "file part required");
      }
      const id = `media-${++seq}`;
      mediaIds.add(id);
      media.push({
        at,
        id,
        version,
        messagingProduct: (form.get("messaging_product") as string | null) ?? null,
        type: (form.get("type") as string | null) ?? null,
        filename: (file as File).name ?? "",
        contentType: file.type,
        data: Buffer.from(await file.arrayBuffer()),
      });
      finish(200);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ id }));
    }
    // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON body.
    let body: any;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      finish(400);
      return graphError(res, 400, 100, "body must be JSON");
    }
    const invalid = invalidMessage(body, mediaIds, options.templates ?? {});
    if (invalid) {
      finish(400);
      return graphError(res, 400, invalid.code, invalid.message);
    }
    const id = `wamid.fake-${++seq}`;
    const to: string = body.to ?? body.recipient;
    messages.push({ at, id, version, to, type: body.type, body });
    finish(200);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id }],
      }),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    phoneNumberId,
    messages,
    media,
    requests,
    failNext(fault, opts = {}) {
      for (let i = 0; i < (opts.count ?? 1); i++) faults.push({ fault, endpoint: opts.endpoint });
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) {
          const seen = messages.map((m) => `${m.type}: ${JSON.stringify(m.body).slice(0, 160)}`).join("\n");
          throw new Error(
            `fake WhatsApp: condition not met after ${timeoutMs} ms; messages so far:\n${seen}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      messages.length = 0;
      media.length = 0;
      requests.length = 0;
      faults = [];
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

// ---- Webhook payloads Meta would send to us (for tests that drive the adapter) ----

/** Identities and secrets shared by the WhatsApp tests. */
export const WA = {
  token: "test-wa-token",
  phoneNumberId: "106540352242922",
  displayPhone: "15550783881",
  appSecret: "test-wa-app-secret",
  verifyToken: "test-wa-verify-token",
  apiVersion: "v23.0",
  /** The default user: a BSUID plus the phone Meta still discloses. */
  userId: "BR.1502576394655843",
  phone: "5511987654321",
  name: "Maria Compras",
} as const;

export interface SenderSpec {
  /** BSUID (`user_id`); omit for a payload from before the BSUID rollout. */
  userId?: string;
  /** Phone (`wa_id` / `from`); null for a username user whose number Meta withholds. */
  phone?: string | null;
  name?: string;
}

/** One inbound message of any type (`{type: "text", text: {body}}`, `{type: "image", image: {...}}`…). */
export function messageWebhook(
  wamid: string,
  message: Record<string, unknown>,
  sender: SenderSpec = {},
): unknown {
  const phone = sender.phone === undefined ? WA.phone : sender.phone;
  const userId = sender.userId;
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: WA.displayPhone, phone_number_id: WA.phoneNumberId },
              contacts: [
                {
                  profile: { name: sender.name ?? WA.name },
                  ...(phone ? { wa_id: phone } : {}),
                  ...(userId ? { user_id: userId } : {}),
                },
              ],
              messages: [
                {
                  ...(phone ? { from: phone } : {}),
                  ...(userId ? { from_user_id: userId } : {}),
                  id: wamid,
                  timestamp: "1790000000",
                  ...message,
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

/** A text message webhook. */
export function textWebhook(wamid: string, text: string, sender: SenderSpec = {}): unknown {
  return messageWebhook(wamid, { type: "text", text: { body: text } }, sender);
}

/** A tap on a reply button: `interactive.button_reply` with the button's id and title, as Meta sends it. */
export function buttonReplyWebhook(
  wamid: string,
  reply: { id: string; title: string },
  sender: SenderSpec = {},
  contextId = "wamid.BOT-MESSAGE",
): unknown {
  return messageWebhook(
    wamid,
    {
      type: "interactive",
      context: { from: WA.displayPhone, id: contextId },
      interactive: { type: "button_reply", button_reply: reply },
    },
    sender,
  );
}

/** A `statuses` callback about a message the bot sent (sent/delivered/read). */
export function statusWebhook(wamid: string, status = "delivered"): unknown {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: WA.displayPhone, phone_number_id: WA.phoneNumberId },
              statuses: [
                {
                  id: wamid,
                  status,
                  timestamp: "1790000001",
                  recipient_id: WA.phone,
                  recipient_user_id: WA.userId,
                  pricing: {
                    billable: false,
                    pricing_model: "PMP",
                    category: "service",
                    type: "free_customer_service",
                  },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}
