/**
 * The pt-BR line saying where a search's data came from and how fresh it is ("Dados do PNCP de há
 * 12 min."), shown under the results and in the CLI.
 */
import { plural } from "../format.ts";

/** "há menos de 1 min", "há 12 min", "há 3 h", "há 2 dias". */
export function agoText(then: Date, now: Date): string {
  const minutes = Math.floor(Math.max(0, now.getTime() - then.getTime()) / 60_000);
  if (minutes < 1) return "há menos de 1 min";
  if (minutes < 60) return `há ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `há ${hours} h`;
  return `há ${plural(Math.floor(hours / 24), "dia", "dias")}`;
}

/**
 * Null for a purely live search (nothing to say: the data is from now). `liveDays` counts the publication
 * days fetched live next to the index (0 for an index-only answer).
 */
export function freshnessNote(
  source: { index: boolean; live: boolean; liveDays: number },
  freshAt: Date | null,
  now: Date,
): string | null {
  if (!source.index) return null;
  const age = freshAt ? `Dados do PNCP de ${agoText(freshAt, now)}` : "Dados do PNCP do índice local";
  if (!source.live) return `🕒 ${age}.`;
  const liveText =
    source.liveDays > 0 ? plural(source.liveDays, "dia consultado", "dias consultados") : "parte consultada";
  return `🕒 ${age}; ${liveText} agora no PNCP.`;
}
