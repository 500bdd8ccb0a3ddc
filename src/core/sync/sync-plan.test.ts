import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { WindowState } from "../ports/bid-index.ts";
import { addDays } from "../time.ts";
import { PageQueue } from "./page-queue.ts";
import { isStalled } from "./stall-watch.ts";
import { missingPages, oldestDay, planRound, syncModalidades, updateRange } from "./sync-plan.ts";

const TODAY = "2026-09-21";

function state(day: string, modalidade: number, patch: Partial<WindowState> = {}): WindowState {
  return {
    day,
    modalidade,
    complete: false,
    pagesTotal: null,
    pagesDone: [],
    records: 0,
    fetchedAt: null,
    refreshedAt: null,
    ...patch,
  };
}

describe("sync plan", () => {
  it("covers the product's default modalidades plus SYNC_MODALIDADES, without repeats", () => {
    expect(syncModalidades()).toEqual([6, 4, 8]);
    expect(syncModalidades([5, 8, 12])).toEqual([6, 4, 8, 5, 12]);
  });

  it("refetches today and yesterday, then backfills newest first, skipping complete and resuming partial windows", () => {
    const tasks = planRound({
      today: TODAY,
      backfillDays: 5,
      modalidades: [6, 8],
      states: [
        state(TODAY, 6, { complete: true, pagesTotal: 3, pagesDone: [1, 2, 3] }),
        state("2026-09-19", 6, { complete: true, pagesTotal: 2, pagesDone: [1, 2] }),
        state("2026-09-18", 8, { pagesTotal: 5, pagesDone: [1, 3] }),
        state("2026-09-17", 6, { pagesTotal: 4, pagesDone: [2, 3] }),
      ],
    });
    expect(
      tasks.map((t) => `${t.day}|${t.modalidade}|${t.restart ? "R" : (t.resumePages?.join(",") ?? "1")}`),
    ).toEqual([
      "2026-09-21|6|R",
      "2026-09-21|8|R",
      "2026-09-20|6|R",
      "2026-09-20|8|R",
      "2026-09-19|8|1",
      "2026-09-18|6|1",
      "2026-09-18|8|2,4,5",
      "2026-09-17|6|1", // page 1 missing: start with it (it may re-size the window)
      "2026-09-17|8|1",
    ]);
    expect(oldestDay(TODAY, 5)).toBe("2026-09-17");
    expect(updateRange(TODAY)).toEqual({ from: "2026-09-20", to: TODAY });
  });

  it("missing pages: unknown before page 1, an empty window (0 pages) needs page 1 only", () => {
    expect(missingPages({ pagesTotal: null, pagesDone: [] })).toBeNull();
    expect(missingPages({ pagesTotal: 0, pagesDone: [] })).toEqual([1]);
    expect(missingPages({ pagesTotal: 0, pagesDone: [1] })).toEqual([]);
    expect(missingPages({ pagesTotal: 4, pagesDone: [4, 1] })).toEqual([2, 3]);
  });

  it("never plans a complete backfill window, always plans the incremental ones, newest day first (property)", () => {
    const windowArb = fc.record({
      back: fc.integer({ min: 0, max: 40 }),
      modalidade: fc.constantFrom(4, 6, 8),
      complete: fc.boolean(),
      pagesTotal: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
      done: fc.subarray([1, 2, 3, 4, 5, 6]),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(windowArb, { maxLength: 60 }),
        (backfillDays, raw) => {
          const byKey = new Map(
            raw.map((w) => [
              `${addDays(TODAY, -w.back)}|${w.modalidade}`,
              state(addDays(TODAY, -w.back), w.modalidade, {
                complete: w.complete,
                pagesTotal: w.pagesTotal,
                pagesDone: w.done,
              }),
            ]),
          );
          const tasks = planRound({
            today: TODAY,
            backfillDays,
            modalidades: [6, 4, 8],
            states: [...byKey.values()],
          });
          const first = oldestDay(TODAY, backfillDays);
          for (const task of tasks) {
            expect(task.day >= first && task.day <= TODAY).toBe(true);
            if (!task.restart) expect(byKey.get(`${task.day}|${task.modalidade}`)?.complete).not.toBe(true);
            if (task.resumePages) expect(task.resumePages).not.toContain(1);
          }
          expect(tasks.filter((t) => t.restart)).toHaveLength(6);
          const days = tasks.map((t) => t.day);
          expect(days).toEqual([...days].sort().reverse());
        },
      ),
    );
  });
});

describe("PageQueue", () => {
  it("finishes an opened window's pages before opening later tasks, and retries a pass once per call", () => {
    const queue = new PageQueue([
      { kind: "window", day: TODAY, modalidade: 6, restart: true, resumePages: null, pagesDone: [] },
      {
        kind: "window",
        day: "2026-09-19",
        modalidade: 6,
        restart: false,
        resumePages: [3, 4],
        pagesDone: [1, 2],
      },
    ]);
    const a1 = queue.next()!;
    expect(a1).toEqual({ task: 0, page: 1, first: true });
    // While page 1 of the first window is out, the next task opens (its resume pages).
    expect(queue.next()).toEqual({ task: 1, page: 3, first: false });
    queue.sized(a1, [2, 3]);
    expect(queue.finished(a1, true)).toBe(false);
    expect(queue.next()).toEqual({ task: 0, page: 2, first: false });
    expect(queue.next()).toEqual({ task: 0, page: 3, first: false });
    expect(queue.next()).toEqual({ task: 1, page: 4, first: false });
    expect(queue.next()).toBeNull();
    expect(queue.idle).toBe(false);
    expect(queue.finished({ task: 0, page: 2, first: false }, true)).toBe(false);
    expect(queue.finished({ task: 0, page: 3, first: false }, true)).toBe(true);
    expect(queue.retryPass(0)).toBe(true);
    expect(queue.next()).toEqual({ task: 0, page: 1, first: true });
    expect(queue.finished({ task: 1, page: 3, first: false }, false)).toBe(false);
    expect(queue.finished({ task: 1, page: 4, first: false }, true)).toBe(true);
    expect(queue.retryPass(1)).toBe(false); // failed: the next round resumes it
  });
});

describe("stall detection", () => {
  it("is stalled only while running and after the whole period without a page", () => {
    expect(isStalled({ running: true, lastProgressAt: 0, nowMs: 599_999, stallAfterMs: 600_000 })).toBe(
      false,
    );
    expect(isStalled({ running: true, lastProgressAt: 0, nowMs: 600_000, stallAfterMs: 600_000 })).toBe(true);
    expect(isStalled({ running: false, lastProgressAt: 0, nowMs: 9e9, stallAfterMs: 600_000 })).toBe(false);
  });
});
