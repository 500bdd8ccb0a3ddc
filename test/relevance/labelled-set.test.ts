/**
 * The sector decision measured against a labelled set of real procurement texts (`labelled-set.json`:
 * PNCP fixture records and texts written from real PNCP objects, covering the disagreement categories of
 * issue 11 — two-meaning words, services around a sector, neighbouring sectors, Vestuário's product
 * choices, evidence only in `informacaoComplementar`). Prints agreement, precision and recall per sector
 * and overall; fails below 95 % agreement or 90 % precision / recall.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decideSector } from "../../src/core/filter/sector-decision.ts";
import { SECTOR_IDS, type SectorId } from "../../src/core/sectors.ts";

interface Entry {
  source: string;
  object: string;
  details?: string;
  in: SectorId[];
  out: SectorId[];
}

const { entries } = JSON.parse(readFileSync(new URL("./labelled-set.json", import.meta.url), "utf8")) as {
  entries: Entry[];
};

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

function measure() {
  const perSector = new Map<SectorId, Counts>(SECTOR_IDS.map((id) => [id, { tp: 0, fp: 0, fn: 0 }]));
  let decisions = 0;
  let agreed = 0;
  const disagreements: string[] = [];
  entries.forEach((entry, i) => {
    const bid = { id: `labelled-${i}`, object: entry.object, details: entry.details ?? null };
    for (const sector of SECTOR_IDS) {
      const matched = decideSector(sector, bid).matched;
      const expected = entry.in.includes(sector);
      const counts = perSector.get(sector)!;
      if (matched && expected) counts.tp++;
      if (matched && !expected) counts.fp++;
      if (!matched && expected) counts.fn++;
      if (expected || entry.out.includes(sector)) {
        decisions++;
        if (matched === expected) agreed++;
        else disagreements.push(`${sector} ${expected ? "missed" : "wrong"}: ${entry.object.slice(0, 90)}`);
      } else if (matched) {
        disagreements.push(`${sector} unlabelled match: ${entry.object.slice(0, 90)}`);
      }
    }
  });
  return { perSector, decisions, agreed, disagreements };
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

describe("labelled set", () => {
  it("is large and valid: real texts, known sectors, no sector both in and out", () => {
    expect(entries.length).toBeGreaterThanOrEqual(150);
    for (const entry of entries) {
      expect(entry.object.length).toBeGreaterThan(5);
      for (const id of [...entry.in, ...entry.out]) expect(SECTOR_IDS).toContain(id);
      expect(entry.in.filter((id) => entry.out.includes(id))).toEqual([]);
    }
    const decisions = entries.reduce((n, e) => n + e.in.length + e.out.length, 0);
    expect(decisions).toBeGreaterThanOrEqual(300);
  });

  it("agrees with the labels (≥ 95 % agreement, ≥ 90 % precision and recall)", () => {
    const { perSector, decisions, agreed, disagreements } = measure();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const rows: string[] = [];
    for (const [id, c] of perSector) {
      tp += c.tp;
      fp += c.fp;
      fn += c.fn;
      if (c.tp + c.fp + c.fn === 0) continue;
      rows.push(
        `${id.padEnd(22)} P ${pct(ratio(c.tp, c.tp + c.fp)).padStart(6)}  R ${pct(ratio(c.tp, c.tp + c.fn)).padStart(6)}  (tp ${c.tp}, fp ${c.fp}, fn ${c.fn})`,
      );
    }
    const agreement = ratio(agreed, decisions);
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    console.log(
      [
        `labelled set: ${entries.length} texts, ${decisions} labelled decisions`,
        `agreement ${pct(agreement)} (${agreed}/${decisions}); precision ${pct(precision)}; recall ${pct(recall)} (over all ${SECTOR_IDS.length} sectors)`,
        ...rows,
        ...disagreements.map((d) => `  ✗ ${d}`),
      ].join("\n"),
    );
    expect(agreement).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});
