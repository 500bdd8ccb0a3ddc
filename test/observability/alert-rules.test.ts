import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import type { Reply, ReplySink } from "../../src/core/chat/reply.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import type { PlanId } from "../../src/core/ports/store.ts";
import { type App, createApp, createLogger } from "../../src/main.ts";
import { SqlStore } from "../../src/stores/sql-store.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import { type Exposition, familyOf, parseExposition, selectorsIn, sumOf } from "./prom-text.ts";
import { parseYamlSubset } from "./yaml-subset.ts";

/**
 * docs/prometheus-alerts.yml against the real /metrics: the file parses, every series it names exists,
 * and searches driven through the chat core (free trial, paid plan, a refused file, a bypassed Excel gate)
 * move exactly the counters behind the two invariants.
 */
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string; invariant?: string };
  annotations: { summary: string };
}

const RULES_FILE = new URL("../../docs/prometheus-alerts.yml", import.meta.url);
const TOKEN = "metrics-test-token";
/** The app as test/helpers/test-app.ts builds it, but logging for real (JSON lines into `logs`). */
interface LoggedApp {
  app: App;
  baseUrl: string;
  clock: FixedClock;
  store: App["core"]["deps"]["store"];
  setPlan(userId: string, planId: PlanId): Promise<void>;
  drain(): Promise<void>;
  close(): Promise<void>;
}
let t: LoggedApp;
let pncp: FakePncp;
let n = 0;
/** Every log line of the app (the real pino logger, JSON), to check the business events. */
const logs: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString("utf8").split("\n")) if (line) logs.push(JSON.parse(line));
    done();
  },
});

beforeAll(async () => {
  pncp = await startFakePncp({ now: FIXTURE_NOW });
  const config = loadConfig({
    PNCP_BASE_URL: pncp.url,
    PNCP_TIMEOUT_MS: "3000",
    PNCP_MAX_RETRIES: "1",
    PNCP_RETRY_BASE_MS: "20",
    DATA_DIR: "memory://",
    UPGRADE_TOKEN_SECRET: "test-upgrade-secret",
    PUBLIC_BASE_URL: "https://bot.example.test",
    METRICS_TOKEN: TOKEN,
  });
  const clock = new FixedClock(FIXTURE_NOW);
  const app = await createApp(config, { clock, logger: createLogger("info", logStream) });
  const store = app.core.deps.store;
  t = {
    app,
    baseUrl: await app.start(0),
    clock,
    store,
    async setPlan(userId, planId) {
      const id = await store.resolveIdentity({
        platform: "telegram",
        userId,
        teamId: null,
        displayName: null,
      });
      await store.setPlan(id, planId, new Date(clock.now().getTime() + 30 * 86_400_000));
    },
    drain: () => app.idle(),
    close: () => app.stop(),
  };
});
afterAll(async () => {
  await t?.close();
  await pncp?.close();
});

function rules(): Rule[] {
  const doc = parseYamlSubset(readFileSync(RULES_FILE, "utf8")) as unknown as {
    groups: { name: string; rules: Rule[] }[];
  };
  return doc.groups.flatMap((g) => g.rules);
}

function rule(name: string): Rule {
  const found = rules().find((r) => r.alert === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
}

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return parseExposition(await res.text());
}

function command(userId: string, text: string): IncomingCommand {
  n++;
  return {
    platform: "telegram",
    userKey: `telegram:${userId}`,
    userId,
    teamId: null,
    displayName: null,
    chatId: userId,
    isPrivate: true,
    text,
    messageId: `metrics-${n}`,
    receivedAt: FIXTURE_NOW,
  };
}

function sink(failOn: Reply["kind"] | null = null): ReplySink & { replies: Reply[] } {
  const replies: Reply[] = [];
  return {
    replies,
    async send(reply) {
      if (reply.kind === failOn) throw new Error(`platform refused ${reply.kind}`);
      replies.push(reply);
    },
  };
}

async function search(userId: string, failOn: Reply["kind"] | null = null): Promise<Reply[]> {
  const s = sink(failOn);
  await t.app.core.chat.handle(command(userId, "/buscar SP 7d"), s);
  await t.drain();
  return s.replies;
}

/** The selector of the invariant rule's counter (its first `smart_pncp_*` series). */
function invariantSelector(name: string) {
  const selector = selectorsIn(rule(name).expr)[0];
  if (!selector) throw new Error(`${name} names no series`);
  return selector;
}

