import { z } from "zod";
import type { BidStatus } from "./bid.ts";
import { SECTOR_IDS } from "./sectors.ts";

/** The 27 federative units, by sigla. */
export const UFS = [
  "AC",
  "AL",
  "AP",
  "AM",
  "BA",
  "CE",
  "DF",
  "ES",
  "GO",
  "MA",
  "MT",
  "MS",
  "MG",
  "PA",
  "PB",
  "PR",
  "PE",
  "PI",
  "RJ",
  "RN",
  "RS",
  "RO",
  "RR",
  "SC",
  "SP",
  "SE",
  "TO",
] as const;
export type Uf = (typeof UFS)[number];

export const SORT_KEYS = [
  "newest",
  "oldest",
  "value_desc",
  "value_asc",
  "closing_soon",
  "relevance",
  "best_fit",
] as const;
/**
 * `relevance` (the default) ranks by keyword score (more and longer hits first); `best_fit` ("ordenar por
 * relevância", "mais relevantes") weighs keyword density, the sector's value range and the closing date
 * (`filter/sort.ts` has the formula).
 */
export type SortKey = (typeof SORT_KEYS)[number];

/** Modalidades searched when the user names none: pregão eletrônico, concorrência eletrônica, dispensa. */
export const DEFAULT_MODALIDADES = [6, 4, 8] as const;
/** Period searched when the user names none. */
export const DEFAULT_PERIOD_DAYS = 7;

const BID_STATUSES_TUPLE = [
  "recebendo_propostas",
  "em_julgamento",
  "encerrada",
] as const satisfies readonly BidStatus[];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

/**
 * A validated search, produced by the query parser (or the LLM parser, or CLI flags) and consumed by
 * the PNCP client and the filter. Dates are São Paulo calendar dates, both inclusive.
 */
export const searchQuerySchema = z.object({
  /** The user's own terms (phrases kept whole); when non-empty they replace the sector keywords. */
  terms: z.array(z.string().min(1)).default([]),
  sector: z.enum(SECTOR_IDS).nullable().default(null),
  /** Empty means every state (one national request per modalidade). */
  ufs: z.array(z.enum(UFS)).default([]),
  from: isoDate,
  to: isoDate,
  modalidades: z
    .array(z.number().int().min(1).max(19))
    .min(1)
    .default([...DEFAULT_MODALIDADES]),
  minValue: z.number().nonnegative().nullable().default(null),
  maxValue: z.number().nonnegative().nullable().default(null),
  /** Only bids still receiving proposals (uses `/v1/contratacoes/proposta`). */
  openOnly: z.boolean().default(false),
  statuses: z.array(z.enum(BID_STATUSES_TUPLE)).default([]),
  esferas: z.array(z.enum(["F", "E", "M", "D"])).default([]),
  /** Municipality names or IBGE codes (normalized match). */
  municipios: z.array(z.string().min(1)).default([]),
  /** Agency name fragments or CNPJs. */
  orgaos: z.array(z.string().min(1)).default([]),
  sort: z.enum(SORT_KEYS).default("relevance"),
});

export type SearchQuery = z.infer<typeof searchQuerySchema>;
export type SearchQueryInput = z.input<typeof searchQuerySchema>;

/**
 * Kinds of pieces the grammar recognises in a text, in this order in `ParsedQuery.recognized`.
 * "uf" covers state siglas, state names and "todo o Brasil"; "open" is "abertas"/"recebendo propostas";
 * "quoted_term" is a "quoted phrase" (the user clearly asked for that term); "sector" is also set when a
 * sector name was searched as a term next to other words ("uniformes jalecos", with a note).
 */
export const RECOGNIZED_KINDS = [
  "sector",
  "uf",
  "period",
  "value",
  "modalidade",
  "open",
  "status",
  "sort",
  "esfera",
  "municipio",
  "orgao",
  "quoted_term",
] as const;
export type RecognizedKind = (typeof RECOGNIZED_KINDS)[number];

/** Result of reading what a user typed. `unrecognized` pieces are shown back to the user. */
export interface ParsedQuery {
  query: SearchQuery;
  /**
   * What the grammar recognised in the text, each kind once, in {@link RECOGNIZED_KINDS} order. Always
   * filled (defaults never count: only what the text said). Empty means the text was only plain or
   * unknown words (no sector, UF, period, value, modalidade, status…): in a private chat such plain
   * text is not searched without a confirmation tap.
   */
  recognized: RecognizedKind[];
  unrecognized: string[];
  /** Short pt-BR notes about choices made (e.g. "período limitado a 365 dias"). */
  notes: string[];
}
