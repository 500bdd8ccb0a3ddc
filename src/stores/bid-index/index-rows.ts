/**
 * `IndexedRecord` ⇄ `bids` rows. Writing folds the search text and computes the sector tags (the live
 * matcher, `sectorTagsOf`) here, so every store writes identical rows; reading rebuilds the `Bid` and
 * recomputes its status at the reader's `now` (statuses depend on the clock, the row keeps their inputs).
 */
import type { Bid, Esfera } from "../../core/bid.ts";
import { searchText } from "../../core/index/search-text.ts";
import { SECTOR_TAGS_VERSION, sectorTagsOf } from "../../core/index/sector-tags.ts";
import { inferStatus } from "../../core/pncp/status.ts";
import type { IndexedRecord } from "../../core/ports/bid-index.ts";
import { saoPauloDate } from "../../core/time.ts";
import type { Row } from "../sql-executor.ts";
import { isoFromMs } from "./iso-from-ms.ts";

/** The JSON object `jsonb_populate_recordset(null::bids, …)` reads (column names). */
export interface BidRow {
  id: string;
  uf: string | null;
  municipality: string | null;
  ibge_code: string | null;
  cnpj: string;
  agency: string;
  unit: string | null;
  esfera: string | null;
  modality_id: number;
  modality_name: string;
  dispute_mode_id: number | null;
  dispute_mode: string | null;
  situation_id: number | null;
  situation_name: string | null;
  instrument_code: number | null;
  srp: boolean | null;
  published_at: string | null;
  published_day: string | null;
  proposals_open_at: string | null;
  proposals_close_at: string | null;
  estimated_value: number | null;
  homologated_value: number | null;
  object: string;
  details: string | null;
  link: string;
  pncp_url: string;
  source_url: string | null;
  source: string | null;
  pncp_updated_at: string | null;
  search_text: string;
  sector_tags: string[];
  sector_scores: number[];
  tags_version: string;
  raw: unknown;
  written_at: string;
}

function rawField(raw: unknown, key: string): unknown {
  return raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>)[key] : undefined;
}

function intOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

function textOrNull(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** A finite number or null: JSON has no NaN/Infinity, and a non-finite value is no value. */
function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** Rows for a batch of records, tagged with the current sector version. */
export function toBidRows(records: readonly IndexedRecord[], now: Date): BidRow[] {
  const tags = sectorTagsOf(records.map((record) => record.bid));
  const writtenAt = now.toISOString();
  return records.map(({ bid, raw, pncpUpdatedAt }, i) => ({
    id: bid.id,
    uf: bid.uf,
    municipality: bid.municipality,
    ibge_code: bid.ibgeCode,
    cnpj: bid.cnpj,
    agency: bid.agency,
    unit: bid.unit,
    esfera: bid.esfera,
    modality_id: bid.modalityId,
    modality_name: bid.modalityName,
    dispute_mode_id: intOrNull(rawField(raw, "modoDisputaId")),
    dispute_mode: textOrNull(rawField(raw, "modoDisputaNome")),
    situation_id: bid.situationId,
    situation_name: bid.situationName,
    instrument_code: intOrNull(rawField(raw, "tipoInstrumentoConvocatorioCodigo")),
    srp: bid.srp ?? null,
    published_at: bid.publishedAt,
    published_day: bid.publishedAt ? saoPauloDate(new Date(bid.publishedAt)) : null,
    proposals_open_at: bid.proposalsOpenAt,
    proposals_close_at: bid.proposalsCloseAt,
    estimated_value: finite(bid.estimatedValue),
    homologated_value: finite(bid.homologatedValue),
    object: bid.object,
    details: bid.details,
    link: bid.link,
    pncp_url: bid.pncpUrl ?? bid.link,
    source_url: bid.sourceUrl ?? null,
    source: bid.source,
    pncp_updated_at: pncpUpdatedAt,
    search_text: searchText(bid),
    sector_tags: tags[i]!.tags,
    sector_scores: tags[i]!.scores,
    tags_version: SECTOR_TAGS_VERSION,
    raw: raw ?? {},
    written_at: writtenAt,
  }));
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * An instant as an ISO string. `index_search` / `index_bids_by_ids` send epoch milliseconds (a number:
 * the cheapest thing to produce in SQL and to parse here); `bids` rows send timestamptz values.
 */
function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    return Number.isFinite(value) ? isoFromMs(Math.round(value)) : null;
  }
  if (typeof value === "string" && ISO_UTC.test(value)) return value;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Text of a column the light read of `index_search` may leave null (a light bid carries ""). */
function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/**
 * A `Bid` from a row of `index_search` (or `bids`), its status inferred at `now`. A light row
 * (`p_details` false) gives "" for the link and the modalidade name and null for the other fields it
 * leaves out; only runSearch's filtering, sorting and summary see such bids.
 */
export function fromBidRow(row: Row, now: Date): Bid {
  const situationId = num(row.situation_id);
  const homologatedValue = num(row.homologated_value);
  const proposalsCloseAt = iso(row.proposals_close_at);
  const modalityId = Number(row.modality_id);
  const link = text(row.link);
  return {
    id: String(row.id),
    object: String(row.object),
    details: str(row.details),
    agency: String(row.agency),
    cnpj: String(row.cnpj),
    unit: str(row.unit),
    uf: str(row.uf),
    municipality: str(row.municipality),
    ibgeCode: str(row.ibge_code),
    esfera: str(row.esfera) as Esfera | null,
    modalityId,
    modalityName: text(row.modality_name),
    estimatedValue: num(row.estimated_value),
    homologatedValue,
    publishedAt: iso(row.published_at),
    proposalsOpenAt: iso(row.proposals_open_at),
    proposalsCloseAt,
    situationId,
    situationName: str(row.situation_name),
    status: inferStatus(
      {
        situationId,
        homologatedValue,
        proposalsCloseAt,
        modalityId,
        instrumentCode: num(row.instrument_code),
      },
      now,
    ),
    link,
    pncpUrl: str(row.pncp_url) ?? link,
    sourceUrl: str(row.source_url),
    srp: row.srp === null || row.srp === undefined ? null : Boolean(row.srp),
    source: str(row.source),
  };
}
