import { describe, expect, it } from "vitest";
import { SECTOR_IDS, type SectorId } from "../sectors.ts";
import { normalizeText } from "../text-fold.ts";
import { loadFixtureBids } from "./fixture-bids.testing.ts";
import { SECTOR_CATALOG_VERSION, SECTORS, sectorByName, sectorMatcher } from "./sectors.ts";

const bids = loadFixtureBids();

/** The real `objetoCompra` of the first fixture record containing `fragment`. */
function objectWith(fragment: string): string {
  const bid = bids.find((b) => b.object.includes(fragment));
  if (!bid) throw new Error(`no fixture object contains ${fragment}`);
  return bid.object;
}

describe("sector catalogue", () => {
  it("has every sector id with a pt-BR name, description, examples, value range and data", () => {
    for (const id of SECTOR_IDS) {
      const sector = SECTORS[id];
      expect(sector.id).toBe(id);
      expect(sector.name.length).toBeGreaterThan(3);
      expect(sector.description.length).toBeGreaterThan(10);
      expect(sector.examples.length).toBeGreaterThan(0);
      expect(sector.keywords.length).toBeGreaterThanOrEqual(25);
      expect(sector.exclusions.length).toBeGreaterThanOrEqual(4);
      expect(sector.typicalValue.min).toBeGreaterThan(0);
      expect(sector.typicalValue.max).toBeGreaterThan(sector.typicalValue.min);
      expect(sector.keywords).toEqual([...sector.words, ...sector.phrases, ...sector.ambiguous]);
      for (const child of sector.includes ?? []) expect(SECTOR_IDS).toContain(child);
    }
  });

  it("keeps words single and phrases multi-word", () => {
    for (const id of SECTOR_IDS) {
      for (const word of SECTORS[id].words) expect(word.trim(), `${id}: ${word}`).not.toMatch(/\s/);
      for (const phrase of SECTORS[id].phrases) expect(phrase.trim(), `${id}: ${phrase}`).toMatch(/\s/);
    }
  });

  it("versions each sector by its content: 16 hex digits, distinct per sector, in the catalogue hash", () => {
    const versions = SECTOR_IDS.map((id) => SECTORS[id].version);
    for (const v of versions) expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(versions).size).toBe(SECTOR_IDS.length);
    expect(SECTOR_CATALOG_VERSION).toMatch(/^[0-9a-f]{16}$/);
  });

  it("gives no alias, name or id to two sectors", () => {
    const owner = new Map<string, string>();
    for (const id of SECTOR_IDS) {
      for (const name of new Set(
        [id, SECTORS[id].name, ...SECTORS[id].aliases].map((n) => normalizeText(n)),
      )) {
        expect(owner.get(name) ?? id, name).toBe(id);
        owner.set(name, id);
        expect(sectorByName(name)).toBe(id);
      }
    }
  });

  it("has sectors with 100+ keywords for the benchmark", () => {
    expect(SECTORS.saude.keywords.length).toBeGreaterThanOrEqual(100);
    expect(SECTORS.engenharia.keywords.length).toBeGreaterThanOrEqual(100);
  });

  it("finds sectors by id, name and alias, accents and case ignored", () => {
    expect(sectorByName("Vestuário e Uniformes")).toBe("vestuario");
    expect(sectorByName("UNIFORMES")).toBe("vestuario");
    expect(sectorByName("informatica")).toBe("informatica");
    expect(sectorByName("manutencao_predial")).toBe("manutencao_predial");
    expect(sectorByName("material de expediente")).toBe("papelaria");
    expect(sectorByName("jaleco")).toBeNull();
  });

  it("caches the compiled matcher", () => {
    expect(sectorMatcher("saude")).toBe(sectorMatcher("saude"));
  });
});

