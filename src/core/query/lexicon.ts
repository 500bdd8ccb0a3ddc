/**
 * Vocabulary of the query grammar (pt-BR): state names, modalidades, status, esfera, sort words and
 * filler words. Phrases are written as a user types them; accents and case are ignored.
 */
import type { BidStatus, Esfera } from "../bid.ts";
import type { SortKey, Uf } from "../search-query.ts";
import { phraseTable } from "./query-tokens.ts";

/** Full state names. "Pará" is handled apart: unaccented "para" is the preposition. */
export const STATE_NAMES = phraseTable<Uf>([
  ["acre", "AC"],
  ["alagoas", "AL"],
  ["amapá", "AP"],
  ["amazonas", "AM"],
  ["bahia", "BA"],
  ["ceará", "CE"],
  ["distrito federal", "DF"],
  ["brasília", "DF"],
  ["espírito santo", "ES"],
  ["goiás", "GO"],
  ["maranhão", "MA"],
  ["mato grosso", "MT"],
  ["mato grosso do sul", "MS"],
  ["minas gerais", "MG"],
  ["minas", "MG"],
  ["paraíba", "PB"],
  ["paraná", "PR"],
  ["pernambuco", "PE"],
  ["piauí", "PI"],
  ["rio de janeiro", "RJ"],
  ["rio grande do norte", "RN"],
  ["rio grande do sul", "RS"],
  ["rondônia", "RO"],
  ["roraima", "RR"],
  ["santa catarina", "SC"],
  ["são paulo", "SP"],
  ["sergipe", "SE"],
  ["tocantins", "TO"],
]);

/**
 * Lowercase UF codes that are also pt-BR words ("se", "to", "ma", "es", "pe", "pa", "am", "ap"):
 * read as a UF only when written in capitals or next to another UF ("sc pr se").
 */
export const AMBIGUOUS_UFS: ReadonlySet<string> = new Set(["se", "to", "ma", "es", "pe", "pa", "am", "ap"]);

/** "todos os estados", "brasil", "nacional" → every UF (an empty `ufs`). */
export const NATIONAL = phraseTable<true>(
  [
    "todos os estados",
    "todos estados",
    "todas as ufs",
    "todas ufs",
    "todo o brasil",
    "todo brasil",
    "brasil",
    "brasil todo",
    "brasil inteiro",
    "nacional",
    "todo o país",
    "todo país",
    "país inteiro",
  ].map((p) => [p, true] as const),
);

const ALL_MODALIDADES = Array.from({ length: 19 }, (_, i) => i + 1);

/** Modalidade names → PNCP codes. "pregão" alone means both 6 and 7. */
export const MODALIDADE_NAMES = phraseTable<number[]>([
  ["pregão eletrônico", [6]],
  ["pregões eletrônicos", [6]],
  ["pregão presencial", [7]],
  ["pregões presenciais", [7]],
  ["pregão", [6, 7]],
  ["pregões", [6, 7]],
  ["pregão internacional", [18, 19]],
  ["concorrência eletrônica", [4]],
  ["concorrências eletrônicas", [4]],
  ["concorrência presencial", [5]],
  ["concorrência", [4, 5]],
  ["concorrências", [4, 5]],
  ["concorrência internacional", [16, 17]],
  ["dispensa", [8]],
  ["dispensas", [8]],
  ["dispensa de licitação", [8]],
  ["dispensa eletrônica", [8]],
  ["contratação direta", [8, 9]],
  ["inexigibilidade", [9]],
  ["inexigibilidades", [9]],
  ["leilão", [1, 13]],
  ["leilões", [1, 13]],
  ["leilão eletrônico", [1]],
  ["leilão presencial", [13]],
  ["credenciamento", [12]],
  ["credenciamentos", [12]],
  ["chamada pública", [15]],
  ["chamamento público", [15]],
  ["diálogo competitivo", [2]],
  ["pré-qualificação", [11]],
  ["pré qualificação", [11]],
  ["manifestação de interesse", [10]],
  ["inaplicabilidade", [14]],
  ["todas as modalidades", ALL_MODALIDADES],
  ["qualquer modalidade", ALL_MODALIDADES],
]);

/** Only after "modalidade": "concurso" alone is usually the object ("concurso público"). */
export const MODALIDADE_AFTER_LEAD = phraseTable<number[]>([["concurso", [3]]]);

