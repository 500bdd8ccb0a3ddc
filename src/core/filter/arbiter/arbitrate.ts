/**
 * Runs the arbiter over the grey zone of a set of bids for one sector, before filtering: finds the weak
 * decisions (`sector-decision.ts`), reuses stored verdicts (per bid and sector version), asks the arbiter
 * only about the rest in batches, stores the new verdicts and returns a synchronous lookup for
 * `filterBids(bids, query, now, verdicts)`.
 *
 * Decision: every failure is contained — no arbiter, a timeout, an HTTP error, a malformed or partial
 * answer, a store that cannot read or write — and the deterministic decision stands for every bid not
 * answered. Answers are accepted only for bids that were asked about.
 */
import type { Logger } from "../../ports/logger.ts";
import type { SectorId } from "../../sectors.ts";
import { decideSector, type SectorText, type SectorVerdictLookup } from "../sector-decision.ts";
import { SECTORS } from "../sectors.ts";
import type { ArbiterItem, SectorArbiter } from "./sector-arbiter.ts";
import type { SectorVerdict, SectorVerdictStore } from "./verdict-store.ts";

/** What {@link arbitrateBids} needs. */
export interface ArbitrationDeps {
  arbiter: SectorArbiter | null;
  store: SectorVerdictStore;
  logger: Logger;
  /** Bids per arbiter call; default 20. */
  batchSize?: number;
  /** Grey-zone bids asked about per call of arbitrateBids at most (the rest keep the rule); default 200. */
  maxAsked?: number;
}

/** Verdicts by bid id for one sector, as `filterBids` reads them. */
class VerdictMap implements SectorVerdictLookup {
  constructor(
    private readonly sector: SectorId,
    private readonly byBid: ReadonlyMap<string, boolean>,
  ) {}

  get(bidId: string, sector: SectorId): boolean | undefined {
    return sector === this.sector ? this.byBid.get(bidId) : undefined;
  }

  get size(): number {
    return this.byBid.size;
  }
}

/** Asks about the weak decisions of `bids` for `sector` (each bid once per sector version). */
export async function arbitrateBids(
  bids: readonly SectorText[],
  sector: SectorId,
  deps: ArbitrationDeps,
): Promise<SectorVerdictLookup & { size: number }> {
  const version = SECTORS[sector].version;
  const weak: ArbiterItem[] = [];
  const seen = new Set<string>();
  for (const bid of bids) {
    if (seen.has(bid.id)) continue;
    seen.add(bid.id);
    const decision = decideSector(sector, bid);
    if (decision.weak === null) continue;
    weak.push({
      bidId: bid.id,
      object: bid.object,
      details: bid.details,
      weak: decision.weak,
      matchedByRule: decision.matched,
    });
  }
  const byBid = new Map<string, boolean>();
  if (weak.length === 0) return new VerdictMap(sector, byBid);

  const stored = await safely(deps, "sector_verdicts_read_failed", () =>
    deps.store.get(weak.map((item) => ({ bidId: item.bidId, sector, version }))),
  );
  for (const verdict of stored ?? []) {
    if (verdict.sector === sector && verdict.version === version) byBid.set(verdict.bidId, verdict.inSector);
  }
  const todo = weak.filter((item) => !byBid.has(item.bidId)).slice(0, deps.maxAsked ?? 200);
  if (!deps.arbiter || todo.length === 0) return new VerdictMap(sector, byBid);

  const batchSize = Math.max(1, deps.batchSize ?? 20);
  const fresh: SectorVerdict[] = [];
  for (let i = 0; i < todo.length; i += batchSize) {
    const batch = todo.slice(i, i + batchSize);
    const asked = new Set(batch.map((item) => item.bidId));
    const started = Date.now();
    try {
      const answers = await deps.arbiter.classify(sector, batch);
      for (const answer of answers) {
        if (!asked.has(answer.bidId) || byBid.has(answer.bidId)) continue;
        byBid.set(answer.bidId, answer.inSector);
        fresh.push({
          bidId: answer.bidId,
          sector,
          version,
          inSector: answer.inSector,
          reason: answer.reason,
        });
      }
      deps.logger.debug(
        { sector, asked: batch.length, answered: answers.length, ms: Date.now() - started },
        "sector_arbiter_ok",
      );
    } catch (error) {
      deps.logger.warn(
        { sector, asked: batch.length, arbiter: deps.arbiter.name, reason: reasonOf(error) },
        "sector_arbiter_failed",
      );
      break; // a dead or slow arbiter is not asked again in this call
    }
  }
  if (fresh.length > 0) await safely(deps, "sector_verdicts_write_failed", () => deps.store.put(fresh));
  return new VerdictMap(sector, byBid);
}

async function safely<T>(deps: ArbitrationDeps, event: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    deps.logger.warn({ reason: reasonOf(error) }, event);
    return null;
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`.slice(0, 200)
    : String(error).slice(0, 200);
}

/** What a search calls before `filterBids` for a sector query: the verdicts for these bids. */
export type SectorArbitration = (
  bids: readonly SectorText[],
  sector: SectorId,
) => Promise<SectorVerdictLookup>;

/** Binds {@link arbitrateBids} to its ports (built once in the composition root). */
export function createSectorArbitration(deps: ArbitrationDeps): SectorArbitration {
  return (bids, sector) => arbitrateBids(bids, sector, deps);
}
