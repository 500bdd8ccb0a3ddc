import type { Bid } from "../bid.ts";
import { formatBRL, formatDateTime, formatValueOrMissing, plural } from "../format.ts";
import type { SearchOutcome } from "../search/run-search.ts";
import { bidStatusLabel } from "../summary/status-labels.ts";
import type { BidLine, Reply } from "./reply.ts";

const TITLE_MAX = 160;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** A bid as one chat entry. */
export function toBidLine(bid: Bid): BidLine {
  return {
    title: cut(bid.object, TITLE_MAX),
    value: formatValueOrMissing(bid.estimatedValue),
    agency: bid.agency,
    uf: bid.uf ?? "—",
    municipality: bid.municipality,
    closesAt: bid.proposalsCloseAt ? formatDateTime(bid.proposalsCloseAt) : null,
    status: bidStatusLabel(bid.status),
    link: bid.link,
  };
}

/** Notes about data that may be missing (partial fetch, page caps) for the user. */
export function partialNotes(outcome: SearchOutcome): string[] {
  const notes: string[] = [];
  const { stats } = outcome;
  if (stats.failed > 0) {
    notes.push(
      `⚠️ Resultado parcial: o PNCP falhou em ${plural(stats.failed, "página", "páginas")} mesmo após novas tentativas. Tente de novo mais tarde ou com menos estados.`,
    );
  }
  if (stats.truncated) {
    notes.push(
      "⚠️ A busca foi muito ampla e parte das páginas não foi lida. Restrinja estados, período ou modalidades.",
    );
  }
  return notes;
}

/** Builds the results reply with up to `limit` bids and a plain-text rendering. */
export function renderResults(
  outcome: SearchOutcome,
  extraNotes: string[] = [],
  limit = 5,
): Extract<Reply, { kind: "results" }> {
  const { totals, summary } = outcome;
  const bids = outcome.bids.slice(0, limit).map(toBidLine);
  const notes = [...partialNotes(outcome), ...(outcome.freshness ? [outcome.freshness] : []), ...extraNotes];
  const headline =
    totals.count === 0
      ? "Nenhuma licitação encontrada"
      : `${plural(totals.count, "licitação encontrada", "licitações encontradas")}${totals.withValue > 0 ? ` · ${formatBRL(totals.totalValue)} estimados` : ""}`;
  const lines: string[] = [`📋 ${headline}`, outcome.description, "", summary.text];
  for (const h of summary.highlights) lines.push(`• ${h}`);
  if (summary.alert) lines.push("", summary.alert);
  if (bids.length > 0) {
    lines.push("", totals.count > bids.length ? `As ${bids.length} primeiras:` : "Licitações:");
    bids.forEach((b, i) => {
      lines.push(
        `${i + 1}. ${b.title}`,
        `   ${b.value} · ${b.agency} · ${b.municipality ? `${b.municipality}/` : ""}${b.uf}`,
        `   ${b.closesAt ? `Propostas até ${b.closesAt}` : b.status} · ${b.link}`,
      );
    });
  }
  if (notes.length > 0) lines.push("", ...notes);
  return {
    kind: "results",
    text: lines.join("\n"),
    headline,
    description: outcome.description,
    summary,
    totals,
    bids,
    more: Math.max(0, totals.count - bids.length),
    notes,
    partial: outcome.stats.partial,
  };
}
