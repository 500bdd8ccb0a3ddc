/**
 * Raw PNCP contratação → the app's one `Bid` shape. Field rules and the quirks they handle are in
 * shared/reference/PNCP-API.md §A7–A8.
 */
import type { Bid, Esfera } from "../bid.ts";
import { MODALIDADES } from "../modalidades.ts";
import { brasiliaLocalToIso } from "../time.ts";
import { type PncpRecord, pncpRecordSchema } from "./record-schema.ts";
import { inferStatus } from "./status.ts";

/** What the query knew that the record may lack. */
export interface NormalizeContext {
  /** UF sigla that was queried (fallback when `unidadeOrgao.ufSigla` is missing); null for national. */
  uf: string | null;
  /** Modalidade that was queried (fallback when `modalidadeId` is missing). */
  modalidade: number;
  /** "Now" for status inference. */
  now: Date;
}

const PNCP_EDITAIS = "https://pncp.gov.br/app/editais";
const ESFERAS = new Set<string>(["F", "E", "M", "D"]);
/** `{cnpj}-1-{sequencial}/{ano}`; the CNPJ may become alphanumeric in 2026. */
const CONTROL_NUMBER = /^([0-9A-Za-z]+)-\d+-(\d+)\/(\d{4})$/;

/** Trimmed text, or null when missing or blank. */
function text(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * True for an absolute http(s) URL with a dotted host. PNCP's `linkSistemaOrigem` is sometimes `""` or the
 * literal placeholder `"string"` (Belo Horizonte fixture, 19 records), which must never become a link.
 */
export function isHttpUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value.trim());
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.includes(".");
  } catch {
    return false;
  }
}

/**
 * The public PNCP page of a bid: `https://pncp.gov.br/app/editais/{cnpj}/{ano}/{sequencial}` with the
 * sequencial WITHOUT zero padding (a padded one does not resolve). Uses `anoCompra`/`sequencialCompra`,
 * else parses them out of `numeroControlePNCP`; as a last resort, a PNCP search for the control number.
 */
export function pncpEditalLink(
  record: Pick<PncpRecord, "numeroControlePNCP" | "anoCompra" | "sequencialCompra" | "orgaoEntidade">,
): string {
  const cnpj = record.orgaoEntidade.cnpj.trim();
  if (record.anoCompra != null && record.sequencialCompra != null) {
    return `${PNCP_EDITAIS}/${cnpj}/${record.anoCompra}/${record.sequencialCompra}`;
  }
  const m = CONTROL_NUMBER.exec(record.numeroControlePNCP.trim());
  if (m) return `${PNCP_EDITAIS}/${m[1]}/${m[3]}/${Number(m[2])}`;
  return `${PNCP_EDITAIS}?q=${encodeURIComponent(record.numeroControlePNCP)}`;
}

/**
 * Builds a `Bid` from a validated record. Missing values become null (never 0), a real 0 stays 0
 * (PNCP's mark for a confidential budget); PNCP's Brasília local times become UTC instants. `link` is
 * the PNCP page (see `Bid.link`); a real `linkSistemaOrigem` becomes `sourceUrl`.
 */
export function normalizeRecord(record: PncpRecord, context: NormalizeContext): Bid {
  const unidade = record.unidadeOrgao ?? null;
  const modalityId = record.modalidadeId ?? context.modalidade;
  const esferaRaw = text(record.orgaoEntidade.esferaId)?.toUpperCase() ?? null;
  const homologatedValue = record.valorTotalHomologado ?? null;
  const proposalsCloseAt = brasiliaLocalToIso(record.dataEncerramentoProposta);
  const situationId = record.situacaoCompraId ?? null;
  const cnpj = record.orgaoEntidade.cnpj.trim();
  const unit = text(unidade?.nomeUnidade);
  const pncpUrl = pncpEditalLink(record);

  return {
    id: record.numeroControlePNCP.trim(),
    object: record.objetoCompra.replace(/\s+/g, " ").trim(),
    details: text(record.informacaoComplementar),
    agency: text(record.orgaoEntidade.razaoSocial) ?? unit ?? cnpj,
    cnpj,
    unit,
    uf: text(unidade?.ufSigla)?.toUpperCase() ?? context.uf,
    municipality: text(unidade?.municipioNome),
    ibgeCode: text(unidade?.codigoIbge),
    esfera: esferaRaw && ESFERAS.has(esferaRaw) ? (esferaRaw as Esfera) : null,
    modalityId,
    modalityName: MODALIDADES[modalityId] ?? text(record.modalidadeNome) ?? `Modalidade ${modalityId}`,
    estimatedValue: record.valorTotalEstimado ?? null,
    homologatedValue,
    publishedAt: brasiliaLocalToIso(record.dataPublicacaoPncp),
    proposalsOpenAt: brasiliaLocalToIso(record.dataAberturaProposta),
    proposalsCloseAt,
    situationId,
    situationName: text(record.situacaoCompraNome),
    status: inferStatus(
      {
        situationId,
        homologatedValue,
        proposalsCloseAt,
        modalityId,
        instrumentCode: record.tipoInstrumentoConvocatorioCodigo ?? null,
      },
      context.now,
    ),
    link: pncpUrl,
    pncpUrl,
    sourceUrl: isHttpUrl(record.linkSistemaOrigem) ? record.linkSistemaOrigem.trim() : null,
    srp: record.srp ?? null,
    source: text(record.usuarioNome),
  };
}

/** A page of raw records validated one by one: malformed ones are dropped and counted, never thrown. */
export function normalizePage(
  records: unknown[],
  context: NormalizeContext,
): { bids: Bid[]; invalid: number } {
  const bids: Bid[] = [];
  let invalid = 0;
  for (const raw of records) {
    const parsed = pncpRecordSchema.safeParse(raw);
    if (parsed.success) bids.push(normalizeRecord(parsed.data, context));
    else invalid++;
  }
  return { bids, invalid };
}
