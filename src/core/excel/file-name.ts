/**
 * The workbook's file name: `licitacoes-2026-12-01-1432-05-uniformes-sc.xlsx` — São Paulo wall-clock time
 * to the second (through `Intl`, so it follows the tz database, not a fixed offset) and a short ASCII slug of
 * the query, so two searches on one day never overwrite each other and the name says what was searched.
 */

const SAO_PAULO_CLOCK = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/Sao_Paulo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** Longest slug kept (cut at a word boundary). */
const SLUG_MAX = 40;

/** `YYYY-MM-DD-HHMM-SS` in São Paulo; an invalid date falls back to the Unix epoch rather than "NaN". */
function stamp(now: Date): string {
  const instant = Number.isNaN(now.getTime()) ? new Date(0) : now;
  const parts: Record<string, string> = Object.create(null);
  for (const p of SAO_PAULO_CLOCK.formatToParts(instant)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}-${parts.hour}${parts.minute}-${parts.second}`;
}

/**
 * A lowercase ASCII slug of the query text: accents folded, a leading chat command (`/buscar`) dropped,
 * anything else not a letter or digit turned into single dashes, at most 40 characters. May be empty.
 */
export function querySlug(query: string): string {
  const words = query
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/^\s*\/\S*/, "")
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = "";
  for (const word of words) {
    const next = slug === "" ? word : `${slug}-${word}`;
    if (next.length > SLUG_MAX) {
      if (slug === "") slug = word.slice(0, SLUG_MAX);
      break;
    }
    slug = next;
  }
  return slug;
}

/** `licitacoes-<São Paulo time>[-<slug>].xlsx` for a search of `query` finished at `now`. */
export function workbookFileName(query: string, now: Date): string {
  const slug = querySlug(query);
  return `licitacoes-${stamp(now)}${slug ? `-${slug}` : ""}.xlsx`;
}