/** Status words. `open` means "recebendo propostas" (the /proposta endpoint). */
export type StatusWord = { open: true } | { status: BidStatus };

export const STATUS_WORDS = phraseTable<StatusWord>([
  ...[
    "abertas",
    "abertos",
    "aberta",
    "aberto",
    "em aberto",
    "recebendo propostas",
    "recebendo proposta",
    "propostas abertas",
    "com propostas abertas",
    "abertas para propostas",
    "em andamento",
    "em fase de propostas",
  ].map((p) => [p, { open: true }] as const),
  ...[
    "encerradas",
    "encerrada",
    "encerrados",
    "encerrado",
    "fechadas",
    "finalizadas",
    "concluídas",
    "homologadas",
  ].map((p) => [p, { status: "encerrada" }] as const),
  ...["em julgamento", "julgamento", "em análise", "em disputa"].map(
    (p) => [p, { status: "em_julgamento" }] as const,
  ),
] as [string, StatusWord][]);

export const ESFERA_WORDS = phraseTable<Esfera>([
  ["municipal", "M"],
  ["municipais", "M"],
  ["prefeituras", "M"],
  ["esfera municipal", "M"],
  ["estadual", "E"],
  ["estaduais", "E"],
  ["governo estadual", "E"],
  ["esfera estadual", "E"],
  ["federal", "F"],
  ["federais", "F"],
  ["governo federal", "F"],
  ["união", "F"],
  ["esfera federal", "F"],
  ["distrital", "D"],
]);

export const SORT_WORDS = phraseTable<SortKey>([
  ["mais recentes", "newest"],
  ["mais recente", "newest"],
  ["recentes", "newest"],
  ["mais novas", "newest"],
  ["mais novos", "newest"],
  ["mais antigas", "oldest"],
  ["mais antigos", "oldest"],
  ["antigas", "oldest"],
  ["maior valor", "value_desc"],
  ["maiores valores", "value_desc"],
  ["mais caras", "value_desc"],
  ["mais caros", "value_desc"],
  ["valor decrescente", "value_desc"],
  ["menor valor", "value_asc"],
  ["menores valores", "value_asc"],
  ["mais baratas", "value_asc"],
  ["mais baratos", "value_asc"],
  ["valor crescente", "value_asc"],
  ["encerrando", "closing_soon"],
  ["encerrando em breve", "closing_soon"],
  ["encerram em breve", "closing_soon"],
  ["fechando", "closing_soon"],
  ["vencendo", "closing_soon"],
  ["mais urgentes", "closing_soon"],
  ["urgentes", "closing_soon"],
  ["prazo mais curto", "closing_soon"],
  // "relevância" is the best_fit order (density, value range, closing date); `relevance`, the default,
  // is only the keyword score and is never asked for by name.
  ["relevância", "best_fit"],
  ["mais relevantes", "best_fit"],
  ["mais relevante", "best_fit"],
  ["relevantes", "best_fit"],
  ["newest", "newest"],
  ["oldest", "oldest"],
  ["value_desc", "value_desc"],
  ["value_asc", "value_asc"],
  ["closing_soon", "closing_soon"],
  ["relevance", "relevance"],
  ["best_fit", "best_fit"],
]);

/** Words that introduce a sort ("ordenar por maior valor"). */
export const SORT_LEADS = phraseTable<true>(
  ["ordenar por", "ordenado por", "ordenadas por", "ordenados por", "ordem", "ordem por", "ordenar"].map(
    (p) => [p, true] as const,
  ),
);

/** Words that say nothing about the search itself; skipped silently (never terms). */
export const FILLER_WORDS: ReadonlySet<string> = new Set([
  "licitacao",
  "licitacoes",
  "edital",
  "editais",
  "buscar",
  "busca",
  "busque",
  "procurar",
  "procuro",
  "procure",
  "pesquisar",
  "pesquise",
  "quero",
  "queria",
  "preciso",
  "mostrar",
  "mostre",
  "mostra",
  "ver",
  "me",
  "encontrar",
  "encontre",
  "oportunidades",
  "oportunidade",
  "pncp",
  "estado",
  "estados",
  "uf",
  "ufs",
  "periodo",
  "valor",
  "valores",
  "modalidade",
  "modalidades",
  "setor",
  "setores",
  "esfera",
  "publicadas",
  "publicados",
  "publicacao",
  "ultimos",
  "ultimas",
  "reais",
  "r",
]);
