import { describe, expect, it } from "vitest";
import { type SearchQuery, searchQuerySchema } from "../search-query.ts";
import { parseQuery } from "./parse-query.ts";

// Sunday 22/11/2026, noon in São Paulo.
const NOW = new Date("2026-11-22T12:00:00-03:00");
const parse = (text: string, defaults?: Partial<SearchQuery>) => parseQuery(text, { now: NOW, defaults });

type Case = [text: string, expected: Partial<SearchQuery>, unrecognized?: string[]];

const CASES: Case[] = [
  // the examples
  [
    "uniformes SC PR 15d",
    { sector: "vestuario", terms: [], ufs: ["SC", "PR"], from: "2026-11-08", to: "2026-11-22" },
  ],
  [
    "setor:saude RJ últimos 30 dias acima de 100 mil",
    { sector: "saude", ufs: ["RJ"], from: "2026-10-24", minValue: 100_000 },
  ],
  [
    '"merenda escolar" MG de 01/10/2026 a 31/10/2026 pregão',
    { terms: ["merenda escolar"], ufs: ["MG"], from: "2026-10-01", to: "2026-10-31", modalidades: [6, 7] },
  ],
  ["abertas informática SP", { openOnly: true, sector: "informatica", ufs: ["SP"], terms: [] }],
  // sectors and terms
  ["setor:Vestuário e Uniformes", { sector: "vestuario" }],
  ["setor:manutencao_predial MG", { sector: "manutencao_predial", ufs: ["MG"] }],
  ["manutenção predial SP", { sector: "manutencao_predial", terms: [], ufs: ["SP"] }],
  ["material de expediente PR 30d", { sector: "papelaria", terms: [], from: "2026-10-24" }],
  ["uniformes jalecos SP", { sector: null, terms: ["uniformes", "jalecos"] }],
  ['"uniformes"', { sector: null, terms: ["uniformes"] }],
  ["merenda escolar ES", { terms: ["merenda escolar"], ufs: ["ES"] }],
  ["kit lanche e marmitex", { terms: ["kit lanche", "marmitex"] }],
  ["material de limpeza, vassouras", { terms: ["material de limpeza", "vassouras"] }],
  ["licitações de coleta de lixo no PR", { terms: ["coleta de lixo"], ufs: ["PR"] }],
  ["setor:saude medicamentos", { sector: "saude", terms: ["medicamentos"] }],
  ["buscar notebook, computadores", { terms: ["notebook", "computadores"] }],
  // UFs and state names
  ["sp rj mg", { ufs: ["SP", "RJ", "MG"] }],
  ["SP/RJ", { ufs: ["SP", "RJ"] }],
  ["uf:sc,pr", { ufs: ["SC", "PR"] }],
  ["sc pr se", { ufs: ["SC", "PR", "SE"] }],
  ["obras SE", { ufs: ["SE"], sector: "engenharia" }],
  ["pavimentação são paulo", { ufs: ["SP"], terms: ["pavimentação"] }],
  ["santa catarina e rio grande do sul", { ufs: ["SC", "RS"] }],
  ["rio grande do norte", { ufs: ["RN"] }],
  ["Espirito Santo Goias", { ufs: ["ES", "GO"] }],
  ["mato grosso do sul", { ufs: ["MS"] }],
  ["pará", { ufs: ["PA"] }],
  ["uniformes para escolas", { ufs: [], terms: ["uniformes", "escolas"] }],
  ["todos os estados", { ufs: [] }],
  ["SP todo o Brasil", { ufs: [] }],
  ["brasil 7 dias", { ufs: [], from: "2026-11-16" }],
  // relative dates
  ["15 dias", { from: "2026-11-08", to: "2026-11-22" }],
  ["nos últimos 10 dias", { from: "2026-11-13" }],
  ["hoje", { from: "2026-11-22", to: "2026-11-22" }],
  ["ontem", { from: "2026-11-21", to: "2026-11-21" }],
  ["esta semana", { from: "2026-11-16", to: "2026-11-22" }],
  ["semana passada", { from: "2026-11-09", to: "2026-11-15" }],
  ["este mês", { from: "2026-11-01", to: "2026-11-22" }],
  ["mês passado", { from: "2026-10-01", to: "2026-10-31" }],
  ["2 semanas", { from: "2026-11-09" }],
  ["último mês", { from: "2026-10-24" }],
  ["3 meses", { from: "2026-08-25" }],
  // absolute dates
  ["desde 01/10/2026", { from: "2026-10-01", to: "2026-11-22" }],
  ["a partir de 15/11/2026", { from: "2026-11-15", to: "2026-11-22" }],
  ["01/10 a 15/10", { from: "2026-10-01", to: "2026-10-15" }],
  ["entre 01/10/26 e 05/10/26", { from: "2026-10-01", to: "2026-10-05" }],
  ["em outubro", { from: "2026-10-01", to: "2026-10-31" }],
  ["outubro de 2025", { from: "2025-10-01", to: "2025-10-31" }],
  ["dezembro", { from: "2025-12-01", to: "2025-12-31" }],
  ["novembro", { from: "2026-11-01", to: "2026-11-22" }],
  ["out/2026", { from: "2026-10-01", to: "2026-10-31" }],
  ["até 31/10/2026", { from: "2026-10-25", to: "2026-10-31" }],
  ["em 05/11/2026", { from: "2026-11-05", to: "2026-11-05" }],
  ["2026-10-01 a 2026-10-10", { from: "2026-10-01", to: "2026-10-10" }],
  // values
  ["acima de 50 mil", { minValue: 50_000, maxValue: null }],
  ["mais de R$ 200.000,00", { minValue: 200_000 }],
  ["até 1,5 milhão", { maxValue: 1_500_000, minValue: null }],
  ["entre 10 mil e 100 mil", { minValue: 10_000, maxValue: 100_000 }],
  ["entre 10 e 100 mil", { minValue: 10_000, maxValue: 100_000 }],
  ["de R$ 5.000 a R$ 20.000", { minValue: 5_000, maxValue: 20_000 }],
  ["acima de 50k", { minValue: 50_000 }],
  ["valor mínimo 1000", { minValue: 1_000 }],
  ["valor máximo R$1.000.000,50", { maxValue: 1_000_000.5 }],
  ["abaixo de 2 mi", { maxValue: 2_000_000 }],
  ["min:50mil max:1mi", { minValue: 50_000, maxValue: 1_000_000 }],
  // modalidades
  ["pregão eletrônico", { modalidades: [6] }],
  ["pregão presencial", { modalidades: [7] }],
  ["concorrência", { modalidades: [4, 5] }],
  ["dispensa", { modalidades: [8] }],
  ["pregão e dispensa", { modalidades: [6, 7, 8] }],
  ["inexigibilidade", { modalidades: [9] }],
  ["leilão", { modalidades: [1, 13] }],
  ["credenciamento", { modalidades: [12] }],
  ["modalidade concurso", { modalidades: [3] }],
  ["modalidade:6,8", { modalidades: [6, 8] }],
  ["concurso público", { modalidades: [6, 4, 8], terms: ["concurso", "público"] }],
  // status, esfera, sort
  ["recebendo propostas", { openOnly: true }],
  ["encerradas", { statuses: ["encerrada"], openOnly: false }],
  ["em julgamento", { statuses: ["em_julgamento"] }],
  ["municipal", { esferas: ["M"] }],
  ["estadual federal", { esferas: ["E", "F"] }],
  ["distrito federal", { ufs: ["DF"], esferas: [] }],
  ["mais recentes", { sort: "newest" }],
  ["ordenar por maior valor", { sort: "value_desc" }],
  ["menor valor", { sort: "value_asc" }],
  ["encerrando", { sort: "closing_soon" }],
  ["mais antigas", { sort: "oldest" }],
  // places and agencies
  ['orgao:"prefeitura de campinas"', { orgaos: ["prefeitura de campinas"] }],
  ["cnpj:18715383000140", { orgaos: ["18715383000140"] }],
  ["municipio:campinas", { municipios: ["campinas"] }],
  ["uniformes em Belo Horizonte", { municipios: ["Belo Horizonte"], sector: "vestuario" }],
  ["obras em São José dos Campos", { municipios: ["São José dos Campos"] }],
  ["prefeitura de Vitória", { municipios: ["Vitória"], esferas: ["M"] }],
  ["em São Paulo", { ufs: ["SP"], municipios: [] }],
  // unreadable pieces are reported, the rest still works
  ["32/13/2026 uniformes", { sector: "vestuario" }, ["32/13/2026"]],
  ["acima de banana SP", { ufs: ["SP"], minValue: null }, ["acima de banana"]],
  ["setor:xyz RJ", { ufs: ["RJ"], sector: null }, ["setor:xyz"]],
  ["uniformes 50 mil", { sector: "vestuario", minValue: null }, ["50 mil"]],
  ["papel 2026", { terms: ["papel"] }, ["2026"]],
  ["foo:bar papel", { terms: ["papel"] }, ["foo:bar"]],
  ["modalidade 42", { modalidades: [6, 4, 8] }, ["modalidade 42"]],
  ["de 01/10/2026 a 31/02/2026", {}, ["de 01/10/2026 a 31/02/2026"]],
];

