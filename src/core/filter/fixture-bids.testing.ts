/**
 * Test and benchmark support (not used by the app): the real PNCP records in
 * `test/fixtures/pncp/` (copies of ../shared/fixtures/pncp) mapped to `Bid` with a minimal, self-contained mapping, and a `makeBid`
 * builder for hand-made cases.
 */
import { readFileSync } from "node:fs";
import type { Bid, Esfera } from "../bid.ts";
import { brasiliaLocalToIso } from "../time.ts";

const FIXTURE_DIR = new URL("../../../test/fixtures/pncp/", import.meta.url);

/** The list-form fixture files with real `objetoCompra` records. */
export const FIXTURE_FILES = [
  "contratacoes-publicacao-records-belo-horizonte-mg-pregao-2025-2026.json",
  "contratacoes-publicacao-records-vitoria-es-pregao-2025-2026.json",
  "contratacoes-publicacao-records-sao-paulo-cnpj-pregao-2025-2026.json",
  "contratacoes-publicacao-page-mod4-sp-2026-09-17.json",
  "contratacoes-publicacao-page-mod6-sp-2026-09-15to21-trimmed.json",
  "contratacoes-publicacao-page-mod8-sp-2026-09-17.json",
  "contratacoes-proposta-page-mod6-sp-2026-09-21.json",
] as const;

type RawRecord = Record<string, unknown> & {
  numeroControlePNCP: string;
  objetoCompra: string;
  orgaoEntidade: { cnpj: string; razaoSocial: string; esferaId: string };
  unidadeOrgao: { ufSigla: string; municipioNome: string; codigoIbge: string; nomeUnidade: string };
};

/** Every real record of the fixture files, as `Bid`s (records without `objetoCompra` are skipped). */
export function loadFixtureBids(): Bid[] {
  return FIXTURE_FILES.flatMap((file) => {
    const json: unknown = JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), "utf8"));
    const records = (Array.isArray(json) ? json : (json as { data: unknown[] }).data) as RawRecord[];
    return records.filter((r) => typeof r.objetoCompra === "string").map(toBid);
  });
}

function toBid(r: RawRecord): Bid {
  const homologated = typeof r.valorTotalHomologado === "number" ? r.valorTotalHomologado : null;
  const closeAt = brasiliaLocalToIso(r.dataEncerramentoProposta as string | null);
  const pncpUrl = `https://pncp.gov.br/app/editais/${r.orgaoEntidade.cnpj}/${r.anoCompra}/${r.sequencialCompra}`;
  return {
    id: r.numeroControlePNCP,
    object: r.objetoCompra.replace(/\s+/g, " ").trim(),
    details: (r.informacaoComplementar as string | null) || null,
    agency: r.orgaoEntidade.razaoSocial,
    cnpj: r.orgaoEntidade.cnpj,
    unit: r.unidadeOrgao.nomeUnidade ?? null,
    uf: r.unidadeOrgao.ufSigla ?? null,
    municipality: r.unidadeOrgao.municipioNome ?? null,
    ibgeCode: r.unidadeOrgao.codigoIbge ?? null,
    esfera: (r.orgaoEntidade.esferaId as Esfera) ?? null,
    modalityId: r.modalidadeId as number,
    modalityName: r.modalidadeNome as string,
    estimatedValue: typeof r.valorTotalEstimado === "number" ? r.valorTotalEstimado : null,
    homologatedValue: homologated,
    publishedAt: brasiliaLocalToIso(r.dataPublicacaoPncp as string),
    proposalsOpenAt: brasiliaLocalToIso(r.dataAberturaProposta as string | null),
    proposalsCloseAt: closeAt,
    situationId: (r.situacaoCompraId as number) ?? null,
    situationName: (r.situacaoCompraNome as string) ?? null,
    status: homologated !== null ? "encerrada" : "em_julgamento",
    link: pncpUrl,
    pncpUrl,
    sourceUrl:
      typeof r.linkSistemaOrigem === "string" && /^https?:\/\/[^/]+\./.test(r.linkSistemaOrigem)
        ? r.linkSistemaOrigem
        : null,
    srp: typeof r.srp === "boolean" ? r.srp : null,
    source: (r.usuarioNome as string) ?? null,
  };
}

let counter = 0;

/** A plausible bid with `overrides` applied; ids are unique unless given. */
export function makeBid(overrides: Partial<Bid> = {}): Bid {
  counter++;
  return {
    id: `00000000000191-1-${String(counter).padStart(6, "0")}/2026`,
    object: "Aquisição de material",
    details: null,
    agency: "MUNICIPIO DE EXEMPLO",
    cnpj: "00000000000191",
    unit: "SECRETARIA MUNICIPAL DE ADMINISTRACAO",
    uf: "SP",
    municipality: "Campinas",
    ibgeCode: "3509502",
    esfera: "M",
    modalityId: 6,
    modalityName: "Pregão - Eletrônico",
    estimatedValue: 100_000,
    homologatedValue: null,
    publishedAt: "2026-11-20T13:00:00.000Z",
    proposalsOpenAt: "2026-11-20T13:00:00.000Z",
    proposalsCloseAt: "2026-12-05T13:00:00.000Z",
    situationId: 1,
    situationName: "Divulgada no PNCP",
    status: "recebendo_propostas",
    link: "https://pncp.gov.br/app/editais/00000000000191/2026/1",
    pncpUrl: "https://pncp.gov.br/app/editais/00000000000191/2026/1",
    sourceUrl: null,
    srp: false,
    source: "Compras.gov.br",
    ...overrides,
  };
}
