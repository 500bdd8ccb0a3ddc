/**
 * Where arbiter verdicts are kept, so each (bid, sector, sector version) is asked about once: the port, and
 * the in-memory implementation used when no database is configured (and in tests). The SQL one is
 * `sql-verdict-store.ts` (table and functions in `supabase/migrations/0012_sector_verdicts.sql`).
 */
import type { SectorId } from "../../sectors.ts";

/** One verdict: is this bid in this sector, at this version of the sector's data? */
export interface SectorVerdict {
  bidId: string;
  sector: SectorId;
  /** `SECTORS[sector].version` when the verdict was given; another version means ask again. */
  version: string;
  inSector: boolean;
  /** One line from the model, pt-BR. */
  reason: string;
}

/** What identifies a verdict. */
export type VerdictKey = Pick<SectorVerdict, "bidId" | "sector" | "version">;

/** The verdict cache port. Implementations must tolerate repeated puts of the same key (last wins). */
export interface SectorVerdictStore {
  get(keys: readonly VerdictKey[]): Promise<SectorVerdict[]>;
  put(verdicts: readonly SectorVerdict[]): Promise<void>;
}

/** `bidId|sector|version`: the map key of a verdict. */
export function verdictKey(key: VerdictKey): string {
  return `${key.bidId}|${key.sector}|${key.version}`;
}

/** Verdicts in process memory, bounded (oldest dropped first). */
export class MemoryVerdictStore implements SectorVerdictStore {
  readonly #verdicts = new Map<string, SectorVerdict>();
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  async get(keys: readonly VerdictKey[]): Promise<SectorVerdict[]> {
    return keys.flatMap((key) => this.#verdicts.get(verdictKey(key)) ?? []);
  }

  async put(verdicts: readonly SectorVerdict[]): Promise<void> {
    for (const verdict of verdicts) {
      const key = verdictKey(verdict);
      this.#verdicts.delete(key);
      this.#verdicts.set(key, verdict);
      if (this.#verdicts.size > this.#limit) this.#verdicts.delete(this.#verdicts.keys().next().value!);
    }
  }
}
