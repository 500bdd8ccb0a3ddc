/**
 * zod schemas of what PNCP's consulta API sends back: the page envelope and one contratação record.
 * Tolerant on purpose (see docs of the fields in shared/reference/PNCP-API.md §A7): the OpenAPI spec and
 * the real JSON disagree on several types, so ids accept number-or-numeric-string, `codigoIbge` accepts
 * string-or-number, and everything we can live without is nullish. Only what a `Bid` cannot exist
 * without is required: the control number, the object text and the owner CNPJ.
 */
import { z } from "zod";

/** A number, or a string holding one (`"1"`, `"256804.50"`): the spec types some numbers as strings. */
const numeric = z.union([
  z.number().finite(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(?:\.\d+)?$/)
    .transform(Number),
]);

/** An integer id, or a string holding one (`situacaoCompraId` is a string enum in the OpenAPI spec). */
const intLike = z.union([z.number().int(), z.string().trim().regex(/^\d+$/).transform(Number)]);

/** Codes that must stay strings (leading zeros, 2026 alphanumeric CNPJs) even if sent as numbers. */
const stringCode = z.union([z.string(), z.number().int().transform(String)]);

const orgaoSchema = z.object({
  cnpj: stringCode.pipe(z.string().trim().min(1)),
  razaoSocial: z.string().nullish(),
  esferaId: z.string().nullish(),
});

const unidadeSchema = z.object({
  ufSigla: z.string().nullish(),
  municipioNome: z.string().nullish(),
  codigoIbge: stringCode.nullish(),
  nomeUnidade: z.string().nullish(),
});

/** One raw contratação of `/v1/contratacoes/publicacao` or `/proposta`, as far as we use it. */
export const pncpRecordSchema = z.object({
  numeroControlePNCP: z.string().trim().min(1),
  objetoCompra: z.string(),
  informacaoComplementar: z.string().nullish(),
  anoCompra: intLike.nullish(),
  sequencialCompra: intLike.nullish(),
  modalidadeId: intLike.nullish(),
  modalidadeNome: z.string().nullish(),
  situacaoCompraId: intLike.nullish(),
  situacaoCompraNome: z.string().nullish(),
  tipoInstrumentoConvocatorioCodigo: intLike.nullish(),
  valorTotalEstimado: numeric.nullish(),
  valorTotalHomologado: numeric.nullish(),
  dataPublicacaoPncp: z.string().nullish(),
  dataAberturaProposta: z.string().nullish(),
  dataEncerramentoProposta: z.string().nullish(),
  orgaoEntidade: orgaoSchema,
  unidadeOrgao: unidadeSchema.nullish(),
  linkSistemaOrigem: z.string().nullish(),
  /** Registro de preços. Boolean in real JSON; a non-boolean is read as unknown, never a failure. */
  srp: z.boolean().nullish().catch(null),
  usuarioNome: z.string().nullish(),
});

/** A record that passed `pncpRecordSchema` (numbers already numbers). */
export type PncpRecord = z.output<typeof pncpRecordSchema>;

/**
 * The paging envelope (`data`, `totalRegistros`, `totalPaginas`, `numeroPagina`, `paginasRestantes`,
 * `empty`). Records stay `unknown` here: each is validated on its own so one bad record never sinks a page.
 */
export const pncpEnvelopeSchema = z.object({
  data: z.array(z.unknown()).nullish(),
  totalRegistros: intLike.nullish(),
  totalPaginas: intLike.nullish(),
  numeroPagina: intLike.nullish(),
  paginasRestantes: intLike.nullish(),
  empty: z.boolean().nullish(),
});

/** A parsed page envelope. */
export type PncpEnvelope = z.output<typeof pncpEnvelopeSchema>;
