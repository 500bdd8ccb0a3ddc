/**
 * The arbiter port: classifies grey-zone bids for one sector (the LLM one is `openai-sector-arbiter.ts`).
 * It may throw or answer only some items; the caller keeps the deterministic decision for the rest.
 */
import type { SectorId } from "../../sectors.ts";
import type { WeakReason } from "../sector-decision.ts";

/** One bid to classify: its text fields and why the rule found it weak. */
export interface ArbiterItem {
  bidId: string;
  object: string;
  details: string | null;
  weak: WeakReason;
  /** What the deterministic rule decided (sent as context, never as an instruction). */
  matchedByRule: boolean;
}

/** The answer for one item. */
export interface ArbiterAnswer {
  bidId: string;
  inSector: boolean;
  reason: string;
}

/** Classifies a batch of bids for one sector. */
export interface SectorArbiter {
  /** Model or implementation name, for logs. */
  readonly name: string;
  classify(sector: SectorId, items: readonly ArbiterItem[]): Promise<ArbiterAnswer[]>;
}
