import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  isHttpUrl,
  type NormalizeContext,
  normalizePage,
  normalizeRecord,
  pncpEditalLink,
} from "./normalize.ts";
import { pncpRecordSchema } from "./record-schema.ts";

type Raw = Record<string, unknown> & {
  numeroControlePNCP: string;
  linkSistemaOrigem?: string | null;
  objetoCompra: string;
  valorTotalEstimado?: number | null;
  valorTotalHomologado: number | null;
  anoCompra: number;
  sequencialCompra: number;
  orgaoEntidade: Record<string, unknown>;
  unidadeOrgao: Record<string, unknown>;
};

const DIR = new URL("../../../test/fixtures/pncp/", import.meta.url);
const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, DIR), "utf8")) as T;
const bh = read<Raw[]>("contratacoes-publicacao-records-belo-horizonte-mg-pregao-2025-2026.json");
const vitoria = read<Raw[]>("contratacoes-publicacao-records-vitoria-es-pregao-2025-2026.json");
const saoPaulo = read<Raw[]>("contratacoes-publicacao-records-sao-paulo-cnpj-pregao-2025-2026.json");
const proposta = read<{ data: Raw[] }>("contratacoes-proposta-page-mod6-sp-2026-09-21.json").data;
const dispensa = read<{ data: Raw[] }>("contratacoes-publicacao-page-mod8-sp-2026-09-17.json").data;
const all = [...bh, ...vitoria, ...saoPaulo, ...proposta, ...dispensa];

const NOW = new Date("2026-09-21T20:25:00Z");
const ctx: NormalizeContext = { uf: "MG", modalidade: 6, now: NOW };
const normalize = (raw: unknown, context = ctx) => normalizeRecord(pncpRecordSchema.parse(raw), context);
const byId = (records: Raw[], id: string): Raw => {
  const found = records.find((r) => r.numeroControlePNCP === id);
  if (!found) throw new Error(`fixture record ${id} not found`);
  return structuredClone(found);
};

