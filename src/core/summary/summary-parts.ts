/**
 * Sentences built only from our own numbers, shared by the fallback and the OpenAI summarizer so the
 * counts and money a user reads never come from an LLM.
 */
import type { Bid } from "../bid.ts";
import { formatBRL, formatDateTime, formatInt, plural } from "../format.ts";
import type { SearchTotals } from "./summarizer.ts";
import type { SummaryFacts } from "./summary-facts.ts";
import { CLOSING_SOON_DAYS } from "./totals.ts";

/** "a", "a e b", "a, b e c". */
export function joinPt(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} e ${items.at(-1)}`;
}

/** Cuts `text` to `max` characters on a word boundary, with "…". */
export function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const slice = flat.slice(0, max - 1);
  const space = slice.lastIndexOf(" ");
  return `${(space > max * 0.6 ? slice.slice(0, space) : slice).replace(/[\s,;:.-]+$/, "")}…`;
}

/** An instant as São Paulo "dd/mm/aaaa às hh:mm". */
export function formatDateAt(instant: string | Date): string {
  return formatDateTime(instant).replace(" ", " às ");
}

/** "Taubaté/SP", "SP" or "" from a bid's place. */
export function place(bid: Bid): string {
  if (bid.municipality && bid.uf) return `${bid.municipality}/${bid.uf}`;
  return bid.municipality ?? bid.uf ?? "";
}

/** Counts of `key(item)` (nulls skipped), most frequent first, ties by name. */
export function rank<T>(items: readonly T[], key: (item: T) => string | null): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return rankCounts(counts);
}

/** (name, count) pairs already counted, in `rank`'s order: most frequent first, ties by name. */
export function rankCounts<K extends string>(counts: Iterable<[K, number]>): [K, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "pt-BR"));
}

/**
 * The opening sentence with the count and the known total value, e.g.
 * "Encontramos 12 licitações, somando R$ 1.234,56 em valor estimado (10 com valor informado)."
 */
export function countSentence(totals: SearchTotals): string {
  const found = `Encontramos ${plural(totals.count, "licitação", "licitações")}`;
  if (totals.withValue === 0) {
    return totals.count === 1
      ? `${found}, sem valor estimado informado.`
      : `${found}, nenhuma com valor estimado informado.`;
  }
  if (totals.count === 1) return `${found}, com valor estimado de ${formatBRL(totals.totalValue)}.`;
  const partial =
    totals.withValue < totals.count ? ` (${formatInt(totals.withValue)} com valor informado)` : "";
  return `${found}, somando ${formatBRL(totals.totalValue)} em valor estimado${partial}.`;
}

/**
 * The urgency alert, or null: "⚠️ 3 licitações encerram propostas nos próximos 7 dias; a primeira em
 * 24/11/2026 às 10:00." The count is `totals.closingSoon`; the date is the soonest deadline after now
 * (`facts.soonestOpen`: when any bid closes within 7 days, the soonest one does).
 */
export function alertText(facts: Pick<SummaryFacts, "soonestOpen">, totals: SearchTotals): string | null {
  if (totals.closingSoon <= 0) return null;
  const first = facts.soonestOpen?.proposalsCloseAt;
  const days = `nos próximos ${CLOSING_SOON_DAYS} dias`;
  if (totals.closingSoon === 1) {
    return `⚠️ 1 licitação encerra propostas ${days}${first ? `, em ${formatDateAt(first)}` : ""}.`;
  }
  const lead = `⚠️ ${plural(totals.closingSoon, "licitação", "licitações")} encerram propostas ${days}`;
  return `${lead}${first ? `; a primeira em ${formatDateAt(first)}` : ""}.`;
}
