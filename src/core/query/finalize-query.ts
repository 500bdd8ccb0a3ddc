/**
 * Last step of the grammar: merges defaults, validates the period and values (with pt-BR notes for
 * every correction) and produces a `SearchQuery` that passes `searchQuerySchema`.
 */
import { formatBRL, formatIsoDate } from "../format.ts";
import {
  DEFAULT_MODALIDADES,
  DEFAULT_PERIOD_DAYS,
  type ParsedQuery,
  RECOGNIZED_KINDS,
  type SearchQuery,
  searchQuerySchema,
} from "../search-query.ts";
import { addDays, inclusiveDays } from "../time.ts";
import type { Draft } from "./query-rules.ts";

/** Longest period PNCP accepts in one request; longer ones are split by the client. */
const MAX_WINDOW_DAYS = 365;

/** Builds the validated query from a draft; `defaults` fill whatever the text left unsaid. */
export function finalizeQuery(draft: Draft, terms: string[], defaults: Partial<SearchQuery>): ParsedQuery {
  const notes = [...draft.notes];
  const { from, to } = resolvePeriod(draft, defaults, notes);
  let minValue = draft.minValue ?? defaults.minValue ?? null;
  let maxValue = draft.maxValue ?? defaults.maxValue ?? null;
  if (minValue !== null && maxValue !== null && minValue > maxValue) {
    [minValue, maxValue] = [maxValue, minValue];
    notes.push(`Valores invertidos: usei de ${formatBRL(minValue)} a ${formatBRL(maxValue)}.`);
  }
  const ufs = draft.national ? [] : draft.ufs.size > 0 ? [...draft.ufs] : (defaults.ufs ?? []);
  if (draft.national && draft.ufs.size > 0)
    notes.push("“Todo o Brasil” informado: busquei em todos os estados.");
  const query = searchQuerySchema.parse({
    terms,
    sector: draft.sector ?? (terms.length === 0 ? (defaults.sector ?? null) : null),
    ufs,
    from,
    to,
    modalidades:
      draft.modalidades.size > 0
        ? [...draft.modalidades].sort((a, b) => a - b)
        : (defaults.modalidades ?? [...DEFAULT_MODALIDADES]),
    minValue,
    maxValue,
    openOnly: draft.openOnly || (defaults.openOnly ?? false),
    statuses: draft.statuses.size > 0 ? [...draft.statuses] : (defaults.statuses ?? []),
    esferas: draft.esferas.size > 0 ? [...draft.esferas] : (defaults.esferas ?? []),
    municipios: draft.municipios.length > 0 ? draft.municipios : (defaults.municipios ?? []),
    orgaos: draft.orgaos.length > 0 ? draft.orgaos : (defaults.orgaos ?? []),
    sort: draft.sort ?? defaults.sort ?? "relevance",
  });
  const recognized = RECOGNIZED_KINDS.filter((kind) => draft.recognized.has(kind));
  return { query, recognized, unrecognized: draft.unrecognized, notes };
}

function resolvePeriod(
  draft: Draft,
  defaults: Partial<SearchQuery>,
  notes: string[],
): { from: string; to: string } {
  const today = draft.today;
  if (draft.periods.length > 1) notes.push("Mais de um período informado: usei o último.");
  const period = draft.periods.at(-1);
  let from = period?.from ?? defaults.from ?? addDays(today, -(DEFAULT_PERIOD_DAYS - 1));
  let to = period?.to ?? defaults.to ?? today;
  // Future dates first, then the swap, so the "Datas invertidas" note names the period searched.
  const futureFrom = from > today;
  const futureTo = to > today;
  if (futureFrom) from = today;
  if (futureTo) to = today;
  const usedToday = `usei hoje (${formatIsoDate(today)})`;
  if (futureFrom && futureTo) notes.push(`Período no futuro: ${usedToday}.`);
  else if (futureTo) notes.push(`Data final no futuro: ${usedToday}.`);
  else if (futureFrom) notes.push(`Data inicial no futuro: ${usedToday}.`);
  if (from > to) {
    [from, to] = [to, from];
    notes.push(`Datas invertidas: usei ${formatIsoDate(from)} a ${formatIsoDate(to)}.`);
  }
  const days = inclusiveDays(from, to);
  if (days > MAX_WINDOW_DAYS) {
    notes.push(
      `Período de ${days} dias: a busca será dividida em janelas de até ${MAX_WINDOW_DAYS} dias e pode demorar.`,
    );
  }
  return { from, to };
}
