import { describe, expect, it } from "vitest";
import type { WindowState } from "../ports/bid-index.ts";
import { searchQuerySchema } from "../search-query.ts";
import { planSearch } from "./search-plan.ts";

const options = { today: "2026-09-21", openHorizonDays: 3 };
const at = new Date("2026-09-21T12:00:00Z");

function win(modalidade: number, day: string, complete = true, refreshedAt = at): WindowState {
  return { day, modalidade, complete, pagesTotal: 1, pagesDone: [1], records: 1, fetchedAt: at, refreshedAt };
}

function days(modalidade: number, from: number, to: number, complete = true): WindowState[] {
  const out: WindowState[] = [];
  for (let d = from; d <= to; d++)
    out.push(win(modalidade, `2026-09-${String(d).padStart(2, "0")}`, complete));
  return out;
}

describe("planSearch", () => {
  const query = searchQuerySchema.parse({
    sector: "saude",
    from: "2026-09-15",
    to: "2026-09-21",
    modalidades: [6, 8],
  });

  it("answers a fully covered query from the index alone", () => {
    const plan = planSearch(query, [...days(6, 15, 21), ...days(8, 15, 21)], options);
    expect(plan.live).toEqual([]);
    expect(plan.coveredKeys).toBeNull();
    expect(plan.index).toMatchObject({
      modalidades: [6, 8],
      from: "2026-09-15",
      to: "2026-09-21",
      sector: "saude",
    });
    expect(plan.windows).toEqual({ index: 14, live: 0 });
    expect(plan.freshAt).toEqual(at);
  });

  it("fetches only missing or partial days live, grouped into ranges, modalidades sharing them", () => {
    const windows = [
      ...days(6, 15, 17),
      win(6, "2026-09-18", false),
      ...days(6, 20, 21),
      ...days(8, 15, 17),
      ...days(8, 20, 21),
    ];
    const plan = planSearch(query, windows, options);
    expect(plan.live).toEqual([
      { ufs: [], modalidades: [6, 8], from: "2026-09-18", to: "2026-09-19", openOnly: false },
    ]);
    expect(plan.coveredKeys?.has("6:2026-09-17")).toBe(true);
    expect(plan.coveredKeys?.has("6:2026-09-18")).toBe(false);
    expect(plan.windows).toEqual({ index: 10, live: 4 });
    expect(plan.liveDays).toBe(2);
  });

  it("goes live for a modalidade never synced and never reads days after today", () => {
    const future = { ...query, to: "2026-10-10", modalidades: [6, 5] };
    const plan = planSearch(future, days(6, 15, 21), options);
    expect(plan.live).toEqual([
      { ufs: [], modalidades: [5], from: "2026-09-15", to: "2026-09-21", openOnly: false },
    ]);
    expect(plan.index).toMatchObject({ modalidades: [6], to: "2026-09-21" });
    expect(planSearch({ ...query, from: "2026-09-25", to: "2026-09-30" }, [], options)).toMatchObject({
      index: null,
      live: [],
    });
  });

  it("covers abertas only when the whole horizon is complete, bounding the closing date", () => {
    const open = { ...query, openOnly: true, from: "2026-09-21", to: "2026-09-21" };
    const plan = planSearch(open, [...days(6, 18, 21), ...days(8, 19, 21)], options);
    expect(plan.index).toMatchObject({ openOnly: true, modalidades: [6], to: "2026-09-24" });
    expect(plan.live).toEqual([
      { ufs: [], modalidades: [8], from: "2026-09-21", to: "2026-09-21", openOnly: true },
    ]);
    const later = planSearch(
      { ...open, to: "2026-10-05" },
      [...days(6, 18, 21), ...days(8, 18, 21)],
      options,
    );
    expect(later).toMatchObject({ index: { to: "2026-10-05", modalidades: [6, 8] }, live: [] });
  });

  it("uses term patterns instead of the sector tag when the user typed terms", () => {
    const plan = planSearch({ ...query, terms: ["luvas"] }, days(6, 15, 21), options);
    expect(plan.index).toMatchObject({ sector: null, terms: ["%luva%"] });
  });
});
