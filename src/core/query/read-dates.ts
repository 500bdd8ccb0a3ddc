/**
 * Period expressions of the query grammar. Every period is a pair of São Paulo calendar dates, both
 * inclusive. Relative periods count today: "15d" = today and the 14 days before.
 * A day or month without a year is the most recent one not in the future ("01/12" typed in November
 * 2026 is 01/12/2025): we search publications, which cannot be in the future.
 */
import { addDays, isValidIsoDate } from "../time.ts";
import { matchPhrase, phraseTable, type QueryToken } from "./query-tokens.ts";

/** A period read from the text; `explicit` when the user typed calendar dates (clamping gets a note). */
export interface Period {
  from: string;
  to: string;
  explicit: boolean;
}

/** Tokens consumed and what they meant; `error` carries a date-shaped piece that is not a real date. */
export type DateRead = { length: number; period: Period } | { length: number; error: true };

const MONTHS = [
  "janeiro",
  "fevereiro",
  "marco",
  "abril",
  "maio",
  "junho",
  "julho",
  "agosto",
  "setembro",
  "outubro",
  "novembro",
  "dezembro",
];
const MONTH_ABBR = ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"];

type Fixed =
  | "hoje"
  | "ontem"
  | "anteontem"
  | "week"
  | "lastWeek"
  | "month"
  | "lastMonth"
  | "year"
  | "lastYear";
const FIXED = phraseTable<Fixed>([
  ["hoje", "hoje"],
  ["ontem", "ontem"],
  ["anteontem", "anteontem"],
  ["esta semana", "week"],
  ["nesta semana", "week"],
  ["essa semana", "week"],
  ["semana atual", "week"],
  ["semana passada", "lastWeek"],
  ["este mês", "month"],
  ["neste mês", "month"],
  ["esse mês", "month"],
  ["mês atual", "month"],
  ["mês passado", "lastMonth"],
  ["mês anterior", "lastMonth"],
  ["este ano", "year"],
  ["neste ano", "year"],
  ["ano atual", "year"],
  ["ano passado", "lastYear"],
  ["ano anterior", "lastYear"],
]);
const LAST = new Set(["ultimos", "ultimas", "ultimo", "ultima"]);
const UNIT_DAYS: Record<string, number> = {
  d: 1,
  dia: 1,
  dias: 1,
  semana: 7,
  semanas: 7,
  mes: 30,
  meses: 30,
  ano: 365,
  anos: 365,
};
const RANGE_LEADS = phraseTable<true>(
  ["de", "do", "entre", "periodo", "periodo de", "do dia", "dos dias"].map((p) => [p, true] as const),
);
const RANGE_SEPARATORS = new Set(["a", "ate", "e", "-", "ao", "à"]);
const FROM_LEADS = phraseTable<true>(
  ["desde", "a partir de", "apos", "depois de", "de"].map((p) => [p, true] as const),
);
const TO_LEADS = phraseTable<true>(["ate", "antes de"].map((p) => [p, true] as const));
const AT_LEADS = phraseTable<true>(
  ["em", "no dia", "dia", "no", "no mes de", "mes de", "durante"].map((p) => [p, true] as const),
);

/** Reads a period starting at `tokens[i]`, or null when there is none. `today` is YYYY-MM-DD. */
export function readPeriod(tokens: readonly QueryToken[], i: number, today: string): DateRead | null {
  const fixed = matchPhrase(tokens, i, FIXED);
  if (fixed) return { length: fixed.length, period: fixedPeriod(fixed.value, today) };
  return readRelative(tokens, i, today) ?? readAbsolute(tokens, i, today);
}

function fixedPeriod(kind: Fixed, today: string): Period {
  const y = Number(today.slice(0, 4));
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday = 0
  const monthStart = `${today.slice(0, 8)}01`;
  const prevMonthEnd = addDays(monthStart, -1);
  const periods: Record<Fixed, [string, string]> = {
    hoje: [today, today],
    ontem: [addDays(today, -1), addDays(today, -1)],
    anteontem: [addDays(today, -2), addDays(today, -2)],
    week: [addDays(today, -weekday), today],
    lastWeek: [addDays(today, -weekday - 7), addDays(today, -weekday - 1)],
    month: [monthStart, today],
    lastMonth: [`${prevMonthEnd.slice(0, 8)}01`, prevMonthEnd],
    year: [`${y}-01-01`, today],
    lastYear: [`${y - 1}-01-01`, `${y - 1}-12-31`],
  };
  const [from, to] = periods[kind];
  return { from, to, explicit: false };
}

/** "15d", "15 dias", "últimos 30 dias", "2 semanas", "último mês", "últimos 10". */
function readRelative(tokens: readonly QueryToken[], i: number, today: string): DateRead | null {
  let j = i;
  const hasLead = LAST.has(tokens[j]?.key ?? "");
  if (hasLead) j++;
  const token = tokens[j];
  if (!token || token.quoted || token.field) return null;
  let count: number | null = null;
  let unit: number | null = null;
  const compact = /^(\d+)(d|dias?|semanas?|mes|meses|anos?)$/.exec(token.key);
  if (compact) {
    count = Number(compact[1]);
    unit = UNIT_DAYS[compact[2]!]!;
    j++;
  } else if (/^\d+$/.test(token.key)) {
    const next = tokens[j + 1];
    const nextUnit = next && !next.quoted ? UNIT_DAYS[next.key] : undefined;
    if (nextUnit === undefined && !hasLead) return null;
    count = Number(token.key);
    unit = nextUnit ?? 1;
    j += nextUnit === undefined ? 1 : 2;
  } else if (hasLead && UNIT_DAYS[token.key] !== undefined) {
    count = 1;
    unit = UNIT_DAYS[token.key]!;
    j++;
  } else {
    return null;
  }
  if (count < 1) return { length: j - i, error: true };
  return { length: j - i, period: { from: addDays(today, -(count * unit - 1)), to: today, explicit: false } };
}

