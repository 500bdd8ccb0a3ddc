/**
 * A loopback stand-in for the OpenAI Chat Completions API, for tests of anything built on the `openai` SDK.
 *
 * ```ts
 * const fake = await startFakeOpenAi();
 * const client = new OpenAI({ apiKey: "test", baseURL: fake.baseURL, maxRetries: 0 });
 * fake.setResponse({ content: { text: "ok" } });   // message.content = JSON.stringify(content)
 * fake.setResponse("http_500");                      // or a mode name, see FakeOpenAiMode
 * fake.setResponse((req) => (req.body.model === "x" ? "hang" : { content: "{}" }));  // per request
 * fake.requests[0].body.messages;                   // every request, body parsed as JSON
 * await fake.close();                                // also ends hanging requests
 * ```
 *
 * - `url` is `http://127.0.0.1:PORT` (no path); `baseURL` is `${url}/v1`, which is what tests pass to the
 *   SDK. Both `POST /v1/chat/completions` and `POST /chat/completions` are served (for a baseURL without
 *   `/v1`); anything else gets a 404 and is still recorded.
 * - Until `setResponse` is called every request gets a 500 saying no response was configured.
 * - The answer echoes the request's `model` and has `finish_reason: "stop"` unless the mode says otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A recorded request. `body` is the parsed JSON (or the raw text when it was not JSON). */
export interface FakeOpenAiRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary request fields.
  body: any;
}

/**
 * What the fake answers:
 * - `{ content }`: a valid completion; an object/array is JSON-stringified, a string is sent as is.
 *   `finishReason` overrides "stop" (e.g. "length", "content_filter").
 * - "invalid_json": 200 whose message content is truncated JSON.
 * - "schema_mismatch": 200 whose content is valid JSON of the wrong shape.
 * - "refusal": 200 with `content: null` and a `refusal` text.
 * - "hang": never answers (until `close()`), for client timeouts.
 * - "http_500" / "http_429": error statuses with OpenAI-style error bodies (429 carries `retry-after: 1`).
 */
export type FakeOpenAiMode =
  | { content: unknown; finishReason?: string }
  | "invalid_json"
  | "schema_mismatch"
  | "refusal"
  | "hang"
  | "http_500"
  | "http_429";

/** Decides the answer per request. */
export type FakeOpenAiHandler = (request: FakeOpenAiRequest) => FakeOpenAiMode;

/** A running fake; see the file comment. */
export interface FakeOpenAi {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `${url}/v1`: pass this as the SDK's `baseURL`. */
  baseURL: string;
  /** Every request received, in order. */
  requests: FakeOpenAiRequest[];
  setResponse(mode: FakeOpenAiMode | FakeOpenAiHandler): void;
  close(): Promise<void>;
}

function completion(
  model: unknown,
  content: string | null,
  finishReason = "stop",
  refusal: string | null = null,
) {
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof model === "string" ? model : "fake-model",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_fake", ...headers });
  res.end(JSON.stringify(body));
}

function answer(res: ServerResponse, request: FakeOpenAiRequest, mode: FakeOpenAiMode): void {
  const model = request.body?.model;
  if (typeof mode === "object") {
    const content = typeof mode.content === "string" ? mode.content : JSON.stringify(mode.content);
    send(res, 200, completion(model, content, mode.finishReason));
    return;
  }
  switch (mode) {
    case "invalid_json":
      send(res, 200, completion(model, '{"summary": "Resumo cortado no meio, "highlights": ['));
      return;
    case "schema_mismatch":
      send(res, 200, completion(model, JSON.stringify({ unexpected: true, highlights: "não é uma lista" })));
      return;
    case "refusal":
      send(res, 200, completion(model, null, "stop", "I'm sorry, I can't help with that."));
      return;
    case "hang":
      return;
    case "http_500":
      send(res, 500, { error: { message: "The server had an error", type: "server_error", code: null } });
      return;
    case "http_429":
      send(
        res,
        429,
        { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } },
        { "retry-after": "1" },
      );
      return;
  }
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = [];
  let handler: FakeOpenAiHandler = () => {
    throw new Error("fake OpenAI: no response configured (call setResponse)");
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        // keep the raw text
      }
      const path = (req.url ?? "/").split("?")[0]!;
      const request: FakeOpenAiRequest = { method: req.method ?? "GET", path, headers: req.headers, body };
      requests.push(request);
      const route = path === "/v1/chat/completions" || path === "/chat/completions";
      if (req.method !== "POST" || !route) {
        send(res, 404, {
          error: { message: `fake OpenAI: no route ${req.method} ${path}`, type: "not_found" },
        });
        return;
      }
      try {
        answer(res, request, handler(request));
      } catch (error) {
        send(res, 500, { error: { message: String(error), type: "fake_error" } });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    setResponse(mode) {
      handler = typeof mode === "function" ? mode : () => mode;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
