/**
 * Period expressions of the query grammar. Every period is a pair of São Paulo calendar dates, both
 * inclusive. Relative periods count today: "15d" = today and the 14 days before; counts may be words
 * ("últimas duas semanas", "nos últimos quinze dias"); "quinzena" = 15 days, "semestre" = 180.
 * A day or month without a year is the most recent one not in the future ("01/12" typed in November
 * 2026 is 01/12/2025): we search publications, which cannot be in the future.
 * Unreadable (echoed back, never a crash or an `Invalid Date`): a negative count ("-5d"), a period
 * starting before {@link MIN_YEAR}, a date outside MIN_YEAR..(this year + 1) ("12/9999", "01/01/0000").
 */
import { addDays } from "../time.ts";
import { matchPhrase, phraseTable, type QueryToken } from "./query-tokens.ts";
import { numberAt } from "./read-numbers.ts";

/** Earliest year a typed date may have; earlier ones are typos ("01/01/0000"), echoed back. */
export const MIN_YEAR = 1900;

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
const UNIT_DAYS: ReadonlyMap<string, number> = new Map([
  ["d", 1],
  ["dia", 1],
  ["dias", 1],
  ["semana", 7],
  ["semanas", 7],
  ["quinzena", 15],
  ["quinzenas", 15],
  ["mes", 30],
  ["meses", 30],
  ["bimestre", 60],
  ["bimestres", 60],
  ["trimestre", 90],
  ["trimestres", 90],
  ["semestre", 180],
  ["semestres", 180],
  ["ano", 365],
  ["anos", 365],
]);
/** Units that alone mean "the last one" ("quinzena", "semestre passado"); "dia"/"mês" alone do not. */
const BARE_UNITS: ReadonlySet<string> = new Set(["quinzena", "bimestre", "trimestre", "semestre"]);
const PAST = new Set(["passado", "passada", "anterior"]);
const COMPACT =
  /^([-\u2212\u2013]?)(\d+)(d|dias?|semanas?|quinzenas?|mes|meses|bimestres?|trimestres?|semestres?|anos?)$/;
const NEGATIVE = /^[-\u2212\u2013]\d/;
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

/** "15d", "15 dias", "últimos 30 dias", "2 semanas", "último mês", "últimos 10", "duas semanas", "quinzena". */
function readRelative(tokens: readonly QueryToken[], i: number, today: string): DateRead | null {
  let j = i;
  const hasLead = LAST.has(tokens[j]?.key ?? "") && !tokens[j]!.quoted;
  if (hasLead) j++;
  const token = tokens[j];
  if (!token || token.quoted || token.field) return null;
  const unitAt = (k: number) => {
    const t = tokens[k];
    return t && !t.quoted && !t.field ? UNIT_DAYS.get(t.key) : undefined;
  };
  let count: number;
  let unit: number | undefined;
  let negative = false;
  const compact = COMPACT.exec(token.fold);
  if (compact) {
    negative = compact[1] !== "";
    count = Number(compact[2]);
    unit = UNIT_DAYS.get(compact[3]!);
    j++;
  } else if (/^\d+$/.test(token.key) && /^[-\u2212\u2013]?\d+$/.test(token.fold)) {
    negative = NEGATIVE.test(token.fold);
    unit = unitAt(j + 1);
    if (unit === undefined && !hasLead) return null;
    count = Number(token.key);
    j += unit === undefined ? 1 : 2;
    unit ??= 1;
  } else if (unitAt(j) !== undefined && (hasLead || BARE_UNITS.has(token.key))) {
    count = 1;
    unit = unitAt(j);
    j++;
    if (BARE_UNITS.has(token.key) && PAST.has(tokens[j]?.key ?? "")) j++;
  } else {
    const words = numberAt(tokens, j);
    if (!words?.words || unitAt(j + words.length) === undefined) return null;
    count = words.value;
    unit = unitAt(j + words.length);
    j += words.length + 1;
  }
  const days = count * (unit ?? 1);
  if (negative || !Number.isInteger(days) || days < 1) return { length: j - i, error: true };
  const from = shiftDays(today, -(days - 1));
  if (from === null || Number(from.slice(0, 4)) < MIN_YEAR) return { length: j - i, error: true };
  return { length: j - i, period: { from, to: today, explicit: false } };
}

/** `iso` plus `days`, or null when the result is not a 4-digit-year date (never an `Invalid Date`). */
function shiftDays(iso: string, days: number): string | null {
  if (!Number.isFinite(days) || Math.abs(days) > 5_000_000) return null;
  const t = Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000;
  if (!Number.isFinite(t)) return null;
  const out = new Date(t).toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(out) ? out : null;
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
  if (shape === "to") {
    return { length, period: { from: shiftDays(at.end, -6) ?? at.end, to: at.end, explicit: true } };
  }
  return { length, period: { from: at.start, to: at.end, explicit: true } };
}

/** A calendar date or a month at `tokens[i]`; `invalid` for a date-shaped piece that is not a date. */
function endpointAt(tokens: readonly QueryToken[], i: number, today: string): Endpoint | null {
  const token = tokens[i];
  if (!token || token.quoted || token.field) return null;
  const f = token.fold;
  const thisYear = Number(today.slice(0, 4));
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(f);
  if (m) {
    // "01/10/26" is 2026; "01/10/99" is 1999 (a two-digit year never lands past next year).
    const short = 2000 + Number(m[3]);
    const year = m[3]!.length === 2 ? (short > thisYear + 1 ? short - 100 : short) : Number(m[3]);
    return dayEndpoint(year, Number(m[2]), Number(m[1]), today);
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(f);
  if (m) return dayEndpoint(Number(m[1]), Number(m[2]), Number(m[3]), today);
  m = /^(\d{1,2})\/(\d{1,2})$/.exec(f);
  if (m) {
    const [day, month] = [Number(m[1]), Number(m[2])];
    const candidate = dayEndpoint(thisYear, month, day, today);
    if ("invalid" in candidate || candidate.start <= today) return candidate;
    return dayEndpoint(thisYear - 1, month, day, today);
  }
  m = /^(\d{1,2})\/(\d{4})$/.exec(f);
  if (m) return monthEndpoint(Number(m[2]), Number(m[1]), 1, today);
  return monthNameAt(tokens, i, today);
}

/** A year a typed date may have: MIN_YEAR up to next year (later ones are typos such as 9999). */
function readableYear(year: number, today: string): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= Number(today.slice(0, 4)) + 1;
}

const pad2 = (n: number) => String(n).padStart(2, "0");

function dayEndpoint(year: number, month: number, day: number, today: string): Endpoint {
  if (!readableYear(year, today) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return { invalid: true, length: 1 };
  const iso = `${year}-${pad2(month)}-${pad2(day)}`;
  return { start: iso, end: iso, length: 1 };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
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
  if (month < 1 || month > 12 || !readableYear(year, today)) return { invalid: true, length };
  const start = `${year}-${pad2(month)}-01`;
  const end = `${year}-${pad2(month)}-${pad2(daysInMonth(year, month))}`;
  // The current month ends today: not worth a "future date" note.
  return { start, end: start <= today && end > today ? today : end, length };
}
