import { renderResults } from "../core/chat/render-results.ts";
import type { SearchOutcome } from "../core/search/run-search.ts";
import type { ParsedQuery } from "../core/search-query.ts";

/**
 * The `--json` contract: exactly one object with `query`, `bids`, `stats`, `summary` (extra fields are
 * allowed and other tools rely on the named ones).
 */
export function searchJson(outcome: SearchOutcome, parsed: ParsedQuery, extra: Record<string, unknown> = {}) {
  const { stats } = outcome;
  return {
    query: outcome.query,
    description: outcome.description,
    termsUsed: outcome.termsUsed,
    unrecognized: parsed.unrecognized,
    notes: parsed.notes,
    bids: outcome.bids.map((b) => ({
      id: b.id,
      object: b.object,
      agency: b.agency,
      uf: b.uf,
      municipality: b.municipality,
      modalityId: b.modalityId,
      estimatedValue: b.estimatedValue,
      publishedAt: b.publishedAt,
      proposalsCloseAt: b.proposalsCloseAt,
      status: b.status,
      link: b.link,
      pncpUrl: b.pncpUrl,
      sourceUrl: b.sourceUrl,
      srp: b.srp,
      modalityName: b.modalityName,
      proposalsOpenAt: b.proposalsOpenAt,
      homologatedValue: b.homologatedValue,
      unit: b.unit,
      ibgeCode: b.ibgeCode,
      esfera: b.esfera,
      cnpj: b.cnpj,
    })),
    stats: {
      requests: stats.requests,
      pages: stats.pages,
      fetched: stats.fetched,
      matched: stats.matched,
      retries: stats.retries,
      partial: stats.partial,
      failed: stats.failed,
      truncated: stats.truncated,
      durationMs: stats.durationMs,
      invalid: stats.invalid,
      duplicates: stats.duplicates,
      pagesTotal: stats.pagesTotal,
      issues: stats.issues,
      source: stats.source ?? { index: 0, live: 0 },
      windows: stats.windows ?? { index: 0, live: 0 },
      indexFreshAt: stats.indexFreshAt ?? null,
    },
    freshness: outcome.freshness ?? null,
    summary: {
      text: outcome.summary.text,
      highlights: outcome.summary.highlights,
      alert: outcome.summary.alert,
      source: outcome.summary.source,
    },
    totals: outcome.totals,
    ...extra,
  };
}

/** Human output: the pt-BR summary and the top bids. */
export function searchText(outcome: SearchOutcome, parsed: ParsedQuery, limit = 10): string {
  const lines: string[] = [];
  if (parsed.unrecognized.length > 0) {
    lines.push(`Não entendi: ${parsed.unrecognized.map((u) => `"${u}"`).join(", ")} (ignorado).`);
  }
  for (const note of parsed.notes) lines.push(`ℹ️ ${note}`);
  lines.push(renderResults(outcome, [], limit).text);
  return lines.join("\n");
}
