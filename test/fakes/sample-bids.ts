/**
 * Real PNCP records (../shared/fixtures/pncp, mod 6 and 8, SP, Sept 2026) normalized into `Bid` by hand,
 * for summary and Excel tests. PNCP local times are Brasília (UTC−3): 2026-09-28T09:00 → 12:00Z.
 * `SAMPLE_NOW` is 21/09/2026 09:00 in São Paulo: D, E and A close within 7 days (A exactly at +7 d).
 */
import type { Bid } from "../../src/core/bid.ts";

/** 2026-09-21 09:00 São Paulo. */
export const SAMPLE_NOW = new Date("2026-09-21T12:00:00.000Z");

const BASE: Bid = {
  id: "",
  object: "",
  details: null,
  agency: "",
  cnpj: "",
  unit: null,
  uf: "SP",
  municipality: null,
  ibgeCode: null,
  esfera: "F",
  modalityId: 6,
  modalityName: "Pregão - Eletrônico",
  estimatedValue: null,
  homologatedValue: null,
  publishedAt: null,
  proposalsOpenAt: null,
  proposalsCloseAt: null,
  situationId: 1,
  situationName: "Divulgada no PNCP",
  status: "recebendo_propostas",
  link: "",
  pncpUrl: "",
  sourceUrl: null,
  srp: null,
  source: "Compras.gov.br",
};

/** A bid with every field defaulted except `overrides`. */
export function makeBid(overrides: Partial<Bid>): Bid {
  return { ...BASE, ...overrides };
}

