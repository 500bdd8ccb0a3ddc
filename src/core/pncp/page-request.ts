/**
 * One HTTP attempt at one PNCP page, classified. Knows PNCP's wire quirks (shared/reference/PNCP-API.md
 * §A5): 204 with an empty body but a JSON content type = no records; 400 on a page past the end = the
 * end; 429 comes with an HTML body; bodies are UTF-8 whatever the header says; bodies can be truncated.
 */

import { type PncpEnvelope, pncpEnvelopeSchema } from "./record-schema.ts";
import { isRetryableStatus } from "./retry.ts";

/** Outcome of one attempt. `retryable` and `fatal` carry a short machine-readable reason for logs. */
export type PageOutcome =
  | { kind: "ok"; records: unknown[]; totalPages: number; status: number }
  | { kind: "empty"; status: number }
  | { kind: "retryable"; status: number | null; reason: string; retryAfter: string | null }
  | { kind: "fatal"; status: number; reason: string };

/** Raised through `signal.reason` when our own per-request timer fires. */
class RequestTimeout extends Error {
  constructor(ms: number) {
    super(`PNCP request timed out after ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/** Everything one attempt needs; `signal` is the caller's (search-wide) signal. */
export interface PageRequestInput {
  fetch: typeof fetch;
  url: URL;
  page: number;
  pageSize: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Sends one GET and classifies the answer. Throws only when the caller's signal aborted (its reason);
 * timeouts, network errors and bad bodies come back as `retryable` outcomes.
 */
export async function requestPage(input: PageRequestInput): Promise<PageOutcome> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(input.signal?.reason);
  input.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new RequestTimeout(input.timeoutMs)), input.timeoutMs);
  try {
    const response = await input.fetch(input.url, {
      method: "GET",
      headers: { accept: "application/json" },
      signal: controller.signal,
    });
    // The timer keeps running while the body streams in: a hang mid-body is a timeout too.
    const bytes = new Uint8Array(await response.arrayBuffer());
    return classify(response.status, response.headers.get("retry-after"), bytes, input);
  } catch (error) {
    if (input.signal?.aborted) throw input.signal.reason;
    const reason = controller.signal.reason instanceof RequestTimeout ? "timeout" : networkReason(error);
    return { kind: "retryable", status: null, reason, retryAfter: null };
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener("abort", onCallerAbort);
  }
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return `network_${cause.code}`;
  return "network_error";
}

function classify(
  status: number,
  retryAfter: string | null,
  bytes: Uint8Array,
  input: PageRequestInput,
): PageOutcome {
  if (status === 204) return { kind: "empty", status };
  if (status === 400 && input.page > 1) return { kind: "empty", status };
  if (status === 200) return parseBody(bytes, input.pageSize);
  if (isRetryableStatus(status)) return { kind: "retryable", status, reason: `http_${status}`, retryAfter };
  return { kind: "fatal", status, reason: `http_${status}` };
}

function parseBody(bytes: Uint8Array, pageSize: number): PageOutcome {
  if (bytes.length === 0) return { kind: "retryable", status: 200, reason: "empty_body", retryAfter: null };
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch {
    return { kind: "retryable", status: 200, reason: "invalid_json", retryAfter: null };
  }
  const parsed = pncpEnvelopeSchema.safeParse(json);
  if (!parsed.success)
    return { kind: "retryable", status: 200, reason: "invalid_envelope", retryAfter: null };
  const records = parsed.data.data ?? [];
  return { kind: "ok", records, totalPages: totalPages(parsed.data, records.length, pageSize), status: 200 };
}

/** `totalPaginas`, else derived from `totalRegistros`, else at least this page. */
function totalPages(envelope: PncpEnvelope, onPage: number, pageSize: number): number {
  if (envelope.totalPaginas != null) return envelope.totalPaginas;
  if (envelope.totalRegistros != null) return Math.ceil(envelope.totalRegistros / pageSize);
  return onPage > 0 ? (envelope.numeroPagina ?? 1) : 0;
}
