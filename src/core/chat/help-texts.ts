import { SECTORS } from "../filter/sectors.ts";
import { parseQuery } from "../query/parse-query.ts";
import { requestedHistoryDays } from "../search/run-search.ts";
import { DEFAULT_PERIOD_DAYS } from "../search-query.ts";
import { SECTOR_IDS, type SectorId } from "../sectors.ts";

/**
 * Every example we show must work on the free trial (7 days of history): a first contact who copies an
 * example and gets "your plan does not allow this" is lost. So examples ask no more history than a plain
 * search does by default (DEFAULT_PERIOD_DAYS), use relative periods only ("7d", "esta semana", never
 * calendar dates that age), and `test/first-contact-examples.test.ts` runs each one, as written, as a new
 * trial user.
 */
export const HELP_EXAMPLES = [
  "/buscar uniformes SC PR 7d acima de 50 mil",
  "/buscar setor:saude RJ últimos 7 dias acima de 100 mil",
  '/buscar "merenda escolar" MG esta semana pregão',
  "/buscar abertas informática SP",
] as const;

/** The example under /buscar with nothing after it (and in the query error message). */
export const USAGE_EXAMPLES = [
  "/buscar uniformes SC PR 7d acima de 50 mil",
  "/buscar abertas informática SP",
] as const;

/** /ajuda: what the bot does, with examples (pt-BR). */
export function helpText(): string {
  return [
    "🤖 Smart PNCP: licitações do Portal Nacional de Contratações Públicas, aqui na conversa.",
    "",
    "Comandos:",
    "/buscar <consulta>: busca licitações e envia o resumo e a planilha",
    "/setores: setores com exemplos de busca",
    "/alerta <consulta>: avisa aqui quando surgirem licitações novas (na hora ou em resumo diário)",
    "/alertas: seus alertas, para pausar, retomar ou remover",
    "/plano: seu plano, buscas usadas e renovação",
    "/assinar: opções de plano",
    "/ajuda: esta mensagem",
    "",
    "Exemplos:",
    ...HELP_EXAMPLES,
    "",
    'Dicas: estados por sigla ou nome (ou "brasil"), período em dias ("7d", "últimos 5 dias") ou datas, valores como "50 mil" ou "1,5 milhão". Em conversa privada, basta escrever a busca.',
  ].join("\n");
}

/** /start: greeting plus help. */
export function startText(name: string | null): string {
  return `Olá${name ? `, ${name}` : ""}! 👋\n\n${helpText()}`;
}

/** /buscar with nothing after it. */
export function usageText(): string {
  return `Diga o que buscar depois de /buscar. Exemplos:\n${USAGE_EXAMPLES.join("\n")}`;
}

/**
 * The example /setores shows for a sector: the first of the catalogue's examples that asks no more
 * history than the default period (so it runs on the trial), else the bare sector search.
 */
export function sectorExample(id: SectorId, now: Date): string {
  for (const example of SECTORS[id].examples) {
    const args = example.replace(/^\/buscar\s+/, "");
    if (requestedHistoryDays(parseQuery(args, { now }).query, now) <= DEFAULT_PERIOD_DAYS) return example;
  }
  return `/buscar setor:${id}`;
}

/** /setores: every sector with an example search that works on the free trial. */
export function sectorsText(now: Date): string {
  const lines = ["📚 Setores disponíveis (use o nome ou setor:<id>):", ""];
  for (const id of SECTOR_IDS) {
    lines.push(`• ${SECTORS[id].name} (setor:${id})`);
    lines.push(`   ex.: ${sectorExample(id, now)}`);
  }
  lines.push("", 'Ou use suas próprias palavras: /buscar "coleta de lixo" PR 7d');
  return lines.join("\n");
}
