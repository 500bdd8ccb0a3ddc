/** pt-BR formatting used by every user-facing text (chat, CLI, Excel "Resumo"). */

const brl = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
const integer = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 0 });
const OFFSET_MS = 3 * 60 * 60 * 1000;

/** 1234.5 → "R$ 1.234,50" (a normal space after R$, never the NBSP Intl emits). */
export function formatBRL(value: number): string {
  return brl.format(value).replace(/\u00a0/g, " ");
}

/** Value or "Valor não informado" for null. */
export function formatValueOrMissing(value: number | null): string {
  return value === null ? "Valor não informado" : formatBRL(value);
}

/** 12345 → "12.345". */
export function formatInt(value: number): string {
  return integer.format(value);
}

function saoPauloParts(instant: Date | string): string[] {
  const d = new Date(typeof instant === "string" ? Date.parse(instant) : instant.getTime());
  const local = new Date(d.getTime() - OFFSET_MS).toISOString();
  return [local.slice(8, 10), local.slice(5, 7), local.slice(0, 4), local.slice(11, 16)];
}

/** An instant as São Paulo "dd/mm/aaaa". */
export function formatDate(instant: Date | string): string {
  const [d, m, y] = saoPauloParts(instant);
  return `${d}/${m}/${y}`;
}

/** An instant as São Paulo "dd/mm/aaaa hh:mm". */
export function formatDateTime(instant: Date | string): string {
  const [d, m, y, hm] = saoPauloParts(instant);
  return `${d}/${m}/${y} ${hm}`;
}

/** A calendar date "YYYY-MM-DD" as "dd/mm/aaaa" (no time-zone shift). */
export function formatIsoDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}

/** "1 licitação" / "3 licitações". */
export function plural(count: number, singular: string, pluralForm: string): string {
  return `${formatInt(count)} ${count === 1 ? singular : pluralForm}`;
}
