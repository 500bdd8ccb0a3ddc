/**
 * An Excel plan's search the index answers alone: the results go out from the chat answer (SQL, `answer`)
 * BEFORE the full set (`full`) is read, then the file with every bid. On the real chat core (PGlite in
 * memory, the index holding synthetic SP bids of the last days, the loopback PNCP for the live part):
 * plans without Excel and live searches are unchanged; a workbook that cannot be built or a full set that
 * cannot be read after the results were shown tells FILE_DELIVERY_FAILED, never an error over them, and
 * refunds nothing; a rerun after a worker died sends nothing twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createChatService } from "../src/core/chat/chat-service.ts";
import type { Reply, ReplySink } from "../src/core/chat/reply.ts";
import { searchJobProcessor } from "../src/core/chat/search-command.ts";
import { errorMessage } from "../src/core/messages.ts";
import { toIndexedRecords } from "../src/core/pncp/indexed-records.ts";
import type { BidIndex } from "../src/core/ports/bid-index.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import type { JobContext, JobSpec } from "../src/core/ports/job-queue.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import type { MetricLabels, Metrics } from "../src/core/ports/metrics.ts";
import type { PlanId } from "../src/core/ports/store.ts";
import { DEFAULT_MODALIDADES } from "../src/core/search-query.ts";
import { addDays, saoPauloDate } from "../src/core/time.ts";
import { type Core, createCore } from "../src/main.ts";
import { type FakePncp, startFakePncp } from "./fakes/fake-pncp.ts";
import { syntheticRecords } from "./fakes/fake-pncp-records.ts";
import { RecordingQueue } from "./first-contact-harness.ts";
import { FIXTURE_NOW } from "./helpers/test-app.ts";
import { telegramCommand } from "./queue/queue-world.ts";

/** Switch for the workbook builder: `fail` makes the next builds throw. */
const build = vi.hoisted(() => ({ fail: false }));
vi.mock("../src/core/excel/build-workbook.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../src/core/excel/build-workbook.ts")>();
  return {
    ...actual,
    buildBidsWorkbookBuffer: async (...args: Parameters<typeof actual.buildBidsWorkbookBuffer>) => {
      if (build.fail) throw new Error("workbook build exploded");
      return actual.buildBidsWorkbookBuffer(...args);
    },
  };
});

const TODAY = saoPauloDate(FIXTURE_NOW);
/** Complete (day × modalidade) windows: the last 11 days; "SP 7d" is the index's alone, "SP 30d" is not. */
const SYNCED_DAYS = 11;
const BIDS = 40;

let pncp: FakePncp;
let core: Core;
let n = 0;
/** What happened, in order: the index's reads and the sink's replies, across the test. */
let events: string[] = [];
/** `full` throws while set. */
const fullFault = { fail: false };
const metricCalls: { name: string; labels: MetricLabels | undefined; by: number }[] = [];

const metrics: Metrics = {
  inc(name, labels, by = 1) {
    if (by !== 0) metricCalls.push({ name, labels, by });
  },
  observe() {},
};

beforeAll(async () => {
  pncp = await startFakePncp({ now: FIXTURE_NOW });
  const config = loadConfig({
    DATA_DIR: "memory://",
    PNCP_BASE_URL: pncp.url,
    PNCP_RETRY_BASE_MS: "5",
    UPGRADE_TOKEN_SECRET: "s",
  });
  core = await createCore(config, { clock: new FixedClock(FIXTURE_NOW), logger: silentLogger(), metrics });
  const index = core.deps.index!;
  const raws = syntheticRecords({
    count: BIDS,
    ufs: ["SP"],
    modalidades: [...DEFAULT_MODALIDADES],
    from: addDays(TODAY, -5),
    to: TODAY,
  });
  const records = raws.flatMap(
    (raw) => toIndexedRecords([raw], { uf: null, modalidade: raw.modalidadeId, now: FIXTURE_NOW }).records,
  );
  await index.upsertBids(records, FIXTURE_NOW);
  for (let day = addDays(TODAY, -(SYNCED_DAYS - 1)); day <= TODAY; day = addDays(day, 1)) {
    for (const m of DEFAULT_MODALIDADES)
      await index.recordPage({ day, modalidade: m }, 1, 0, [], FIXTURE_NOW);
  }
}, 120_000);
afterAll(async () => {
  await core?.close();
  await pncp?.close();
});
beforeEach(() => {
  events = [];
  fullFault.fail = false;
  build.fail = false;
  metricCalls.length = 0;
});

