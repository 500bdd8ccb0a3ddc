import type { Bid } from "../bid.ts";
import type { SearchQuery } from "../search-query.ts";
import type { SummaryFacts } from "./summary-facts.ts";

/** Totals always computed by us (never taken from an LLM). */
export interface SearchTotals {
  /** Bids that matched. */
  count: number;
  /** Sum of the known estimated values. */
  totalValue: number;
  /** How many matched bids have an estimated value. */
  withValue: number;
  /** Matched bids whose proposals close within 7 days of `now`. */
  closingSoon: number;
}

export interface SummaryInput {
  query: SearchQuery;
  /**
   * The matched bids, already sorted (all of them, or the first ≥ 50 when `facts` is set); a summarizer
   * sends at most ~50 of them anywhere.
   */
  bids: Bid[];
  totals: SearchTotals;
  now: Date;
  /**
   * What the summary reads from ALL matched bids, when `bids` holds only the first ones (the index's chat
   * answer computes them in SQL); absent = computed from `bids` (`summaryFacts`).
   */
  facts?: SummaryFacts;
}

/** The pt-BR summary shown in chat and in the Excel "Resumo" sheet. */
export interface Summary {
  /** Executive summary, 1–2 sentences. */
  text: string;
  /** 2–5 short highlights (fewer when there are fewer bids). */
  highlights: string[];
  /** Urgency alert about proposals closing within 7 days, or null. */
  alert: string | null;
  source: "openai" | "fallback" | "empty";
}

/** Port: turns matched bids into a Summary. Implementations must not throw; they fall back instead. */
export interface Summarizer {
  summarize(input: SummaryInput): Promise<Summary>;
}
