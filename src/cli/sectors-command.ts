/**
 * `smart-pncp sectors` lists the sectors; `smart-pncp sectors explain <id> "<texto>"` shows why a text is
 * or is not in one: keywords found, exclusions that blanked words, the field that decided and the decision
 * (pt-BR; `--json` for the raw explanation). Reads only the sector data: no config, store or network.
 */
import { explainSector, type SectorExplanation } from "../core/filter/sector-explain.ts";
import { SECTORS } from "../core/filter/sectors.ts";
import { formatBRL } from "../core/format.ts";
import { SECTOR_IDS, type SectorId } from "../core/sectors.ts";
import { parseCliArgs } from "./cli-args.ts";

const USAGE = [
  "uso: smart-pncp sectors [--json]                                   lista os setores",
  '     smart-pncp sectors explain <setor> "<objeto>" [--complemento "<texto>"] [--json]',
  "                                                                    explica a decisão de um setor",
].join("\n");

const WEAK_TEXT = {
  ambiguous_only: "só palavras ambíguas no objeto",
  low_density: "uma única palavra do setor num objeto longo",
  details_only: "evidência só na informação complementar",
} as const;

/** Entry point of the subcommand. */
export async function sectorsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, {
    json: { type: "boolean" },
    complemento: { type: "string" },
    help: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [action, id, text, ...rest] = positionals;
  if (action === undefined) return list(values.json === true);
  if (action !== "explain" || id === undefined || text === undefined || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  if (!(SECTOR_IDS as readonly string[]).includes(id)) {
    process.stderr.write(`Setor desconhecido: "${id.slice(0, 40)}". Veja a lista com: smart-pncp sectors\n`);
    return 1;
  }
  if (text.trim() === "") {
    process.stderr.write("Informe o texto do objeto entre aspas.\n");
    return 1;
  }
  const explanation = explainSector(id as SectorId, text, values.complemento ?? null);
  if (values.json) process.stdout.write(`${JSON.stringify(explanation, null, 2)}\n`);
  else process.stdout.write(`${describeExplanation(explanation)}\n`);
  return 0;
}

function list(json: boolean): number {
  if (json) {
    const sectors = SECTOR_IDS.map((id) => {
      const { name, description, typicalValue, version, includes } = SECTORS[id];
      return { id, name, description, typicalValue, version, includes: includes ?? [] };
    });
    process.stdout.write(`${JSON.stringify({ sectors }, null, 2)}\n`);
    return 0;
  }
  const lines = [`${SECTOR_IDS.length} setores (use setor:<id> na busca):`, ""];
  for (const id of SECTOR_IDS) {
    const s = SECTORS[id];
    const range = `${formatBRL(s.typicalValue.min)} a ${formatBRL(s.typicalValue.max)}`;
    lines.push(`• ${id} — ${s.name}`);
    lines.push(`    ${s.description}`);
    lines.push(`    valor típico: ${range}${s.includes?.length ? `; inclui ${s.includes.join(", ")}` : ""}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

const quoted = (items: readonly string[]) =>
  items.length > 0 ? items.map((i) => `“${i}”`).join(", ") : "nenhuma";

/** The explanation as pt-BR text. */
export function describeExplanation(e: SectorExplanation): string {
  const name = SECTORS[e.sector].name;
  const verdict = e.matched
    ? `✅ Pertence ao setor ${name} (setor:${e.sector}).`
    : `❌ Não pertence ao setor ${name} (setor:${e.sector}).`;
  const lines = [verdict, ""];
  lines.push(`Palavras do setor no objeto: ${quoted(e.objectHits)}`);
  lines.push(`Palavras do setor na informação complementar: ${quoted(e.detailsHits)}`);
  const blanked = [...e.objectBlanked, ...e.detailsBlanked];
  const exclusions = [...e.objectExclusions, ...e.detailsExclusions];
  lines.push(
    `Exclusões encontradas: ${quoted(exclusions)}${blanked.length ? ` (apagaram ${quoted(blanked)})` : ""}`,
  );
  if (e.veto) lines.push(`Veto no objeto: “${e.veto}” tira a licitação do setor.`);
  if (e.via) lines.push(`Decidido pelo setor incluído: ${SECTORS[e.via].name} (setor:${e.via}).`);
  lines.push(
    `Campo que decidiu: ${e.field === "objetoCompra" ? "objeto (objetoCompra)" : e.field === "informacaoComplementar" ? "informação complementar (informacaoComplementar)" : "nenhum"}`,
  );
  if (e.weak) {
    lines.push(
      `Zona cinzenta: ${WEAK_TEXT[e.weak]} — com OPENAI_API_KEY o árbitro decide; sem ela vale esta decisão.`,
    );
  }
  if (!e.matched && !e.veto && e.objectHits.length === 0 && e.detailsHits.length > 0) {
    lines.push("A informação complementar só confirma; sozinha nunca decide.");
  }
  return lines.join("\n");
}
