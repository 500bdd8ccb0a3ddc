import { formatBRL, formatIsoDate } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import { DEFAULT_MODALIDADES, type SearchQuery } from "../search-query.ts";
import type { SectorId } from "../sectors.ts";
import { inclusiveDays } from "../time.ts";
import { BID_STATUS_LABELS } from "./status-labels.ts";
import type { Summary } from "./summarizer.ts";
import { joinPt } from "./summary-parts.ts";

/** pt-BR name of a sector id; the real table lives in the filter module and is passed in. */
export type SectorNamer = (id: SectorId) => string;

/** Without a table: "manutencao_predial" → "manutencao predial". */
export const plainSectorName: SectorNamer = (id) => id.replaceAll("_", " ");

const ESFERAS = { F: "federal", E: "estadual", M: "municipal", D: "distrital" } as const;

function isDefaultModalidades(ids: readonly number[]): boolean {
  const defaults: readonly number[] = DEFAULT_MODALIDADES;
  return ids.length === defaults.length && defaults.every((id) => ids.includes(id));
}

/** The filters beyond terms, UFs and period, in pt-BR ("valor mínimo R$ 100.000,00"). */
export function describeFilters(query: SearchQuery): string[] {
  const out: string[] = [];
  if (query.minValue !== null) out.push(`valor mínimo ${formatBRL(query.minValue)}`);
  if (query.maxValue !== null) out.push(`valor máximo ${formatBRL(query.maxValue)}`);
  if (!isDefaultModalidades(query.modalidades)) {
    out.push(`modalidades ${joinPt(query.modalidades.map(modalidadeName))}`);
  }
  if (query.statuses.length > 0) {
    out.push(`situação ${joinPt(query.statuses.map((s) => BID_STATUS_LABELS[s].toLowerCase()))}`);
  }
  if (query.esferas.length > 0) out.push(`esfera ${joinPt(query.esferas.map((e) => ESFERAS[e]))}`);
  if (query.municipios.length > 0) out.push(`município ${joinPt(query.municipios)}`);
  if (query.orgaos.length > 0) out.push(`órgão ${joinPt(query.orgaos)}`);
  return out;
}

/** "os termos "a" e "b"", "o setor Saúde", or null when neither was given. */
export function describeSubject(query: SearchQuery, sectorName: SectorNamer): string | null {
  if (query.terms.length > 0) {
    const quoted = query.terms.map((t) => `"${t}"`);
    return `${quoted.length === 1 ? "o termo" : "os termos"} ${joinPt(quoted)}`;
  }
  return query.sector ? `o setor ${sectorName(query.sector)}` : null;
}

/**
 * The zero-results summary: what was searched and how to widen it. Pure and deterministic; never
 * involves an LLM.
 */
export function emptySummary(query: SearchQuery, sectorName: SectorNamer = plainSectorName): Summary {
  const subject = describeSubject(query, sectorName);
  const where = query.ufs.length === 0 ? "em todo o Brasil" : `em ${joinPt(query.ufs)}`;
  const period = `${formatIsoDate(query.from)} e ${formatIsoDate(query.to)}`;
  const when = query.openOnly
    ? `recebendo propostas (consulta até ${formatIsoDate(query.to)})`
    : `publicada entre ${period}`;
  const filters = describeFilters(query);
  const withFilters = filters.length > 0 ? `, com ${filters.join("; ")}` : "";
  const first = `Nenhuma licitação encontrada${subject ? ` para ${subject}` : ""} ${where}, ${when}${withFilters}.`;

  const tips: string[] = [];
  if (query.ufs.length > 0) tips.push('incluir mais estados (ou "todos os estados")');
  if (query.openOnly) tips.push('incluir as já encerradas (sem "abertas")');
  else if (inclusiveDays(query.from, query.to) < 90) {
    const longer = inclusiveDays(query.from, query.to) < 30 ? "últimos 30 dias" : "últimos 90 dias";
    tips.push(`um período maior (ex.: "${longer}")`);
  }
  if (filters.length > 0) tips.push("menos filtros");
  tips.push(query.terms.length > 0 ? "outros termos ou sinônimos" : "outros termos ou outro setor");
  return {
    text: `${first} Para ampliar, tente ${joinPt(tips)}.`,
    highlights: [],
    alert: null,
    source: "empty",
  };
}
