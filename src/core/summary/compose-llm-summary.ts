/**
 * Turns the LLM's prose into a Summary whose numbers are all ours: the count/total sentence and the
 * alert are computed here, any LLM sentence or highlight that carries a number is dropped, and a
 * highlight's value/date is appended from our own bid data.
 */
import type { Bid } from "../bid.ts";
import { formatValueOrMissing } from "../format.ts";
import { fallbackHighlights } from "./fallback-summarizer.ts";
import type { LlmSummary } from "./openai-summary-prompt.ts";
import type { Summary, SummaryInput } from "./summarizer.ts";
import { summaryFacts } from "./summary-facts.ts";
import { alertText, countSentence, cut, formatDateAt, place } from "./summary-parts.ts";

const NUMBER_WORDS = new RegExp(
  `\\b(${[
    "dois|duas|tres|quatro|cinco|seis|sete|oito|nove|dez|onze|doze|treze|quatorze|catorze|quinze",
    "dezesseis|dezessete|dezoito|dezenove|vinte|trinta|quarenta|cinquenta|sessenta|setenta|oitenta|noventa",
    "cem|cento|duzent\\w*|trezent\\w*|quatrocent\\w*|quinhent\\w*|seiscent\\w*|setecent\\w*|oitocent\\w*",
    "novecent\\w*|mil|milhao|milhoes|bilhao|bilhoes|trilhao|trilhoes|milhares|dezenas?|centenas?|duzias?",
    "dobro|triplo|metade",
  ].join("|")})\\b`,
  "i",
);

/** True when `text` states a quantity: digits, money, percent, or a pt-BR number word. */
export function statesNumber(text: string): boolean {
  const plain = text.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  return /[0-9\uFF10-\uFF19%$]|R\$/.test(plain) || NUMBER_WORDS.test(plain);
}

function clean(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The LLM's sentences without numbers, at most two. */
function qualitativeSentences(overview: string): string {
  return clean(overview)
    .split(/(?<=[.!?])\s+/)
    .filter((s) => s.length > 0 && !statesNumber(s))
    .slice(0, 2)
    .map((s) => (/[.!?]$/.test(s) ? s : `${s}.`))
    .join(" ");
}

function facts(bid: Bid): string {
  const where = place(bid);
  const parts = [
    `${cut(bid.agency, 60)}${where ? `, ${where}` : ""}`,
    formatValueOrMissing(bid.estimatedValue),
  ];
  if (bid.proposalsCloseAt) parts.push(`encerra em ${formatDateAt(bid.proposalsCloseAt)}`);
  return parts.join("; ");
}

/**
 * The final Summary, or null when the LLM gave no usable (number-free) overview. `sent` are the bids
 * the LLM saw, so `bid` refs index into them.
 */
export function composeLlmSummary(
  llm: LlmSummary,
  input: SummaryInput,
  sent: readonly Bid[],
): Summary | null {
  const prose = qualitativeSentences(llm.overview);
  if (!prose) return null;
  const highlights: string[] = [];
  for (const h of llm.highlights) {
    const text = cut(clean(h.text), 200).replace(/[.;:,]+$/, "");
    if (!text || statesNumber(text)) continue;
    const bid = h.bid !== null ? sent[h.bid - 1] : undefined;
    highlights.push(bid ? `${text} (${facts(bid)}).` : `${text}.`);
    if (highlights.length === 5) break;
  }
  const all = input.facts ?? summaryFacts(input.bids, input.now);
  for (const extra of fallbackHighlights(all, input.totals.count)) {
    if (highlights.length >= 2) break;
    highlights.push(extra);
  }
  return {
    text: `${countSentence(input.totals)} ${prose}`,
    highlights,
    alert: alertText(all, input.totals),
    source: "openai",
  };
}
