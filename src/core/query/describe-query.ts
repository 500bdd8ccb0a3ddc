/**
 * One pt-BR line that echoes how a query was understood — shown in the "🔎 Buscando…" ack, the CLI
 * and the Excel "Resumo" sheet.
 */
import type { Esfera } from "../bid.ts";
import { SECTORS } from "../filter/sectors.ts";
import { cleanTerms } from "../filter/terms.ts";
import { formatBRL, formatIsoDate } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import type { SearchQuery, SortKey } from "../search-query.ts";
import { BID_STATUS_PLURAL } from "../summary/status-labels.ts";

const ESFERA_LABELS: Record<Esfera, string> = { F: "federal", E: "estadual", M: "municipal", D: "distrital" };
const SORT_LABELS: Record<SortKey, string> = {
  newest: "mais recentes",
  oldest: "mais antigas",
  value_desc: "maior valor",
  value_asc: "menor valor",
  closing_soon: "encerrando antes",
  relevance: "relevância",
  best_fit: "relevância (densidade, valor típico e prazo)",
};

/**
 * E.g. `Vestuário e Uniformes · SC, PR · 08/11/2026 a 22/11/2026 · acima de R$ 50.000,00 · Pregão
 * Eletrônico, Concorrência Eletrônica, Dispensa`. `termsUsed` (from the filter) wins over `query.terms`.
 */
export function describeQuery(query: SearchQuery, termsUsed?: string[]): string {
  const parts = [what(query, termsUsed ?? cleanTerms(query.terms))];
  parts.push(query.ufs.length > 0 ? query.ufs.join(", ") : "todo o Brasil");
  parts.push(
    query.from === query.to
      ? formatIsoDate(query.from)
      : `${formatIsoDate(query.from)} a ${formatIsoDate(query.to)}`,
  );
  const value = valueRange(query.minValue, query.maxValue);
  if (value) parts.push(value);
  parts.push(query.modalidades.map(shortModalidade).join(", "));
  if (query.openOnly) parts.push("recebendo propostas");
  const statuses = query.statuses.filter((s) => !(query.openOnly && s === "recebendo_propostas"));
  if (statuses.length > 0) parts.push(statuses.map((s) => BID_STATUS_PLURAL[s]).join(", "));
  if (query.esferas.length > 0) parts.push(`esfera ${query.esferas.map((e) => ESFERA_LABELS[e]).join(", ")}`);
  if (query.municipios.length > 0) parts.push(`município: ${query.municipios.join(", ")}`);
  if (query.orgaos.length > 0) parts.push(`órgão: ${query.orgaos.join(", ")}`);
  if (query.sort !== "relevance") parts.push(`ordem: ${SORT_LABELS[query.sort]}`);
  return parts.join(" · ");
}

function what(query: SearchQuery, terms: string[]): string {
  const quoted = terms.map((t) => `“${t}”`).join(", ");
  if (terms.length > 0 && query.sector) return `${SECTORS[query.sector].name}: ${quoted}`;
  if (terms.length > 0) return quoted;
  return query.sector ? SECTORS[query.sector].name : "todas as licitações";
}

function valueRange(min: number | null, max: number | null): string | null {
  if (min !== null && max !== null) return `de ${formatBRL(min)} a ${formatBRL(max)}`;
  if (min !== null) return `acima de ${formatBRL(min)}`;
  if (max !== null) return `até ${formatBRL(max)}`;
  return null;
}

/** "Pregão - Eletrônico" → "Pregão Eletrônico"; "Concorrência - Eletrônica" → "Concorrência Eletrônica". */
function shortModalidade(id: number): string {
  return modalidadeName(id).replace(/\s+[-–]\s+/g, " ");
}