/** Six real bids, fresh copies each call; estimated values sum to R$ 3.127.325,28. */
export function sampleBids(): Bid[] {
  return [
    makeBid({
      id: "00394429000100-1-002331/2026",
      object: "Aquisição de Insumos de Hidráulica para a FAYS",
      agency: "COMANDO DA AERONAUTICA",
      cnpj: "00394429000100",
      unit: "ACADEMIA DA FORCA AEREA",
      municipality: "Pirassununga",
      ibgeCode: "3539301",
      estimatedValue: 331204.42,
      publishedAt: "2026-09-15T07:00:06.000Z",
      proposalsOpenAt: "2026-09-15T11:00:00.000Z",
      proposalsCloseAt: "2026-09-28T12:00:00.000Z",
      link: "https://pncp.gov.br/app/editais/00394429000100/2026/2331",
      pncpUrl: "https://pncp.gov.br/app/editais/00394429000100/2026/2331",
      sourceUrl:
        "https://cnetmobile.estaleiro.serpro.gov.br/comprasnet-web/public/compras/acompanhamento-compra?compra=12006005000392026",
      srp: true,
    }),
    makeBid({
      id: "26989715000102-1-001430/2026",
      object:
        "Contratação de serviços de limpeza, conservação e higienização, com fornecimento de mão de obra uniformizada, materiais de consumo, equipamentos e demais insumos necessários à execução dos serviços, para a Sede da Procuradoria Regional do Trabalho da 15ª Região e para as Procuradorias do Trabalho nos Municípios (PTMs) de Araçatuba, Araraquara, Bauru, Presidente Prudente, Ribeirão Preto, São José do Rio Preto, São José dos Campos e Sorocaba, conforme edital e seus anexos.",
      agency: "MINISTERIO PUBLICO DA UNIAO",
      cnpj: "26989715000102",
      unit: "PROCURADORIA REG.TRAB. DA 15ª REGIÃO/SP",
      municipality: "São Paulo",
      ibgeCode: "3550308",
      estimatedValue: 97627.03,
      publishedAt: "2026-09-15T07:00:11.000Z",
      proposalsOpenAt: "2026-09-15T11:00:00.000Z",
      proposalsCloseAt: "2026-09-29T12:30:00.000Z",
      link: "https://pncp.gov.br/app/editais/26989715000102/2026/1430",
      pncpUrl: "https://pncp.gov.br/app/editais/26989715000102/2026/1430",
      sourceUrl:
        "https://cnetmobile.estaleiro.serpro.gov.br/comprasnet-web/public/compras/acompanhamento-compra?compra=20009605000332026",
      srp: false,
    }),
    makeBid({
      id: "00394452000103-1-019941/2026",
      // As recorded: a tab inside the object.
      object:
        "2 BAvEx\tEventual aquisição de materiais e equipamentos de informática e de CFTV para as Unidades do Complexo de Aviação do Exército",
      agency: "COMANDO DO EXERCITO",
      cnpj: "00394452000103",
      unit: "BASE DE AVIACAO DE TAUBATE",
      municipality: "Taubaté",
      ibgeCode: "3554102",
      estimatedValue: 2520388.51,
      publishedAt: "2026-09-15T07:00:16.000Z",
      proposalsOpenAt: "2026-09-15T12:30:00.000Z",
      proposalsCloseAt: "2026-10-29T13:00:00.000Z",
      link: "https://pncp.gov.br/app/editais/00394452000103/2026/19941",
      pncpUrl: "https://pncp.gov.br/app/editais/00394452000103/2026/19941",
      sourceUrl:
        "https://cnetmobile.estaleiro.serpro.gov.br/comprasnet-web/public/compras/acompanhamento-compra?compra=16051805002532026",
      srp: true,
    }),
    makeBid({
      id: "44935278000126-1-000343/2025",
      object:
        "AQUISIÇÃO DE BRINQUEDOS PEDAGÓGICOS EDUCATIVOS DESTINADOS AS SALAS DE ATENDIMENTO EDUCACIONAL ESPECIALIZADO (AEE) DA REDE MUNICIPAL DE ENSINO",
      agency: "MUNICIPIO DE RANCHARIA",
      cnpj: "44935278000126",
      unit: "MUNICIPIO DE RANCHARIA",
      municipality: "Rancharia",
      ibgeCode: "3542206",
      esfera: "M",
      estimatedValue: 14785.32,
      publishedAt: "2026-09-01T17:20:41.000Z",
      proposalsOpenAt: "2026-09-02T11:00:00.000Z",
      proposalsCloseAt: "2026-09-21T20:30:00.000Z",
      link: "https://pncp.gov.br/app/editais/44935278000126/2025/343",
      pncpUrl: "https://pncp.gov.br/app/editais/44935278000126/2025/343",
      sourceUrl: "https://transparencia.rancharia.sp.gov.br/transparencia/",
      srp: false,
      source: "Fiorilli Software",
    }),
    makeBid({
      id: "45157104000142-1-000107/2026",
      object:
        "Registro de Preços para futura e eventual contratação de empresa especializada para locação, por diária, de Ambulância Tipo A – Transporte Simples/Remoção, destinada ao transporte eletivo de pacientes usuários do Sistema Único de Saúde – SUS, conforme condições, especificações, quantidades e demais exigências estabelecidas no Termo de Referência.",
      agency: "MUNICIPIO DE TANABI",
      cnpj: "45157104000142",
      unit: "PREFEITURA MUNIC DE TANABI",
      municipality: "Tanabi",
      ibgeCode: "3553401",
      esfera: "M",
      estimatedValue: 163000,
      publishedAt: "2026-09-11T17:03:04.000Z",
      proposalsOpenAt: "2026-09-21T03:01:00.000Z",
      proposalsCloseAt: "2026-09-22T02:59:00.000Z",
      link: "https://pncp.gov.br/app/editais/45157104000142/2026/107",
      pncpUrl: "https://pncp.gov.br/app/editais/45157104000142/2026/107",
      sourceUrl: "http://portalcompras.tanabi.sp.gov.br",
      srp: true,
      source: "Fiorilli Software",
    }),
    makeBid({
      id: "46675997000180-1-000350/2026",
      object:
        "Aquisição de lona impermeável, de alta resistência, com dimensões de 8,00 m x 4,00 m, destinada à cobertura das caçambas utilizadas para o acondicionamento e transporte do lodo gerado no processo de tratamento realizado na Estação de Tratamento de Lodo – ETL, visando impedir a entrada de água da chuva no material armazenado.",
      agency: "SAECIL-SUPERINT.DE AGUA E ESGOTO DA CIDADE DE LEME",
      cnpj: "46675997000180",
      unit: "SAECIL - Leme",
      municipality: "Leme",
      ibgeCode: "3526704",
      esfera: "M",
      modalityId: 8,
      modalityName: "Dispensa",
      estimatedValue: 320,
      homologatedValue: 320,
      publishedAt: "2026-09-17T10:10:40.000Z",
      status: "encerrada",
      // linkSistemaOrigem was "": no source link.
      link: "https://pncp.gov.br/app/editais/46675997000180/2026/350",
      pncpUrl: "https://pncp.gov.br/app/editais/46675997000180/2026/350",
      sourceUrl: null,
      srp: false,
      source: "Fiorilli Software",
    }),
  ];
}