/** The core's index, logging `answer` and `full` into `events`; `full` fails while `fullFault.fail`. */
function watchedIndex(): BidIndex {
  const real = core.deps.index!;
  return new Proxy(real, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      if (key === "answer" || key === "full") {
        return (...args: unknown[]) => {
          events.push(`index:${key}`);
          if (key === "full" && fullFault.fail) return Promise.reject(new Error("statement timeout"));
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}

/** Keeps every reply; refuses (throws on) the kind in `refuse`, as a platform would. */
function recordingSink(): ReplySink & { replies: Reply[]; refuse: Reply["kind"] | null } {
  const replies: Reply[] = [];
  const sink = {
    replies,
    refuse: null as Reply["kind"] | null,
    async send(reply: Reply) {
      if (reply.kind === sink.refuse) throw new Error(`platform refused ${reply.kind}`);
      events.push(`sink:${reply.kind}`);
      replies.push(reply);
    },
  };
  return sink;
}

function context(local: unknown, steps = new Set<string>()): JobContext {
  return {
    jobId: "j",
    attempt: 1,
    finalAttempt: true,
    stalls: 0,
    signal: new AbortController().signal,
    local,
    async once(step) {
      if (steps.has(step)) return false;
      steps.add(step);
      return true;
    },
  };
}

/** Acknowledges `/buscar text` for a new user (on `plan` when given); returns the queued job and the sink. */
async function acknowledged(text: string, plan: PlanId | null) {
  n++;
  const userId = `early-${n}`;
  const { store } = core.deps;
  const account = await store.resolveIdentity(
    { platform: "telegram", userId, teamId: null, displayName: null },
    FIXTURE_NOW,
  );
  if (plan) await store.setPlan(account, plan, new Date(FIXTURE_NOW.getTime() + 30 * 86_400_000));
  const queue = new RecordingQueue();
  const sink = recordingSink();
  await createChatService({ ...core.deps, queue }).handle(
    telegramCommand(userId, `chat-${userId}`, `early-m-${n}`, `/buscar ${text}`),
    sink,
  );
  expect(sink.replies.map((r) => r.kind)).toEqual(["searching"]);
  expect(queue.jobs).toHaveLength(1);
  const job = queue.jobs[0] as JobSpec;
  const used = async () => (await store.getAccountStatus(account, FIXTURE_NOW, null)).used;
  expect(await used()).toBe(1);
  return { job, sink, used };
}

/** Runs the queued search as the in-process queue would, over the watched index. */
async function run(job: JobSpec, ctx: JobContext = context(job.local)): Promise<void> {
  await searchJobProcessor({ ...core.deps, index: watchedIndex() }, null).run(job.data, ctx);
}

const kinds = (sink: { replies: Reply[] }) => sink.replies.map((r) => r.kind);
type Results = Extract<Reply, { kind: "results" }>;
type File = Extract<Reply, { kind: "file" }>;
const blocked = () =>
  metricCalls.filter((c) => c.name === "excel_blocked").map((c) => c.labels?.reason as string);
const searches = () => metricCalls.filter((c) => c.name === "searches").map((c) => c.labels?.outcome);

/** Bid rows of the workbook: the "Licitações" sheet less its header and total rows (the blank one is not counted). */
async function workbookRows(data: Buffer): Promise<number> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet("Licitações")!;
  return sheet.actualRowCount - 2;
}

describe("Excel plan, index answers alone: results before the full set", () => {
  it("sends the results (full count, 5 bids, file follows) before reading the full set, then the file with every bid", async () => {
    const { job, sink, used } = await acknowledged("SP 7d", "maquina");
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "results", "file"]);
    expect(events).toEqual(["sink:searching", "index:answer", "sink:results", "index:full", "sink:file"]);
    const results = sink.replies[1] as Results;
    expect(results.totals.count).toBe(BIDS);
    expect(results.bids).toHaveLength(5);
    expect(results.fileFollows).toBe(true);
    expect(results.buttons?.some((b) => "command" in b && b.command.startsWith("/alerta"))).toBe(true);
    const file = sink.replies[2] as File;
    expect(file.caption).toBe(`📎 Planilha com as ${BIDS} licitações`);
    expect(await workbookRows(file.data)).toBe(BIDS);
    expect(await used()).toBe(1);
    expect(blocked()).toEqual([]);
    expect(searches()).toEqual(["ok"]);
  });

  it("without Excel: one `answer` call, no full set, results with the upgrade note and no file", async () => {
    const { job, sink } = await acknowledged("SP 7d", null);
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "results"]);
    expect(events).toEqual(["sink:searching", "index:answer", "sink:results"]);
    const results = sink.replies[1] as Results;
    expect(results.totals.count).toBe(BIDS);
    expect(results.fileFollows).toBe(false);
    expect(blocked()).toEqual(["plan"]);
    expect(searches()).toEqual(["ok"]);
  });

  it("a live search (windows the index does not cover) is unchanged: no early answer, results then file", async () => {
    const { job, sink } = await acknowledged("SP 30d", "maquina");
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "results", "file"]);
    expect(events.filter((e) => e.startsWith("index:"))).toEqual([]);
    const results = sink.replies[1] as Results;
    const file = sink.replies[2] as File;
    expect(results.fileFollows).toBe(true);
    expect(results.totals.count).toBeGreaterThan(BIDS);
    expect(file.caption).toBe(`📎 Planilha com as ${results.totals.count} licitações`);
  });

  it("the workbook failing after the results: FILE_DELIVERY_FAILED, no refund, excel_blocked build_failed", async () => {
    const { job, sink, used } = await acknowledged("SP 7d", "maquina");
    build.fail = true;
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "results", "text"]);
    expect((sink.replies[2] as { text: string }).text).toBe(errorMessage("FILE_DELIVERY_FAILED"));
    expect(await used()).toBe(1);
    expect(blocked()).toEqual(["build_failed"]);
    expect(searches()).toEqual(["ok"]);
  });

  it("a live search's workbook failing also comes after its results, as FILE_DELIVERY_FAILED", async () => {
    const { job, sink, used } = await acknowledged("SP 30d", "maquina");
    build.fail = true;
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "results", "text"]);
    expect((sink.replies[2] as { text: string }).text).toBe(errorMessage("FILE_DELIVERY_FAILED"));
    expect(await used()).toBe(1);
    expect(blocked()).toEqual(["build_failed"]);
  });

  it("the full set failing after the early results: no error reply, no refund, FILE_DELIVERY_FAILED", async () => {
    const { job, sink, used } = await acknowledged("SP 7d", "maquina");
    fullFault.fail = true;
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "results", "text"]);
    expect(events).toEqual(["sink:searching", "index:answer", "sink:results", "index:full", "sink:text"]);
    expect((sink.replies[2] as { text: string }).text).toBe(errorMessage("FILE_DELIVERY_FAILED"));
    expect(await used()).toBe(1);
    expect(blocked()).toEqual(["full_set_failed"]);
    expect(searches()).toEqual(["ok"]);
  });

  it("the early results refused by the platform: the delivery-failed notice, no full set, no refund", async () => {
    const { job, sink, used } = await acknowledged("SP 7d", "maquina");
    sink.refuse = "results";
    await run(job);
    expect(kinds(sink)).toEqual(["searching", "error"]);
    expect(sink.replies[1]).toMatchObject({ code: "DELIVERY_FAILED" });
    expect(events).not.toContain("index:full");
    expect(await used()).toBe(1);
    expect(searches()).toEqual(["ok"]);
  });

  it("a rerun after a worker died sends nothing twice and reads no full set", async () => {
    const { job, sink, used } = await acknowledged("SP 7d", "maquina");
    const steps = new Set<string>();
    await run(job, context(job.local, steps));
    expect(kinds(sink)).toEqual(["searching", "results", "file"]);
    events = [];
    await run(job, { ...context(job.local, steps), attempt: 2, stalls: 1 });
    expect(kinds(sink)).toEqual(["searching", "results", "file"]);
    expect(events).toEqual(["index:answer"]);
    expect(await used()).toBe(1);
    expect(searches()).toEqual(["ok"]);
  });

  it("a worker that died after claiming the outcome: the rerun sends nothing at all", async () => {
    const { job, sink, used } = await acknowledged("SP 7d", "maquina");
    await run(job, { ...context(job.local, new Set(["outcome"])), attempt: 2, stalls: 1 });
    expect(kinds(sink)).toEqual(["searching"]);
    expect(events).not.toContain("index:full");
    expect(await used()).toBe(1);
  });
});
