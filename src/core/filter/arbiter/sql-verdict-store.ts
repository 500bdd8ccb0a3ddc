/**
 * `SectorVerdictStore` over the SQL functions of `0012_sector_verdicts.sql`, through any executor with a
 * parameterised `query` (the stores' `SqlExecutor` fits structurally; the core imports no driver).
 * Both calls are one statement, so they behave the same on Postgres, PGlite and Supabase.
 */
import type { SectorId } from "../../sectors.ts";
import type { SectorVerdict, SectorVerdictStore, VerdictKey } from "./verdict-store.ts";

/** The one method of `SqlExecutor` this store needs. */
export interface SqlQuery {
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

interface VerdictRow extends Record<string, unknown> {
  bid_id: string;
  sector_id: string;
  sector_version: string;
  in_sector: boolean;
  reason: string;
}

/** Verdicts in the `sector_verdicts` table. */
export class SqlVerdictStore implements SectorVerdictStore {
  constructor(private readonly sql: SqlQuery) {}

  async get(keys: readonly VerdictKey[]): Promise<SectorVerdict[]> {
    if (keys.length === 0) return [];
    const param = keys.map((k) => ({ bid_id: k.bidId, sector_id: k.sector, sector_version: k.version }));
    const rows = await this.sql.query<VerdictRow>("select * from sector_verdicts_get($1::jsonb)", [
      JSON.stringify(param),
    ]);
    return rows.map((r) => ({
      bidId: r.bid_id,
      sector: r.sector_id as SectorId,
      version: r.sector_version,
      inSector: r.in_sector,
      reason: r.reason,
    }));
  }

  async put(verdicts: readonly SectorVerdict[]): Promise<void> {
    if (verdicts.length === 0) return;
    const param = verdicts.map((v) => ({
      bid_id: v.bidId,
      sector_id: v.sector,
      sector_version: v.version,
      in_sector: v.inSector,
      reason: v.reason,
    }));
    await this.sql.query("select sector_verdicts_put($1::jsonb)", [JSON.stringify(param)]);
  }
}
