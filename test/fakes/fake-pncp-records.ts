/**
 * Data for the fake PNCP: the real recorded contratação records of test/fixtures/pncp/ (copies of the
 * shared collection, see its SOURCES.md), and synthetic volume cloned from them for benchmarks.
 *
 * - `loadFixtureRecords()` → the 579 real records (3 collected arrays + the `data` of the 4 recorded pages).
 * - `syntheticRecords(spec)` → `count` clones with fresh ids, spread round-robin over the given UFs ×
 *   modalidades and evenly over the days of [from, to].
 */
import { readFileSync } from "node:fs";

/** The fields of a raw record the fake filters and sorts on; the rest is passed through untouched. */
export interface FixtureRecord {
  numeroControlePNCP: string;
  modalidadeId: number;
  modalidadeNome?: string;
  anoCompra?: number;
  sequencialCompra?: number;
  dataPublicacaoPncp: string;
  dataAberturaProposta?: string | null;
  dataEncerramentoProposta?: string | null;
  orgaoEntidade: { cnpj: string; [key: string]: unknown };
  unidadeOrgao: { ufSigla: string; codigoIbge?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Directory of the real fixtures, inside the repository so a clean clone runs the fake (test/fixtures/pncp). */
export const FIXTURE_DIR = new URL("../fixtures/pncp/", import.meta.url);

/** The collected arrays (page envelopes dropped by the collector). */
export const RECORD_ARRAY_FILES = [
  "contratacoes-publicacao-records-vitoria-es-pregao-2025-2026.json",
  "contratacoes-publicacao-records-belo-horizonte-mg-pregao-2025-2026.json",
  "contratacoes-publicacao-records-sao-paulo-cnpj-pregao-2025-2026.json",
] as const;

/** Raw recorded pages (real envelopes). */
export const PAGE_FILES = [
  "contratacoes-publicacao-page-mod4-sp-2026-09-17.json",
  "contratacoes-publicacao-page-mod8-sp-2026-09-17.json",
  "contratacoes-publicacao-page-mod6-sp-2026-09-15to21-trimmed.json",
  "contratacoes-proposta-page-mod6-sp-2026-09-21.json",
] as const;

/** Parses one fixture file. */
export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), "utf8")) as T;
}

let cache: FixtureRecord[] | null = null;

/** Every real record, fresh deep copies on each call (callers may mutate them). */
export function loadFixtureRecords(): FixtureRecord[] {
  if (!cache) {
    const arrays = RECORD_ARRAY_FILES.flatMap((name) => readFixture<FixtureRecord[]>(name));
    const pages = PAGE_FILES.flatMap((name) => readFixture<{ data: FixtureRecord[] }>(name).data);
    cache = [...arrays, ...pages];
  }
  return structuredClone(cache);
}

/** How much synthetic volume to make and where to put it. */
export interface SyntheticSpec {
  count: number;
  ufs: string[];
  modalidades: number[];
  /** YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

function localDateTime(dayMs: number, minuteOfDay: number): string {
  return new Date(dayMs + minuteOfDay * 60_000).toISOString().slice(0, 19);
}

/**
 * `count` records cloned from the real ones (cycling), each with a unique `numeroControlePNCP`
 * (`{cnpj}-1-{sequencial}/{ano}` with a fresh sequencial), a UF × modalidade assigned round-robin, and a
 * publication day spread evenly over [from, to]. Proposal dates follow the publication (null stays null).
 */
export function syntheticRecords(
  spec: SyntheticSpec,
  base: FixtureRecord[] = loadFixtureRecords(),
): FixtureRecord[] {
  const slots = spec.ufs.flatMap((uf) => spec.modalidades.map((modalidade) => ({ uf, modalidade })));
  const firstDay = Date.parse(`${spec.from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${spec.to}T00:00:00Z`) - firstDay) / DAY_MS) + 1;
  const out: FixtureRecord[] = [];
  for (let i = 0; i < spec.count; i++) {
    const record = structuredClone(base[i % base.length]!);
    const slot = slots[i % slots.length]!;
    const dayMs = firstDay + (Math.floor(i / slots.length) % days) * DAY_MS;
    const published = localDateTime(dayMs, 7 * 60 + (i % 600));
    const ano = Number(published.slice(0, 4));
    const sequencial = 100_000 + i;
    record.numeroControlePNCP = `${record.orgaoEntidade.cnpj}-1-${String(sequencial).padStart(6, "0")}/${ano}`;
    record.anoCompra = ano;
    record.sequencialCompra = sequencial;
    record.modalidadeId = slot.modalidade;
    record.unidadeOrgao = { ...record.unidadeOrgao, ufSigla: slot.uf };
    record.dataPublicacaoPncp = published;
    if (record.dataAberturaProposta) record.dataAberturaProposta = localDateTime(dayMs + DAY_MS, 8 * 60);
    if (record.dataEncerramentoProposta)
      record.dataEncerramentoProposta = localDateTime(dayMs + 15 * DAY_MS, 9 * 60);
    out.push(record);
  }
  return out;
}
