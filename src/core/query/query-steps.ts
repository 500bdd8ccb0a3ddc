/**
 * Shared state of the query grammar: the draft the rules fill, the step a rule returns, and the
 * small step builders several rules use.
 */
import type { BidStatus, Esfera } from "../bid.ts";
import { type RecognizedKind, type SortKey, UFS, type Uf } from "../search-query.ts";
import type { SectorId } from "../sectors.ts";
import type { StatusWord } from "./lexicon.ts";
import { type QueryToken, rawSpan } from "./query-tokens.ts";
import type { Period } from "./read-dates.ts";

/** What the text said so far. */
export interface Draft {
  today: string;
  words: { text: string; run: number; quoted: boolean }[];
  run: number;
  sector: SectorId | null;
  ufs: Set<Uf>;
  national: boolean;
  periods: Period[];
  minValue: number | null;
  maxValue: number | null;
  modalidades: Set<number>;
  openOnly: boolean;
  statuses: Set<BidStatus>;
  esferas: Set<Esfera>;
  municipios: string[];
  orgaos: string[];
  sort: SortKey | null;
  unrecognized: string[];
  notes: string[];
  /** Token positions right after a UF, for reading "sc pr se" as three UFs. */
  ufEnds: Set<number>;
  /** Kinds of pieces recognised so far (see `ParsedQuery.recognized`). */
  recognized: Set<RecognizedKind>;
}

/** A recognized piece: tokens consumed and its effect. */
export interface Step {
  length: number;
  /** What kind of piece was recognised; absent for an unreadable piece. */
  kind?: RecognizedKind;
  apply(draft: Draft): void;
}

/** The 27 UF codes, for membership tests. */
export const UF_SET: ReadonlySet<string> = new Set(UFS);

/** A piece nobody can read: echoed back to the user. */
export const unreadable = (tokens: readonly QueryToken[], i: number, length: number): Step => ({
  length,
  apply: (d) => d.unrecognized.push(rawSpan(tokens, i, length)),
});

/** Adds UFs and remembers where the UF ended (for "sc pr se"). */
export function ufStep(ufs: Uf[], i: number, length: number): Step {
  return {
    length,
    kind: "uf",
    apply: (d) => {
      for (const uf of ufs) d.ufs.add(uf);
      d.ufEnds.add(i + length);
    },
  };
}

/** Open-for-proposals or a lifecycle status. */
export function statusStep(word: StatusWord, length: number): Step {
  return {
    length,
    kind: "open" in word ? "open" : "status",
    apply: (d) => {
      if ("open" in word) d.openOnly = true;
      else d.statuses.add(word.status);
    },
  };
}

/** Adds every value to a set. */
export function addAll<T>(set: Set<T>, values: readonly T[]): void {
  for (const value of values) set.add(value);
}
