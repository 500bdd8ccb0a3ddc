/** pt-BR formatting used by every user-facing text (chat, CLI, Excel "Resumo"). */
import { saoPauloWallDate } from "./time.ts";

const brl = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
const integer = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 0 });

/** What a bid shows for PNCP's 0 estimated value: a confidential budget (`orcamentoSigiloso`). */
export const CONFIDENTIAL_VALUE_TEXT = "Valor sigiloso";
/** What a bid shows for a missing estimated value. */
export const MISSING_VALUE_TEXT = "Valor não informado";

/** 1234.5 → "R$ 1.234,50" (a normal space after R$, never the NBSP Intl emits). */
export function formatBRL(value: number): string {
  return brl.format(value).replace(/\u00a0/g, " ");
}

/**
 * A bid's estimated value as shown to users: "R$ 1.234,50"; "Valor sigiloso" for PNCP's 0 (confidential
 * budget); "Valor não informado" for null (or anything not a positive finite number). Never "R$ 0,00".
 */
export function formatValueOrMissing(value: number | null): string {
  if (value === 0) return CONFIDENTIAL_VALUE_TEXT;
  return value !== null && Number.isFinite(value) && value > 0 ? formatBRL(value) : MISSING_VALUE_TEXT;
}

/** 12345 → "12.345". */
export function formatInt(value: number): string {
  return integer.format(value);
}

/** [dd, mm, aaaa, hh:mm] of an instant in São Paulo, with the zone rules of that date (`time.ts`). */
function saoPauloParts(instant: Date | string): string[] | null {
  const ms = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) return null;
  const local = saoPauloWallDate(ms).toISOString();
  return [local.slice(8, 10), local.slice(5, 7), local.slice(0, 4), local.slice(11, 16)];
}

/** An instant as São Paulo "dd/mm/aaaa" ("—" for an unreadable instant, never "Invalid Date"). */
export function formatDate(instant: Date | string): string {
  const parts = saoPauloParts(instant);
  return parts ? `${parts[0]}/${parts[1]}/${parts[2]}` : "—";
}

/** An instant as São Paulo "dd/mm/aaaa hh:mm" ("—" for an unreadable instant). */
export function formatDateTime(instant: Date | string): string {
  const parts = saoPauloParts(instant);
  return parts ? `${parts[0]}/${parts[1]}/${parts[2]} ${parts[3]}` : "—";
}

/** A calendar date "YYYY-MM-DD" as "dd/mm/aaaa" (no time-zone shift). */
export function formatIsoDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}

/**
 * A CNPJ as "44.935.278/0001-26" (also the alphanumeric CNPJs of 2026: 12 letters/digits + 2 digits);
 * anything else is returned trimmed, as PNCP sent it.
 */
export function formatCnpj(cnpj: string): string {
  const raw = cnpj.trim();
  const m = /^([0-9A-Z]{2})([0-9A-Z]{3})([0-9A-Z]{3})([0-9A-Z]{4})(\d{2})$/.exec(raw);
  return m ? `${m[1]}.${m[2]}.${m[3]}/${m[4]}-${m[5]}` : raw;
}

/** "1 licitação" / "3 licitações". */
export function plural(count: number, singular: string, pluralForm: string): string {
  return `${formatInt(count)} ${count === 1 ? singular : pluralForm}`;
}
