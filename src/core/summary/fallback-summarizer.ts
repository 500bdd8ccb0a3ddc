import type { Bid, BidStatus } from "../bid.ts";
import { formatBRL, formatInt } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import { emptySummary, plainSectorName, type SectorNamer } from "./empty-summary.ts";
import { BID_STATUS_LABELS, BID_STATUS_PLURAL } from "./status-labels.ts";
import type { Summarizer, Summary, SummaryInput } from "./summarizer.ts";
import { alertText, countSentence, cut, formatDateAt, joinPt, place, rank } from "./summary-parts.ts";

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
function distributionSentence(bids: readonly Bid[]): string | null {
  const [only] = bids;
  if (bids.length === 1 && only) {
    const where = place(only);
    return `Órgão: ${cut(only.agency, NAME_CHARS)}${where ? ` (${where})` : ""}.`;
  }
  const parts: string[] = [];
  const ufs = rank(bids, (b) => b.uf);
  if (ufs.length === 1 && ufs[0]![1] === bids.length) parts.push(`todas em ${ufs[0]![0]}`);
  else if (ufs.length > 0) parts.push(`por UF: ${counted(ufs, 3)}`);
  const agencies = rank(bids, (b) => b.agency);
  const [top] = agencies;
  if (top && top[1] >= 2) parts.push(`órgão mais frequente: ${counted(agencies, 1)}`);
  else if (agencies.length >= 2) parts.push(`${formatInt(agencies.length)} órgãos diferentes`);
  if (parts.length === 0) return null;
  const sentence = parts.join("; ");
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

function bidLabel(bid: Bid): string {
  const where = place(bid);
  return `${cut(bid.object, OBJECT_CHARS)} (${cut(bid.agency, NAME_CHARS)}${where ? `, ${where}` : ""})`;
}

/** Up to 5 deterministic highlights, most useful first. Exported for the OpenAI summarizer's top-up. */
export function fallbackHighlights(bids: readonly Bid[], now: Date): string[] {
  const out: string[] = [];
  const valued = bids.filter((b) => b.estimatedValue !== null && b.estimatedValue > 0);
  const largest = valued.reduce<Bid | null>(
    (best, b) => (best === null || b.estimatedValue! > best.estimatedValue! ? b : best),
    null,
  );
  const valueLabel = bids.length === 1 ? "Valor estimado" : "Maior valor";
  if (largest) out.push(`${valueLabel}: ${formatBRL(largest.estimatedValue!)} — ${bidLabel(largest)}.`);

  const open = bids
    .filter((b) => b.proposalsCloseAt && Date.parse(b.proposalsCloseAt) > now.getTime())
    .sort((a, b) => Date.parse(a.proposalsCloseAt!) - Date.parse(b.proposalsCloseAt!));
  const soonest = open[0];
  if (soonest) {
    out.push(`Encerramento mais próximo: ${formatDateAt(soonest.proposalsCloseAt!)} — ${bidLabel(soonest)}.`);
  }

  const agencies = rank(bids, (b) => b.agency);
  if (agencies[0] && agencies[0][1] >= 2) out.push(`Órgão com mais licitações: ${counted(agencies, 1)}.`);
  const cities = rank(bids, (b) => (b.municipality ? place(b) : null));
  if (cities[0] && cities[0][1] >= 2) out.push(`Município com mais licitações: ${counted(cities, 1)}.`);

  out.push(
    `Modalidades: ${counted(
      rank(bids, (b) => modalidadeName(b.modalityId)),
      3,
    )}.`,
  );
  const statuses = rank(bids, (b) => b.status).map(([status, n]) => {
    const label = n === 1 ? BID_STATUS_LABELS[status as BidStatus] : BID_STATUS_PLURAL[status as BidStatus];
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
    const second = distributionSentence(bids);
    return {
      text: second ? `${countSentence(totals)} ${second}` : countSentence(totals),
      highlights: fallbackHighlights(bids, now),
      alert: alertText(bids, totals, now),
      source: "fallback",
    };
  }
}