describe("docs/prometheus-alerts.yml", () => {
  it("parses, and every rule has a name, an expression and a severity of the specification", () => {
    const all = rules();
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const r of all) {
      expect(typeof r.expr, r.alert).toBe("string");
      expect(r.expr, r.alert).toMatch(/smart_pncp_|up\{/);
      expect(["P0", "P1", "P2", "P3", "warning"], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      // Balanced brackets: the cheapest syntax check promtool would do first.
      for (const [open, close] of ["()", "{}", "[]"]) {
        expect(r.expr.split(open as string).length, `${r.alert} ${open}`).toBe(
          r.expr.split(close as string).length,
        );
      }
    }
    expect(all.filter((r) => r.labels.invariant === "true").map((r) => r.alert)).toEqual([
      "ExcelDeliveredToFreePlan",
      "ExcelRefusedToPaidPlan",
      "TrialNotEnforced",
    ]);
  });

  it("names only series that /metrics exposes, and the parser refuses what it does not understand", async () => {
    const { types } = await scrape();
    const named = new Set(rules().flatMap((r) => selectorsIn(r.expr).map((s) => s.name)));
    expect(named.size).toBeGreaterThan(10);
    for (const name of named) expect(familyOf(name, types), name).not.toBeNull();
    expect(() => parseYamlSubset("a: 1\na: 2\n")).toThrow(/duplicate key/);
    expect(() => parseYamlSubset("a:\n\t- b\n")).toThrow(/tab/);
    expect(() => parseYamlSubset("a: &x 1\n")).toThrow(/unsupported/);
    expect(() => parseYamlSubset("a:\n  b: 1\n   c: 2\n")).toThrow(/indentation/);
  });
});

describe("the invariants' counters move with real searches", () => {
  it("/metrics needs the bearer token when METRICS_TOKEN is set", async () => {
    expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.baseUrl}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it("a trial search gets no Excel: excel_blocked{reason=plan} moves, the free-plan invariant stays at 0", async () => {
    const free = invariantSelector("ExcelDeliveredToFreePlan");
    const before = await scrape();
    // The invariant series exist at 0 before anything happened (rate rules need a first sample).
    expect(sumOf(before, free)).toBe(0);
    expect(
      sumOf(before, 'smart_pncp_excel_blocked_total{plan="maquina",plan_excel="true",reason="send_failed"}'),
    ).toBe(0);
    const replies = await search("free-1");
    expect(replies.map((r) => r.kind)).toEqual(["searching", "results"]);
    const after = await scrape();
    expect(sumOf(after, free)).toBe(0);
    const blocked =
      'smart_pncp_excel_blocked_total{plan="free_trial",tier="trial",plan_excel="false",reason="plan"}';
    expect(sumOf(after, blocked) - sumOf(before, blocked)).toBe(1);
    const allowed = 'smart_pncp_quota_checks_total{plan="free_trial",outcome="allowed",reason="ok"}';
    expect(sumOf(after, allowed) - sumOf(before, allowed)).toBe(1);
    const searches = 'smart_pncp_searches_total{outcome="ok",size="xs",source="live"}';
    expect(sumOf(after, searches) - sumOf(before, searches)).toBe(1);
    const latency = 'smart_pncp_search_duration_seconds_count{size="xs",source="live"}';
    expect(sumOf(after, latency) - sumOf(before, latency)).toBe(1);
    expect(sumOf(after, 'smart_pncp_pncp_requests_total{status="200"}')).toBeGreaterThan(0);
    const jobs = 'smart_pncp_job_duration_seconds_count{kind="search",result="ok"}';
    expect(sumOf(after, jobs) - sumOf(before, jobs)).toBe(1);
  });

  it("a paid plan with Excel gets the file; a refused file moves the paid-plan invariant", async () => {
    const paid = invariantSelector("ExcelRefusedToPaidPlan");
    await t.setPlan("paid-1", "maquina");
    const before = await scrape();
    const ok = await search("paid-1");
    expect(ok.map((r) => r.kind)).toEqual(["searching", "results", "file"]);
    const mid = await scrape();
    expect(sumOf(mid, 'smart_pncp_excel_generated_total{plan="maquina",tier="paid"}')).toBe(
      sumOf(before, 'smart_pncp_excel_generated_total{plan="maquina",tier="paid"}') + 1,
    );
    expect(sumOf(mid, 'smart_pncp_excel_delivered_total{plan="maquina",platform="telegram"}')).toBe(1);
    expect(sumOf(mid, paid)).toBe(sumOf(before, paid));

    const refused = await search("paid-1", "file");
    expect(refused.map((r) => r.kind)).toEqual(["searching", "results", "text"]);
    const after = await scrape();
    expect(sumOf(after, paid) - sumOf(mid, paid)).toBe(1);
    expect(
      sumOf(
        after,
        'smart_pncp_excel_blocked_total{plan="maquina",tier="paid",plan_excel="true",reason="send_failed"}',
      ),
    ).toBe(1);
  });

  it("an Excel gate bypassed for the trial (plan row changed) moves the free-plan invariant", async () => {
    const free = invariantSelector("ExcelDeliveredToFreePlan");
    const store = t.store;
    if (!(store instanceof SqlStore)) throw new Error("the test app runs on the SQL store");
    await store.executor.query("update plans set excel = true where id = 'free_trial'");
    try {
      const replies = await search("free-bypass");
      expect(replies.map((r) => r.kind)).toContain("file");
    } finally {
      await store.executor.query("update plans set excel = false where id = 'free_trial'");
    }
    const after = await scrape();
    expect(sumOf(after, free)).toBe(1);
    expect(sumOf(after, 'smart_pncp_excel_delivered_total{tier="trial"}')).toBe(1);
  });

  it("a trial out of searches: the refusal is counted by plan and reason, with the upgrade link shown", async () => {
    const before = await scrape();
    // A minute apart: the trial's per-minute limit (2) is not what refuses here.
    for (let i = 0; i < 3; i++) {
      t.clock.advance(61_000);
      await search("free-quota");
    }
    t.clock.advance(61_000);
    const refused = await search("free-quota");
    expect(refused.map((r) => r.kind)).toEqual(["upgrade"]);
    const after = await scrape();
    const moved = (selector: string) => sumOf(after, selector) - sumOf(before, selector);
    expect(
      moved('smart_pncp_quota_checks_total{plan="free_trial",outcome="refused",reason="quota_exhausted"}'),
    ).toBe(1);
    expect(moved('smart_pncp_searches_total{outcome="refused",reason="QUOTA_EXCEEDED",source="none"}')).toBe(
      1,
    );
    expect(moved('smart_pncp_upgrade_links_shown_total{reason="QUOTA_EXCEEDED"}')).toBe(1);
    // The spike rule's selector sees it.
    const spike = selectorsIn(rule("QuotaRefusalSpike").expr)[0];
    if (!spike) throw new Error("QuotaRefusalSpike names no series");
    expect(sumOf(after, spike) - sumOf(before, spike)).toBe(1);
    expect(moved("smart_pncp_quota_check_duration_seconds_count")).toBe(4);
  });

  it("the trial-not-enforced series exists at 0 for every plan", async () => {
    const exposition = await scrape();
    const series = exposition.samples.filter((s) => s.name === "smart_pncp_trial_not_enforced_total");
    expect(series.map((s) => s.labels.plan).sort()).toEqual([
      "consultor_agil",
      "free_trial",
      "maquina",
      "sala_guerra",
    ]);
    expect(sumOf(exposition, invariantSelector("TrialNotEnforced"))).toBe(0);
  });

  it("logs the specification's business events by name, with their fields", () => {
    const events = (msg: string) => logs.filter((l) => l.msg === msg);
    expect(events("quota_check_success")[0]).toMatchObject({
      planId: "free_trial",
      used: expect.any(Number),
      remaining: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(events("quota_exhausted")[0]).toMatchObject({
      planId: "free_trial",
      used: 3,
      quota: 3,
      resetsAt: expect.any(String),
      upgradePlanId: expect.any(String),
    });
    expect(events("excel_blocked").map((l) => l.reason)).toEqual(
      expect.arrayContaining(["plan", "send_failed"]),
    );
    expect(events("excel_generated")[0]).toMatchObject({
      planId: "maquina",
      tier: "paid",
      rows: expect.any(Number),
      bytes: expect.any(Number),
    });
    expect(events("search_completed")[0]).toMatchObject({
      durationMs: expect.any(Number),
      matched: expect.any(Number),
    });
    expect(events("upgrade_link_shown")[0]).toMatchObject({ upgradePlanId: expect.any(String) });
    // Secrets never reach the log.
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
    expect(JSON.stringify(logs)).not.toContain("test-upgrade-secret");
  });
});
