/**
 * One structured-output call to an OpenAI-compatible Chat Completions endpoint, shared by the summarizer
 * and the query parser (`src/core/query/openai-query-parser.ts`). Uses `chat.completions.create` with a
 * strict `json_schema` rather than the SDK's zod helpers: compatible servers behind `baseURL` often
 * enforce the schema loosely, so the caller always validates the returned JSON with its own zod schema.
 */
import OpenAI from "openai";

/** A failure that is not an SDK error; `message` is the reason that gets logged. */
export class LlmAnswerError extends Error {}

/** Short, log-friendly reason for any failure of {@link requestStructuredJson} or of validation. */
export function llmFailureReason(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return "timeout";
  if (error instanceof OpenAI.APIUserAbortError) return "aborted";
  if (error instanceof OpenAI.APIError) return error.status ? `http_${error.status}` : "connection_error";
  if (error instanceof LlmAnswerError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** What one call sends. `schema` must be a strict JSON schema (root object, all fields required). */
export interface StructuredRequest {
  model: string;
  messages: { role: "system" | "user"; content: string }[];
  schemaName: string;
  schema: Record<string, unknown>;
  maxTokens: number;
}

/**
 * Sends the request and returns the parsed JSON content. Throws the SDK's errors (timeout, HTTP status)
 * or {@link LlmAnswerError} for a refusal, a truncated/filtered answer, empty content or invalid JSON.
 */
export async function requestStructuredJson(client: OpenAI, request: StructuredRequest): Promise<unknown> {
  const response = await client.chat.completions.create({
    model: request.model,
    messages: request.messages,
    temperature: 0.2,
    max_completion_tokens: request.maxTokens,
    response_format: {
      type: "json_schema",
      json_schema: { name: request.schemaName, strict: true, schema: request.schema },
    },
  });
  const choice = response.choices[0];
  if (!choice) throw new LlmAnswerError("no_choice");
  if (choice.message.refusal) throw new LlmAnswerError("refusal");
  if (choice.finish_reason !== "stop") throw new LlmAnswerError(`finish_reason_${choice.finish_reason}`);
  const content = choice.message.content;
  if (!content) throw new LlmAnswerError("empty_content");
  try {
    return JSON.parse(content);
  } catch {
    throw new LlmAnswerError("invalid_json");
  }
}
