import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PASSES, type PageJob, PageQueue, type SyncTask } from "./page-queue.ts";
import { planRound } from "./sync-plan.ts";

const TODAY = "2026-09-21";

function fresh(modalidade = 6): SyncTask {
  return { kind: "window", day: TODAY, modalidade, restart: true, resumePages: null, pagesDone: [] };
}

function resumed(resumePages: number[], modalidade = 6): SyncTask {
  return { kind: "window", day: "2026-09-15", modalidade, restart: false, resumePages, pagesDone: [] };
}

/** Hands out and stores every job until the queue is drained; the pages each task got, in order. */
function drain(queue: PageQueue): number[][] {
  const got = queue.tasks.map(() => [] as number[]);
  for (let job = queue.next(); job; job = queue.next()) {
    got[job.task]!.push(job.page);
    queue.finished(job, true);
  }
  return got;
}

describe("PageQueue", () => {
  it("a resumed window fetches only its missing pages; one with none left is skipped", () => {
    // Every page done but the window not marked complete: the plan resumes it with nothing to fetch.
    const [window] = planRound({
      today: TODAY,
      backfillDays: 3,
      modalidades: [6],
      states: [
        {
          day: "2026-09-19",
          modalidade: 6,
          complete: false,
          pagesTotal: 2,
          pagesDone: [1, 2],
          records: 20,
          fetchedAt: null,
          refreshedAt: null,
        },
      ],
    }).filter((t) => !t.restart);
    expect(window!.resumePages).toEqual([]);
    const queue = new PageQueue([{ kind: "window", ...window! }, resumed([2, 4])]);
    expect(queue.next()).toEqual({ task: 1, page: 2, first: false });
    expect(queue.next()).toEqual({ task: 1, page: 4, first: false });
    expect(queue.next()).toBeNull();
    expect(queue.unopened).toBe(0);
  });

  it("is idle only when no page of any task is in flight", () => {
    const queue = new PageQueue([fresh(6), fresh(8)]);
    expect(queue.idle).toBe(true);
    const a = queue.next()!;
    expect(queue.idle).toBe(false); // the second task is not opened yet: only the first has work out
    const b = queue.next()!;
    queue.finished(b, true);
    expect(queue.idle).toBe(false); // the first still has its page 1 out
    queue.finished(a, true);
    expect(queue.idle).toBe(true);
  });

  it("page 1, once answered, is never queued again by the pages that answer lists", () => {
    const queue = new PageQueue([fresh()]);
    const first = queue.next()!;
    queue.sized(first, [1, 2, 3]);
    queue.finished(first, true);
    expect(drain(queue)).toEqual([[2, 3]]);
  });

  it(`a window starts at most MAX_PASSES (${MAX_PASSES}) passes with page 1 per round, a failed one no more`, () => {
    const queue = new PageQueue([fresh(6), fresh(8)]);
    let passes = 0;
    for (let retried = true; retried && passes <= MAX_PASSES; retried = queue.retryPass(0)) {
      const page1 = queue.next()!;
      expect(page1).toEqual({ task: 0, page: 1, first: true });
      passes++;
      expect(queue.finished(page1, true)).toBe(true);
    }
    expect(passes).toBe(MAX_PASSES);
    expect(queue.retryPass(0)).toBe(false);

    const other = queue.next()!;
    expect(other).toEqual({ task: 1, page: 1, first: true });
    queue.finished(other, false);
    expect(queue.retryPass(1)).toBe(false);
    expect(queue.next()).toBeNull();
  });

  it("a resumed window's pages never re-size it, even a page 1 among them; its later full pass does", () => {
    const queue = new PageQueue([resumed([1, 3])]);
    const page1 = queue.next()!;
    expect(page1).toEqual({ task: 0, page: 1, first: false });
    queue.finished(page1, true);
    const page3 = queue.next()!;
    expect(queue.finished(page3, true)).toBe(true);
    expect(queue.retryPass(0)).toBe(true);
    expect(queue.next()).toEqual({ task: 0, page: 1, first: true });
  });

  it("counts the tasks never opened when the round stops early", () => {
    const queue = new PageQueue([fresh(6), fresh(4), fresh(8)]);
    expect(queue.unopened).toBe(3);
    queue.next();
    expect(queue.unopened).toBe(2);
    queue.next();
    queue.next();
    expect(queue.unopened).toBe(0);
    expect(queue.next()).toBeNull();
    expect(queue.unopened).toBe(0);
  });

  it("hands out every page of every pass exactly once, in plan order, under any completions and failures (property)", () => {
    const taskArb = fc.oneof(
      fc.integer({ min: 1, max: 5 }).chain((total) =>
        fc.record({
          total: fc.constant(total),
          resume: fc.option(fc.subarray(Array.from({ length: total }, (_, i) => i + 1)), { nil: null }),
          updates: fc.constant(false),
        }),
      ),
      fc.record({
        total: fc.integer({ min: 1, max: 4 }),
        resume: fc.constant(null),
        updates: fc.constant(true),
      }),
    );
    const stepArb = fc.record({
      finish: fc.boolean(),
      pick: fc.nat(),
      fail: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      retry: fc.boolean(),
      listPage1: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(taskArb, { maxLength: 6 }),
        fc.array(stepArb, { minLength: 1 }),
        (specs, steps) => {
          const tasks: SyncTask[] = specs.map((s, i) =>
            s.updates
              ? { kind: "updates", modalidade: i, from: "2026-09-20", to: TODAY }
              : { ...resumed(s.resume ?? [], i), resumePages: s.resume },
          );
          const queue = new PageQueue(tasks);
          const allPages = (i: number) => Array.from({ length: specs[i]!.total }, (_, p) => p + 1);
          /** Pages handed out per task and pass (pass 0 = the resume pass, k ≥ 1 = the k-th pass from page 1). */
          const got = tasks.map(() => new Map<number, number[]>());
          const pass = specs.map((s) => (s.resume === null ? 1 : 0));
          const known = tasks.map(() => new Set<number>()); // pages the queue was told about, not handed out
          const failed = tasks.map(() => false);
          const out: PageJob[] = [];
          let opened = 0;

          for (let step = 0; ; step++) {
            const s = steps[step % steps.length]!;
            if (out.length === 0 || !s.finish) {
              const job = queue.next();
              if (job) {
                const i = job.task;
                for (let j = 0; j < i; j++) expect(known[j]!.size).toBe(0); // earlier tasks' pages go first
                if (i >= opened) {
                  for (let j = opened; j < i; j++) expect(specs[j]!.resume).toEqual([]); // only empty ones skipped
                  opened = i + 1;
                  const resume = specs[i]!.resume;
                  if (resume) for (const p of resume.slice(1)) known[i]!.add(p);
                  expect(job.page).toBe(resume ? resume[0] : 1);
                } else {
                  expect(known[i]!.has(job.page)).toBe(true);
                  known[i]!.delete(job.page);
                }
                expect(failed[i]).toBe(false);
                expect(job.first).toBe(job.page === 1 && pass[i]! > 0); // only a full pass's page 1 sizes it
                const pages = got[i]!.get(pass[i]!) ?? [];
                expect(pages).not.toContain(job.page);
                got[i]!.set(pass[i]!, [...pages, job.page]);
                out.push(job);
                expect(queue.idle).toBe(false);
                expect(queue.unopened).toBe(tasks.length - opened);
                continue;
              }
              for (const k of known) expect(k.size).toBe(0);
              for (let j = opened; j < tasks.length; j++) expect(specs[j]!.resume).toEqual([]);
              opened = tasks.length;
              expect(queue.unopened).toBe(0);
              expect(queue.idle).toBe(out.length === 0);
              if (out.length === 0) break;
            }
            const [job] = out.splice(s.pick % out.length, 1);
            const i = job!.task;
            if (!s.fail && job!.first) {
              const more = allPages(i).filter((p) => p !== 1 || s.listPage1);
              queue.sized(job!, more);
              for (const p of more) if (p !== 1) known[i]!.add(p);
            }
            if (s.fail) {
              failed[i] = true;
              known[i]!.clear();
            }
            const drained = queue.finished(job!, !s.fail);
            expect(drained).toBe(known[i]!.size === 0 && !out.some((o) => o.task === i));
            if (drained && !s.fail && s.retry && tasks[i]!.kind === "window") {
              const expected = !failed[i] && pass[i]! < MAX_PASSES;
              expect(queue.retryPass(i)).toBe(expected);
              if (expected) {
                pass[i]!++;
                known[i]!.add(1);
              }
            }
            expect(queue.idle).toBe(out.length === 0);
          }

          tasks.forEach((_, i) => {
            if (failed[i]) return;
            for (const [p, pages] of got[i]!) {
              const expected = p === 0 ? specs[i]!.resume! : allPages(i);
              expect([...pages].sort((a, b) => a - b)).toEqual(expected);
            }
          });
        },
      ),
    );
  });
});