describe("parseQuery: real phrasings", () => {
  it.each(CASES)("%j", (text, expected, unrecognized = []) => {
    const parsed = parse(text);
    expect(parsed.query).toMatchObject(expected);
    expect(parsed.unrecognized).toEqual(unrecognized);
    expect(searchQuerySchema.parse(parsed.query)).toEqual(parsed.query);
  });
});

describe("parseQuery: defaults and validation", () => {
  it("defaults to the last 7 days (today included) and the default modalidades", () => {
    const { query, unrecognized, notes } = parse("");
    expect(query).toMatchObject({
      terms: [],
      sector: null,
      ufs: [],
      from: "2026-11-16",
      to: "2026-11-22",
      modalidades: [6, 4, 8],
      sort: "relevance",
      openOnly: false,
    });
    expect(unrecognized).toEqual([]);
    expect(notes).toEqual([]);
  });

  it("uses the São Paulo date of now, not the UTC date", () => {
    const lateNight = new Date("2026-11-22T23:30:00-03:00"); // already the 23rd in UTC
    expect(parseQuery("hoje", { now: lateNight }).query.from).toBe("2026-11-22");
  });

  it("fills what the text leaves unsaid from defaults, and the text wins", () => {
    const defaults: Partial<SearchQuery> = { ufs: ["SC"], modalidades: [8], sort: "newest" };
    expect(parse("uniformes", defaults).query).toMatchObject({
      ufs: ["SC"],
      modalidades: [8],
      sort: "newest",
    });
    expect(parse("uniformes PR pregão", defaults).query).toMatchObject({ ufs: ["PR"], modalidades: [6, 7] });
  });

  it("swaps reversed dates with a note", () => {
    const { query, notes } = parse("de 31/10/2026 a 01/10/2026");
    expect(query).toMatchObject({ from: "2026-10-01", to: "2026-10-31" });
    expect(notes).toEqual(["Datas invertidas: usei 01/10/2026 a 31/10/2026."]);
  });

  it("clamps a future end date to today with a note", () => {
    const { query, notes } = parse("de 01/11/2026 a 31/12/2026");
    expect(query).toMatchObject({ from: "2026-11-01", to: "2026-11-22" });
    expect(notes).toEqual(["Data final no futuro: usei hoje (22/11/2026)."]);
  });

  it("keeps periods longer than 365 days, with a note", () => {
    const { query, notes } = parse("desde 01/01/2025");
    expect(query).toMatchObject({ from: "2025-01-01", to: "2026-11-22" });
    expect(notes[0]).toMatch(/^Período de 691 dias/);
  });

  it("swaps reversed values with a note", () => {
    const { query, notes } = parse("acima de 100 mil até 10 mil");
    expect(query).toMatchObject({ minValue: 10_000, maxValue: 100_000 });
    expect(notes).toHaveLength(1);
  });

  it("reports an ambiguous lowercase UF instead of guessing", () => {
    const { query, unrecognized, notes } = parse("uniformes pe");
    expect(query.ufs).toEqual([]);
    expect(unrecognized).toEqual(["pe"]);
    expect(notes[0]).toContain("PE");
  });

  it("uses the last of several periods, with a note", () => {
    const { query, notes } = parse("15d hoje");
    expect(query).toMatchObject({ from: "2026-11-22", to: "2026-11-22" });
    expect(notes).toEqual(["Mais de um período informado: usei o último."]);
  });
});
