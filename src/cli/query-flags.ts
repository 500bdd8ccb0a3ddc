import { AppError } from "../core/errors.ts";
import { parseQuery } from "../core/query/parse-query.ts";
import { type ParsedQuery, searchQuerySchema } from "../core/query/search-query.ts";
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
  if (flags.sector !== undefined) q.sector = flags.sector as typeof q.sector;
  if (flags.terms !== undefined) q.terms = splitTerms(flags.terms);
  if (flags.uf !== undefined) {
    q.ufs = flags.uf
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((u) => u.toUpperCase()) as typeof q.ufs;
  }
  if (flags.from !== undefined) q.from = date(flags.from, "from");
  if (flags.to !== undefined) q.to = date(flags.to, "to");
  if (flags.modalidades !== undefined) {
    q.modalidades = flags.modalidades
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((m) => number(m, "modalidades"));
  }
  if (flags["min-value"] !== undefined) q.minValue = number(flags["min-value"], "min-value");
  if (flags["max-value"] !== undefined) q.maxValue = number(flags["max-value"], "max-value");
  if (flags.open) q.openOnly = true;
  if (q.minValue !== null && q.maxValue !== null && q.minValue > q.maxValue) {
    throw new AppError("INVALID_QUERY", "--min-value é maior que --max-value");
  }
  const result = searchQuerySchema.safeParse(q);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new AppError("INVALID_QUERY", detail);
  }
  if (result.data.from > result.data.to) {
    throw new AppError("INVALID_QUERY", "a data inicial é posterior à data final");
  }
  return { ...parsed, query: result.data };
}