describe("normalizeRecord on real fixture records", () => {
  it("validates and normalizes every real record without dropping any", () => {
    const { bids, invalid } = normalizePage(all, ctx);
    expect(invalid).toBe(0);
    expect(bids).toHaveLength(all.length);
    expect(new Set(bids.map((b) => b.id)).size).toBe(all.length);
  });

  it('never links to "" or the placeholder "string"; the PNCP page has no zero padding', () => {
    const placeholders = bh.filter((r) => r.linkSistemaOrigem === "string" || r.linkSistemaOrigem === "");
    expect(placeholders.filter((r) => r.linkSistemaOrigem === "string")).toHaveLength(19); // SOURCES.md
    expect(placeholders.some((r) => r.linkSistemaOrigem === "")).toBe(true);
    for (const raw of placeholders) {
      const bid = normalize(raw);
      const page = `https://pncp.gov.br/app/editais/18715383000140/${raw.anoCompra}/${raw.sequencialCompra}`;
      expect(bid.pncpUrl).toBe(page);
      expect(bid.link).toBe(page);
      expect(bid.sourceUrl).toBeNull();
    }
    const padded = normalize(byId(bh, "18715383000140-1-000386/2025"));
    expect(padded.pncpUrl).toBe("https://pncp.gov.br/app/editais/18715383000140/2025/386");
  });

  it("links to the PNCP page always and keeps a real origin URL apart as sourceUrl", () => {
    const real = normalize(byId(proposta, "44935278000126-1-000343/2025"));
    expect(real.pncpUrl).toBe("https://pncp.gov.br/app/editais/44935278000126/2025/343");
    expect(real.link).toBe(real.pncpUrl);
    expect(real.sourceUrl).toBe("https://transparencia.rancharia.sp.gov.br/transparencia/");
    const vitoriaBid = normalize(vitoria[0]);
    expect(vitoria[0]!.linkSistemaOrigem).toBeNull();
    expect(vitoriaBid.sourceUrl).toBeNull();
    expect(vitoriaBid.link).toBe(
      `https://pncp.gov.br/app/editais/27142058000126/${vitoria[0]!.anoCompra}/${vitoria[0]!.sequencialCompra}`,
    );
  });

  it("every real record gets a PNCP page from its own control number, and a source URL only when real", () => {
    for (const raw of all) {
      const bid = normalize(raw);
      const [, cnpj, seq, year] = /^(\w+)-1-(\d+)\/(\d{4})$/.exec(raw.numeroControlePNCP)!;
      expect(bid.pncpUrl).toBe(`https://pncp.gov.br/app/editais/${cnpj}/${year}/${Number(seq)}`);
      if (bid.sourceUrl !== null) expect(bid.sourceUrl).toMatch(/^https?:\/\/[^/]+\./);
      else expect(raw.linkSistemaOrigem ?? "").not.toMatch(/^https?:\/\/[^/]+\./);
    }
  });

  it("reads srp (registro de preços) from the record; anything but a boolean is unknown", () => {
    expect(normalize(byId(proposta, "45157104000142-1-000107/2026")).srp).toBe(true);
    expect(normalize(byId(proposta, "44935278000126-1-000343/2025")).srp).toBe(false);
    const srpCounts = { true: 0, false: 0 };
    for (const raw of bh) srpCounts[normalize(raw).srp ? "true" : "false"]++;
    expect(srpCounts).toEqual({
      true: bh.filter((r) => r.srp === true).length,
      false: bh.filter((r) => r.srp === false).length,
    });
    expect(srpCounts.true).toBeGreaterThan(0);
    const missing = structuredClone(proposta[1]!);
    delete (missing as Record<string, unknown>).srp;
    expect(normalize(missing).srp).toBeNull();
    expect(normalize({ ...structuredClone(proposta[1]!), srp: "S" }).srp).toBeNull();
  });

  it("keeps a real 0 estimated value as 0 and turns a missing value into null", () => {
    const zero = bh.find((r) => r.valorTotalEstimado === 0)!;
    expect(normalize(zero).estimatedValue).toBe(0);
    const missing = structuredClone(zero);
    delete missing.valorTotalEstimado;
    expect(normalize(missing).estimatedValue).toBeNull();
    const nulled = { ...structuredClone(zero), valorTotalEstimado: null };
    expect(normalize(nulled).estimatedValue).toBeNull();
    const open = byId(proposta, "45157104000142-1-000107/2026");
    expect(normalize(open).estimatedValue).toBe(163000);
    expect(normalize(open).homologatedValue).toBeNull();
  });

  it("converts Brasília local times to UTC instants", () => {
    const bid = normalize(byId(proposta, "44935278000126-1-000343/2025"));
    expect(bid.publishedAt).toBe("2026-09-01T17:20:41.000Z");
    expect(bid.proposalsOpenAt).toBe("2026-09-02T11:00:00.000Z");
    expect(bid.proposalsCloseAt).toBe("2026-09-21T20:30:00.000Z");
    const dispensaBid = normalize(dispensa[0]);
    expect(dispensaBid.proposalsOpenAt).toBeNull();
    expect(dispensaBid.proposalsCloseAt).toBeNull();
  });

  it("maps the descriptive fields of a real record", () => {
    const bid = normalize(byId(proposta, "45157104000142-1-000107/2026"));
    expect(bid).toMatchObject({
      id: "45157104000142-1-000107/2026",
      agency: "MUNICIPIO DE TANABI",
      cnpj: "45157104000142",
      unit: "PREFEITURA MUNIC DE TANABI",
      uf: "SP",
      municipality: "Tanabi",
      ibgeCode: "3553401",
      esfera: "M",
      modalityId: 6,
      modalityName: "Pregão - Eletrônico",
      situationId: 1,
      situationName: "Divulgada no PNCP",
      source: "Fiorilli Software",
    });
    expect(bid.details).toMatch(/^Para instrução dos autos/);
    expect(bid.details).not.toMatch(/\s$/);
  });

  it("collapses whitespace inside the object text", () => {
    const raw = byId(saoPaulo, "46395000000139-1-000042/2025");
    expect(raw.objetoCompra).toMatch(/\s{2,}|\n|\t/);
    const bid = normalize(raw);
    expect(bid.object).not.toMatch(/\s{2,}|\n|\t/);
    expect(bid.object).toBe(raw.objetoCompra.replace(/\s+/g, " ").trim());
  });

  it("falls back to the unit name for the agency and to the queried UF", () => {
    const raw = structuredClone(vitoria[0]!);
    raw.orgaoEntidade = { ...raw.orgaoEntidade, razaoSocial: "  " };
    raw.unidadeOrgao = { ...raw.unidadeOrgao, ufSigla: null };
    const bid = normalize(raw, { ...ctx, uf: "ES" });
    expect(bid.agency).toBe(vitoria[0]!.unidadeOrgao.nomeUnidade);
    expect(bid.uf).toBe("ES");
    expect(normalize(raw, { ...ctx, uf: null }).uf).toBeNull();
  });

  it("accepts the spec's string situação and a numeric IBGE code", () => {
    const raw = { ...byId(vitoria, "27142058000126-1-000630/2025"), situacaoCompraId: "4" };
    raw.unidadeOrgao = { ...raw.unidadeOrgao, codigoIbge: 3205309 };
    const bid = normalize(raw);
    expect(bid.situationId).toBe(4);
    expect(bid.status).toBe("em_julgamento");
    expect(bid.ibgeCode).toBe("3205309");
  });
});

describe("normalizePage", () => {
  it("drops and counts malformed records instead of throwing", () => {
    const good = structuredClone(proposta[0]!);
    const noId = structuredClone(proposta[1]!);
    delete (noId as Record<string, unknown>).numeroControlePNCP;
    const badValue = { ...structuredClone(proposta[1]!), valorTotalEstimado: "muito" };
    const { bids, invalid } = normalizePage([good, noId, badValue, null, "x"], ctx);
    expect(bids.map((b) => b.id)).toEqual([good.numeroControlePNCP]);
    expect(invalid).toBe(4);
  });

  it("reads a numeric string value as a number", () => {
    const raw = { ...structuredClone(proposta[1]!), valorTotalEstimado: "163000.00" };
    expect(normalizePage([raw], ctx).bids[0]!.estimatedValue).toBe(163000);
  });
});

describe("links", () => {
  it("isHttpUrl accepts only absolute http(s) URLs with a dotted host", () => {
    expect(isHttpUrl("https://cnetmobile.estaleiro.serpro.gov.br/x")).toBe(true);
    expect(isHttpUrl("http://portalcompras.tanabi.sp.gov.br")).toBe(true);
    for (const bad of [
      "string",
      "",
      "   ",
      null,
      undefined,
      "ftp://x.gov.br",
      "www.pbh.gov.br",
      "https://localhost",
    ]) {
      expect(isHttpUrl(bad)).toBe(false);
    }
  });

  it("derives the PNCP page from the control number when ano/sequencial are missing", () => {
    const link = pncpEditalLink({
      numeroControlePNCP: "44935278000126-1-000343/2025",
      anoCompra: null,
      sequencialCompra: null,
      orgaoEntidade: { cnpj: "44935278000126" },
    });
    expect(link).toBe("https://pncp.gov.br/app/editais/44935278000126/2025/343");
  });
});