type Endpoint = { start: string; end: string; length: number } | { invalid: true; length: number };

/** Date ranges, "desde X", "até X", a single date or a month. */
function readAbsolute(tokens: readonly QueryToken[], i: number, today: string): DateRead | null {
  const rangeLead = matchPhrase(tokens, i, RANGE_LEADS)?.length ?? 0;
  const first = endpointAt(tokens, i + rangeLead, today);
  if (first) {
    const sep = tokens[i + rangeLead + first.length];
    if (sep && !sep.quoted && RANGE_SEPARATORS.has(sep.fold)) {
      const second = endpointAt(tokens, i + rangeLead + first.length + 1, today);
      if (second) {
        const length = rangeLead + first.length + 1 + second.length;
        if ("invalid" in first || "invalid" in second) return { length, error: true };
        return { length, period: { from: first.start, to: second.end, explicit: true } };
      }
    }
  }
  for (const [leads, shape] of [
    [FROM_LEADS, "from"],
    [TO_LEADS, "to"],
    [AT_LEADS, "at"],
  ] as const) {
    const lead = matchPhrase(tokens, i, leads)?.length ?? 0;
    if (lead === 0) continue;
    const at = endpointAt(tokens, i + lead, today);
    if (at) return endpointPeriod(at, lead, shape, today);
  }
  const bare = endpointAt(tokens, i, today);
  return bare ? endpointPeriod(bare, 0, "at", today) : null;
}

function endpointPeriod(at: Endpoint, lead: number, shape: "from" | "to" | "at", today: string): DateRead {
  const length = lead + at.length;
  if ("invalid" in at) return { length, error: true };
  if (shape === "from") return { length, period: { from: at.start, to: today, explicit: true } };
  if (shape === "to") return { length, period: { from: addDays(at.end, -6), to: at.end, explicit: true } };
  return { length, period: { from: at.start, to: at.end, explicit: true } };
}

/** A calendar date or a month at `tokens[i]`; `invalid` for a date-shaped piece that is not a date. */
function endpointAt(tokens: readonly QueryToken[], i: number, today: string): Endpoint | null {
  const token = tokens[i];
  if (!token || token.quoted || token.field) return null;
  const f = token.fold;
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(f);
  if (m) {
    const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return dayEndpoint(year, Number(m[2]), Number(m[1]));
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(f);
  if (m) return dayEndpoint(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\/(\d{1,2})$/.exec(f);
  if (m) {
    const [day, month] = [Number(m[1]), Number(m[2])];
    const thisYear = Number(today.slice(0, 4));
    const candidate = dayEndpoint(thisYear, month, day);
    if ("invalid" in candidate || candidate.start <= today) return candidate;
    return dayEndpoint(thisYear - 1, month, day);
  }
  m = /^(\d{1,2})\/(\d{4})$/.exec(f);
  if (m) return monthEndpoint(Number(m[2]), Number(m[1]), 1, today);
  return monthNameAt(tokens, i, today);
}

function dayEndpoint(year: number, month: number, day: number): Endpoint {
  const iso = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return isValidIsoDate(iso) ? { start: iso, end: iso, length: 1 } : { invalid: true, length: 1 };
}

/** "outubro", "outubro de 2026", "outubro 2026", "outubro/2026", "out/2026". */
function monthNameAt(tokens: readonly QueryToken[], i: number, today: string): Endpoint | null {
  const token = tokens[i]!;
  const slash = /^([a-z]+)\/(\d{4})$/.exec(token.fold);
  if (slash) {
    const month = monthIndex(slash[1]!, true);
    return month === null ? null : monthEndpoint(Number(slash[2]), month, 1, today);
  }
  const month = monthIndex(token.key, false);
  if (month === null) return null;
  const next = tokens[i + 1];
  const afterDe = next?.key === "de" ? tokens[i + 2] : next;
  if (afterDe && /^\d{4}$/.test(afterDe.key)) {
    return monthEndpoint(Number(afterDe.key), month, afterDe === next ? 2 : 3, today);
  }
  // "marco" without the cedilla is more often a landmark ("marco regulatório") than March.
  if (month === 3 && !token.raw.toLowerCase().includes("ç")) return null;
  const thisYear = Number(today.slice(0, 4));
  const year = month > Number(today.slice(5, 7)) ? thisYear - 1 : thisYear;
  return monthEndpoint(year, month, 1, today);
}

function monthIndex(word: string, allowAbbreviation: boolean): number | null {
  const full = MONTHS.indexOf(word);
  if (full >= 0) return full + 1;
  const abbr = allowAbbreviation ? MONTH_ABBR.indexOf(word) : -1;
  return abbr >= 0 ? abbr + 1 : null;
}

function monthEndpoint(year: number, month: number, length: number, today: string): Endpoint {
  if (month < 1 || month > 12) return { invalid: true, length };
  const start = `${year}-${String(month).padStart(2, "0")}-01`;
  const nextMonth = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
  const end = addDays(nextMonth, -1);
  // The current month ends today: not worth a "future date" note.
  return { start, end: start <= today && end > today ? today : end, length };
}
