import { AppError } from "../core/errors.ts";
import { parseQuery } from "../core/query/parse-query.ts";
import { type ParsedQuery, searchQuerySchema, UFS } from "../core/search-query.ts";
import { SECTOR_IDS } from "../core/sectors.ts";
import { isValidIsoDate } from "../core/time.ts";

/** The `smart-pncp search` flags that shape a query; each overrides what the text says. */
export interface QueryFlags {
  sector?: string;
  terms?: string;
  uf?: string;
  from?: string;
  to?: string;
  modalidades?: string;
  "min-value"?: string;
  "max-value"?: string;
  open?: boolean;
}

function splitTerms(value: string): string[] {
  const terms: string[] = [];
  for (const m of value.matchAll(/"([^"]+)"|(\S+)/g)) terms.push((m[1] ?? m[2])!.trim());
  return terms.filter(Boolean);
}

function number(value: string, flag: string): number {
  const n = Number(value.replace(/_/g, ""));
  if (!Number.isFinite(n) || n < 0)
    throw new AppError("INVALID_QUERY", `--${flag} precisa ser um número ≥ 0`);
  return n;
}

/** The flag that sets each query field, to name it in pt-BR errors (never zod's English text). */
const FIELD_FLAG: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  terms: "--terms",
  sector: "--sector",
  ufs: "--uf",
  from: "--from",
  to: "--to",
  modalidades: "--modalidades",
  minValue: "--min-value",
  maxValue: "--max-value",
});

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string, what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const echo = value.length > 30 ? `${value.slice(0, 30)}…` : value;
  throw new AppError("INVALID_QUERY", `${flag}: ${what} desconhecido "${echo}" (use ${allowed.join(", ")})`);
}

function modalidade(value: string): number {
  const n = number(value, "modalidades");
  if (!Number.isInteger(n) || n < 1 || n > 19)
    throw new AppError("INVALID_QUERY", "--modalidades: códigos inteiros de 1 a 19 (ex.: 6,8)");
  return n;
}

function date(value: string, flag: string): string {
  if (!isValidIsoDate(value))
    throw new AppError("INVALID_QUERY", `--${flag} precisa ser uma data AAAA-MM-DD válida`);
  return value;
}

/** Parses the free text with the grammar, then applies the flags. */
export function queryFromCli(text: string, flags: QueryFlags, now: Date): ParsedQuery {
  return applyQueryFlags(parseQuery(text, { now }), flags);
}

/** Applies flags on top of a parsed query (flags win) and validates the result. */
export function applyQueryFlags(parsed: ParsedQuery, flags: QueryFlags): ParsedQuery {
  const q = { ...parsed.query };
  if (flags.sector !== undefined) q.sector = oneOf(flags.sector.trim(), SECTOR_IDS, "--sector", "setor");
  if (flags.terms !== undefined) q.terms = splitTerms(flags.terms);
  if (flags.uf !== undefined) {
    q.ufs = flags.uf
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((u) => oneOf(u.toUpperCase(), UFS, "--uf", "estado"));
  }
  if (flags.from !== undefined) q.from = date(flags.from, "from");
  if (flags.to !== undefined) q.to = date(flags.to, "to");
  if (flags.modalidades !== undefined) {
    q.modalidades = flags.modalidades
      .split(/[,\s]+/)
      .filter(Boolean)
      .map(modalidade);
  }
  if (flags["min-value"] !== undefined) q.minValue = number(flags["min-value"], "min-value");
  if (flags["max-value"] !== undefined) q.maxValue = number(flags["max-value"], "max-value");
  if (flags.open) q.openOnly = true;
  if (q.minValue !== null && q.maxValue !== null && q.minValue > q.maxValue) {
    throw new AppError("INVALID_QUERY", "--min-value é maior que --max-value");
  }
  const result = searchQuerySchema.safeParse(q);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((i) => String(i.path[0] ?? "")))];
    const named = fields.map((f) => FIELD_FLAG[f] ?? f).filter(Boolean);
    throw new AppError("INVALID_QUERY", `valor inválido em ${named.join(", ") || "a consulta"}`);
  }
  if (result.data.from > result.data.to) {
    throw new AppError("INVALID_QUERY", "a data inicial é posterior à data final");
  }
  return { ...parsed, query: result.data };
}
