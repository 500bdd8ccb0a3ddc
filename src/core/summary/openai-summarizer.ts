import OpenAI from "openai";
import type { Logger } from "../ports/logger.ts";
import { composeLlmSummary } from "./compose-llm-summary.ts";
import { LlmAnswerError, llmFailureReason, requestStructuredJson } from "./openai-json.ts";
import { buildSummaryMessages, LLM_SUMMARY_JSON_SCHEMA, llmSummarySchema } from "./openai-summary-prompt.ts";
import type { Summarizer, Summary, SummaryInput } from "./summarizer.ts";

/** Options of {@link OpenAiSummarizer}. */
export interface OpenAiSummarizerOptions {
  apiKey: string;
  /** Default "gpt-4o-mini". */
  model?: string;
  /** An OpenAI-compatible endpoint, e.g. `http://127.0.0.1:PORT/v1`; default the SDK's. */
  baseURL?: string;
  /** Per-request timeout; default 15,000 ms so a chat answer is never held long. */
  timeoutMs?: number;
  /** Bids sent to the LLM at most; default 50. */
  maxBids?: number;
  /** SDK retries (429/5xx/connection); default 0: the fallback is instant and good enough. */
  maxRetries?: number;
  logger: Logger;
  /** Used for zero results and on every LLM failure. */
  fallback: Summarizer;
}

/**
 * Summarizer backed by an OpenAI chat model with strict structured output. The model only writes
 * qualitative prose; counts, totals, values, dates and the alert are ours (`compose-llm-summary.ts`).
 * Zero results never reach the API. Any failure (timeout, HTTP error, refusal, bad JSON, schema
 * mismatch, a reply with nothing but numbers) logs `summary_llm_failed` and returns the fallback.
 */
export class OpenAiSummarizer implements Summarizer {
  readonly #client: OpenAI;
  readonly #model: string;
  readonly #maxBids: number;
  readonly #logger: Logger;
  readonly #fallback: Summarizer;

  constructor(options: OpenAiSummarizerOptions) {
    this.#model = options.model ?? "gpt-4o-mini";
    this.#maxBids = options.maxBids ?? 50;
    this.#logger = options.logger;
    this.#fallback = options.fallback;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? 15_000,
      maxRetries: options.maxRetries ?? 0,
    });
  }

  /** Never throws (unless the fallback does). */
  async summarize(input: SummaryInput): Promise<Summary> {
    if (input.totals.count === 0 || input.bids.length === 0) return this.#fallback.summarize(input);
    const started = Date.now();
    try {
      const summary = await this.#ask(input);
      this.#logger.debug({ model: this.#model, ms: Date.now() - started }, "summary_llm_ok");
      return summary;
    } catch (error) {
      this.#logger.warn(
        { reason: llmFailureReason(error), model: this.#model, ms: Date.now() - started },
        "summary_llm_failed",
      );
      return this.#fallback.summarize(input);
    }
  }

  async #ask(input: SummaryInput): Promise<Summary> {
    const sent = input.bids.slice(0, this.#maxBids);
    const json = await requestStructuredJson(this.#client, {
      model: this.#model,
      messages: buildSummaryMessages(input, this.#maxBids),
      schemaName: "resumo_licitacoes",
      schema: LLM_SUMMARY_JSON_SCHEMA,
      maxTokens: 800,
    });
    const parsed = llmSummarySchema.safeParse(json);
    if (!parsed.success) throw new LlmAnswerError("schema_mismatch");
    const summary = composeLlmSummary(parsed.data, input, sent);
    if (!summary) throw new LlmAnswerError("no_usable_text");
    return summary;
  }
}
