import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SECTOR_IDS } from "../sectors.ts";
import { loadFixtureBids } from "./fixture-bids.testing.ts";
import { decideSector, sectorScore } from "./sector-decision.ts";
import { SECTORS } from "./sectors.ts";

const bids = loadFixtureBids();
const vocabulary = [
  ...new Set(SECTOR_IDS.flatMap((id) => [...SECTORS[id].keywords, ...SECTORS[id].exclusions])),
];

describe("sector decision", () => {
  it("the filter's fast path gives the full decision for every fixture text and sector", () => {
    for (const bid of bids) {
      for (const id of SECTOR_IDS) {
        const d = decideSector(id, bid);
        expect(sectorScore(id, bid), `${id}: ${bid.object.slice(0, 60)}`).toBe(d.matched ? d.score : null);
      }
    }
  });

  it("fast path = full decision for generated texts mixing every sector's words, phrases and exclusions", () => {
    const text = fc
      .array(
        fc.oneof(fc.constantFrom(...vocabulary), fc.constantFrom("de", "e", "para", "aquisição", "serviço")),
        {
          maxLength: 8,
        },
      )
      .map((words) => words.join(" "));
    fc.assert(
      fc.property(
        text,
        fc.option(text, { nil: null }),
        fc.constantFrom(...SECTOR_IDS),
        (object, details, id) => {
          const bid = { id: "g", object, details };
          const d = decideSector(id, bid);
          expect(sectorScore(id, bid)).toBe(d.matched ? d.score : null);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("never decides on the complementary text alone", () => {
    fc.assert(
      fc.property(fc.constantFrom(...vocabulary), fc.constantFrom(...SECTOR_IDS), (word, id) => {
        const d = decideSector(id, { id: "x", object: "Pregão eletrônico 12/2026", details: word });
        expect(d.matched).toBe(false);
      }),
    );
  });

  it("a broad sector takes the bids of the sectors it includes", () => {
    for (const bid of bids) {
      for (const id of SECTOR_IDS) {
        const parent = decideSector(id, bid);
        if (parent.veto) continue;
        for (const child of SECTORS[id].includes ?? []) {
          if (decideSector(child, bid).matched)
            expect(parent.matched, `${id} ⊇ ${child}: ${bid.object}`).toBe(true);
        }
      }
    }
  });

  it("the clinic renovation named after a Dr. Botas is not Vestuário; ambiguous words need confirmation", () => {
    const clinic = {
      id: "c",
      object: "Reforma da clínica de fisioterapia",
      details: "Responsável: Dr. Carlos Botas",
    };
    expect(decideSector("vestuario", clinic)).toMatchObject({ matched: false, detailsHits: ["bota"] });
    const boots = { id: "b", object: "Aquisição de botas", details: null };
    expect(decideSector("vestuario", boots)).toMatchObject({ matched: false, weak: "ambiguous_only" });
    const confirmed = { ...boots, details: "Botas de couro, cano curto, para os agentes" };
    expect(decideSector("vestuario", confirmed)).toMatchObject({ matched: true, field: "objetoCompra" });
  });
});