// Real PNCP objects (fixture records) and the sector each must — or must not — fall in.
const POSITIVE: [SectorId, string][] = [
  ["vestuario", "Uniformes Escolares visando a doação"],
  ["vestuario", "AQUISIÇÃO DE UNIFORME ESCOLAR (BERMUDAS"],
  ["vestuario", "camisas em malha, maiôs e sungas"],
  ["vestuario", "REGISTRO DE PREÇOS PARA AQUISIÇÃO DE JALECOS"],
  ["alimentos", "FORNECIMENTO DE KIT LANCHE E MARMITEX"],
  ["alimentos", "Gêneros Alimentícios Diversos"],
  ["alimentos", "aquisição de Leite em Pó"],
  ["alimentos", "Água Mineral natural em garrafão"],
  ["informatica", "MANUTENÇÃO E REPARO DE HARDWARE"],
  ["informatica", "Aquisição de TABLETS"],
  ["informatica", "materiais e equipamentos de informática e de CFTV"],
  ["mobiliario", "Mobiliário Escolar para as salas de aula"],
  ["mobiliario", "cadeiras giratórias com braços"],
  ["mobiliario", "móveis planejados em madeira"],
  ["papelaria", "MATERIAL DE EXPEDIENTE"],
  ["papelaria", "aquisição de Papel A4"],
  ["papelaria", "aquisição de cadernos brochurão"],
  ["engenharia", "recapeamento asfáltico e sinalização horizontal"],
  ["engenharia", "Construção de Creche de Educação Infantil"],
  ["engenharia", "Manutenção corretiva de pavimentos asfálticos"],
  ["software", "Aquisições de Licenças de Softwares"],
  ["software", "LICENÇAS DE SOFTWARE AUTODESK"],
  ["software", "sustentação do banco de dados do SIGRAH"],
  ["facilities", "serviços de limpeza, conservação e higienização"],
  ["facilities", "REGISTRO DE PREÇOS VISANDO A AQUISIÇÃO DE PAPEL HIGIÊNICO"],
  ["facilities", "desinsetização e desratização"],
  ["saude", "Medicamentos do Sistema Cardiovascular"],
  ["saude", "INSTRUMENTAIS ODONTOLÓGICOS (AFASTADORES"],
  ["saude", "MATERIASIS MÉDICO-HOSPITALARES (AVENTAIS"],
  ["saude", "Equipamentos de Ultrassonografia Diagnóstica"],
  ["vigilancia", "vigilância armada e segurança"],
  ["vigilancia", "CÂMERAS DE VIDEOMONITORAMENTO"],
  ["vigilancia", "COLETES DE PROTEÇÃO BALÍSTICA"],
  ["transporte", "LOCAÇÃO DE VEÍCULOS, COM MOTORISTA"],
  ["transporte", "aquisição de veículo do tipo Caminhonete"],
  ["transporte", "agenciamento e fornecimento de passagens aéreas"],
  ["manutencao_predial", "SUBESTAÇÕES ELÉTRICAS"],
  ["manutencao_predial", "AQUISIÇÃO DE CLIMATIZADORES DE AR"],
  ["manutencao_predial", "ferramentas elétricas para a manutenção predial"],
];

const NEGATIVE: [SectorId, string][] = [
  // "mão de obra uniformizada" is a cleaning contract, not uniforms
  ["vestuario", "fornecimento de mão de obra uniformizada"],
  // washing machines "de lavar roupas" are not clothing
  ["vestuario", "cortadores de legumes, espremedores de batatas"],
  // a veterinary drug is not health-sector business
  ["saude", "Medicamentos para uso veterinário II"],
  // an odontology tool list mentioning "elevadores" is not building maintenance
  ["manutencao_predial", "INSTRUMENTAIS ODONTOLÓGICOS (AFASTADORES, ELEVADORES"],
  // "Secretaria Municipal de Obras" is a requester, not an obra
  ["engenharia", "Aquisição de televisores, suportes articulados e pen Drives"],
  // "transporte de bens culturais móveis" is not furniture
  ["mobiliario", "transporte de bens culturais móveis"],
  // mobile telephony is not furniture
  ["mobiliario", "INTERNET MÓVEL VIA SERVIÇO MÓVEL PESSOAL"],
  // "Sistema Nervoso Central" is not software
  ["software", "Sistema Nervoso Central"],
  // the rubber sheet under a granite bench is not papelaria ("borracha") nor furniture
  ["papelaria", "lençol de borracha NR 1087"],
  ["mobiliario", "lençol de borracha NR 1087"],
  // a waste collection contract is not a transport contract
  ["transporte", "coleta, transporte, tratamento e disposição final"],
  // a snack bag for cleaning supplies is not food
  ["alimentos", "flanela, vassoura, saco para lanche"],
  // "Subsecretaria de Zeladoria Urbana" is a requester, not a cleaning contract
  ["facilities", "reforma do Campo do Leblon"],
];

describe("sector matching on real PNCP objects", () => {
  it.each(POSITIVE)("%s matches %j", (id, fragment) => {
    expect(sectorMatcher(id).match(objectWith(fragment)).matched).toBe(true);
  });

  it.each(NEGATIVE)("%s does not match %j", (id, fragment) => {
    expect(sectorMatcher(id).match(objectWith(fragment)).matched).toBe(false);
  });

  it("keeps a mixed object that also names an excluded phrase", () => {
    const text = "Aquisição de uniformes escolares e roupa de cama para os abrigos";
    expect(sectorMatcher("vestuario").match(text)).toMatchObject({ matched: true, excluded: true });
  });
});
