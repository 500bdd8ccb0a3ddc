import type { Bid } from "../bid.ts";
import { formatBRL, formatInt } from "../format.ts";
import { emptySummary, plainSectorName, type SectorNamer } from "./empty-summary.ts";
import { BID_STATUS_LABELS, BID_STATUS_PLURAL } from "./status-labels.ts";
import type { Summarizer, Summary, SummaryInput } from "./summarizer.ts";
import { type SummaryFacts, summaryFacts } from "./summary-facts.ts";
import { alertText, countSentence, cut, formatDateAt, joinPt, place } from "./summary-parts.ts";

const OBJECT_CHARS = 90;
const NAME_CHARS = 60;
const MAX_HIGHLIGHTS = 5;

/** Options of {@link FallbackSummarizer}. */
export interface FallbackSummarizerOptions {
  /** pt-BR sector names for the zero-results text (the filter module's table). */
  sectorName?: SectorNamer;
}

function counted(entries: [string, number][], limit: number): string {
  return joinPt(entries.slice(0, limit).map(([name, n]) => `${cut(name, NAME_CHARS)} (${formatInt(n)})`));
}

/**
 * "Por UF: SP (8) e RJ (4); órgão mais frequente: X (3)." / "Todas em SP; 6 órgãos diferentes." /
 * for one bid "Órgão: X (Leme/SP)."; null when nothing is known.
 */
function distributionSentence(facts: SummaryFacts, count: number): string | null {
  const { only } = facts;
  if (count === 1 && only) {
    const where = place(only);
    return `Órgão: ${cut(only.agency, NAME_CHARS)}${where ? ` (${where})` : ""}.`;
  }
  const parts: string[] = [];
  const { ufs } = facts;
  if (ufs.length === 1 && ufs[0]![1] === count) parts.push(`todas em ${ufs[0]![0]}`);
  else if (ufs.length > 0) parts.push(`por UF: ${counted(ufs, 3)}`);
  if (facts.topAgency) parts.push(`órgão mais frequente: ${counted([facts.topAgency], 1)}`);
  else if (facts.agencyCount >= 2) parts.push(`${formatInt(facts.agencyCount)} órgãos diferentes`);
  if (parts.length === 0) return null;
  const sentence = parts.join("; ");
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

function bidLabel(bid: Bid): string {
  const where = place(bid);
  return `${cut(bid.object, OBJECT_CHARS)} (${cut(bid.agency, NAME_CHARS)}${where ? `, ${where}` : ""})`;
}

/**
 * Up to 5 deterministic highlights, most useful first, from the facts of every matched bid (`count` of
 * them). Exported for the OpenAI summarizer's top-up.
 */
export function fallbackHighlights(facts: SummaryFacts, count: number): string[] {
  const out: string[] = [];
  const { largest, soonestOpen: soonest } = facts;
  const valueLabel = count === 1 ? "Valor estimado" : "Maior valor";
  if (largest) out.push(`${valueLabel}: ${formatBRL(largest.estimatedValue!)} — ${bidLabel(largest)}.`);
  if (soonest) {
    out.push(`Encerramento mais próximo: ${formatDateAt(soonest.proposalsCloseAt!)} — ${bidLabel(soonest)}.`);
  }
  if (facts.topAgency) out.push(`Órgão com mais licitações: ${counted([facts.topAgency], 1)}.`);
  if (facts.topCity) out.push(`Município com mais licitações: ${counted([facts.topCity], 1)}.`);
  out.push(`Modalidades: ${counted(facts.modalidades, 3)}.`);
  const statuses = facts.statuses.map(([status, n]) => {
    const label = n === 1 ? BID_STATUS_LABELS[status] : BID_STATUS_PLURAL[status];
    return `${formatInt(n)} ${label.toLowerCase()}`;
  });
  out.push(`Situação: ${joinPt(statuses)}.`);
  return out.slice(0, MAX_HIGHLIGHTS);
}

/**
 * Deterministic pt-BR summary, used without an OpenAI key and whenever the LLM fails. Numbers come from
 * `input.totals`; zero results give the "empty" summary with tips to widen the search.
 */
export class FallbackSummarizer implements Summarizer {
  readonly #sectorName: SectorNamer;

  constructor(options: FallbackSummarizerOptions = {}) {
    this.#sectorName = options.sectorName ?? plainSectorName;
  }

  /** Never throws, never does I/O. */
  async summarize(input: SummaryInput): Promise<Summary> {
    const { bids, totals, now, query } = input;
    if (totals.count === 0 || bids.length === 0) return emptySummary(query, this.#sectorName);
    const facts = input.facts ?? summaryFacts(bids, now);
    const second = distributionSentence(facts, totals.count);
    return {
      text: second ? `${countSentence(totals)} ${second}` : countSentence(totals),
      highlights: fallbackHighlights(facts, totals.count),
      alert: alertText(facts, totals),
      source: "fallback",
    };
  }
}
