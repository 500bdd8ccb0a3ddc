import { SECTORS } from "../filter/sectors.ts";
import { SECTOR_IDS } from "../sectors.ts";

/** /ajuda: what the bot does, with examples (pt-BR). */
export function helpText(): string {
  return [
    "🤖 Smart PNCP: licitações do Portal Nacional de Contratações Públicas, aqui na conversa.",
    "",
    "Comandos:",
    "/buscar <consulta>: busca licitações e envia o resumo e a planilha",
    "/setores: setores com exemplos de busca",
    "/plano: seu plano, buscas usadas e renovação",
    "/assinar: opções de plano",
    "/ajuda: esta mensagem",
    "",
    "Exemplos:",
    "/buscar uniformes SC PR 15d acima de 50 mil",
    "/buscar setor:saude RJ últimos 30 dias acima de 100 mil",
    '/buscar "merenda escolar" MG de 01/10/2026 a 31/10/2026 pregão',
    "/buscar abertas informática SP",
    "",
    'Dicas: estados por sigla ou nome (ou "brasil"), período em dias ("15d") ou datas, valores como "50 mil" ou "1,5 milhão". Em conversa privada, basta escrever a busca.',
  ].join("\n");
}

/** /start: greeting plus help. */
export function startText(name: string | null): string {
  return `Olá${name ? `, ${name}` : ""}! 👋\n\n${helpText()}`;
}

/** /setores: every sector with example searches. */
export function sectorsText(): string {
  const lines = ["📚 Setores disponíveis (use o nome ou setor:<id>):", ""];
  for (const id of SECTOR_IDS) {
    const sector = SECTORS[id];
    lines.push(`• ${sector.name} (setor:${id})`);
    const example = sector.examples[0];
    if (example) lines.push(`   ex.: ${example}`);
  }
  lines.push("", 'Ou use suas próprias palavras: /buscar "coleta de lixo" PR 30d');
  return lines.join("\n");
}
