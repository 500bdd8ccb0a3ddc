/** Cell-value helpers shared by both sheets. */
import { saoPauloWallDate } from "../time.ts";

/** Brazilian currency as a real number format: pt-BR Excel shows 1234.5 as "R$ 1.234,50". */
export const BRL_FORMAT = '"R$" #,##0.00';
/** Publicação: dd/mm/aaaa. */
export const DATE_FORMAT = "dd/mm/yyyy";
/** Abertura/Encerramento das propostas: dd/mm/aaaa hh:mm. */
export const DATE_TIME_FORMAT = "dd/mm/yyyy hh:mm";
/** Counts with a thousands separator. */
export const INT_FORMAT = "#,##0";

/**
 * An instant as the São Paulo wall-clock time, for an Excel date cell. Excel dates have no zone and
 * exceljs writes a JS Date by its UTC fields, so the instant is shifted by São Paulo's offset at that
 * instant (−3 h today, −2 h in a pre-2019 summer; `src/core/time.ts`). Null for a missing or
 * unreadable instant.
 */
export function excelLocalDate(instant: string | Date | null): Date | null {
  if (instant === null) return null;
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  return Number.isNaN(ms) ? null : saoPauloWallDate(ms);
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
