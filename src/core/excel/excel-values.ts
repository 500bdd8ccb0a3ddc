/** Cell-value helpers shared by both sheets. */

/** Brazilian currency as a real number format: pt-BR Excel shows 1234.5 as "R$ 1.234,50". */
export const BRL_FORMAT = '"R$" #,##0.00';
/** Publicação: dd/mm/aaaa. */
export const DATE_FORMAT = "dd/mm/yyyy";
/** Abertura/Encerramento das propostas: dd/mm/aaaa hh:mm. */
export const DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm";
/** Counts with a thousands separator. */
export const INT_FORMAT = "#,##0";

const SAO_PAULO_OFFSET_MS = 3 * 60 * 60 * 1000;

/**
 * An instant as the São Paulo wall-clock time, for an Excel date cell. Excel dates have no zone and
 * exceljs writes a JS Date by its UTC fields, so shifting by −3 h makes the cell show Brasília time
 * (no daylight saving since 2019, see `src/core/time.ts`). Null for a missing or unreadable instant.
 */
export function excelLocalDate(instant: string | Date | null): Date | null {
  if (instant === null) return null;
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  return Number.isNaN(ms) ? null : new Date(ms - SAO_PAULO_OFFSET_MS);
}

/** `value` when it is an absolute http(s) URL (the only links we make clickable), else null. */
export function safeHyperlink(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
