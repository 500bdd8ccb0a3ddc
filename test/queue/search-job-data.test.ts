import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import {
  decodeSearchJob,
  encodeSearchJob,
  LARGE_SEARCH_WEIGHT,
  searchLane,
  searchWeight,
} from "../../src/core/jobs/search-job-data.ts";
import type { ConsumeResult, Plan } from "../../src/core/ports/store.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { UFS } from "../../src/core/search-query.ts";

const NOW = new Date("2026-09-21T18:00:00Z");
const PLAN: Plan = {
  id: "maquina",
  name: "Máquina",
  priceCents: 59700,
  searchesPerMonth: 300,
  historyDays: 365,
  excel: true,
  perMinute: 30,
  team: false,
  trialDays: null,
  rank: 2,
};
const CHARGE: ConsumeResult = {
  allowed: true,
  reason: null,
  planId: "maquina",
  used: 4,
  quota: 300,
  remaining: 296,
  resetsAt: new Date("2026-10-01T03:00:00Z"),
  chargedAccountId: "acc-team-1",
  monthKey: "2026-09",
};

function command(text: string, over: Partial<IncomingCommand> = {}): IncomingCommand {
  return {
    platform: "slack",
    userKey: "slack:T1:U1",
    userId: "U1",
    teamId: "T1",
    displayName: "Ana",
    chatId: "C1",
    threadId: "1700000000.0001",
    isPrivate: false,
    text,
    messageId: "Ev1",
    receivedAt: NOW,
    raw: { huge: "x".repeat(10_000) },
    ...over,
  };
}

describe("search job payload", () => {
  it("survives JSON (Redis) unchanged: command, parsed query, charge, reply target; raw payload left out", () => {
    const cmd = command("/buscar uniformes SC PR 30d acima de 50 mil");
    const parsed = parseQuery("uniformes SC PR 30d acima de 50 mil", { now: NOW });
    const data = encodeSearchJob(
      cmd,
      "uniformes SC PR 30d acima de 50 mil",
      parsed,
      {
        accountId: "acc-1",
        plan: PLAN,
        charge: CHARGE,
        failedOpen: false,
      },
      NOW,
    );
    const wire = JSON.stringify(data);
    expect(wire).not.toContain("xxxxxxxx");
    const back = decodeSearchJob(JSON.parse(wire));
    const { raw: _raw, ...rest } = cmd;
    expect(back.command).toEqual(rest);
    expect(back.parsed).toEqual(parsed);
    expect(back.entitlement.charge).toEqual(CHARGE);
    expect(back.entitlement.plan).toEqual(PLAN);
    expect(back.replyTo).toEqual({
      platform: "slack",
      chatId: "C1",
      teamId: "T1",
      threadId: "1700000000.0001",
    });
    expect(back.enqueuedAt).toEqual(NOW);
  });

  it("keeps a failed-open search (no charge, no plan) and has no chat address for the CLI", () => {
    const cmd = command("/buscar saude", {
      platform: "cli",
      userKey: "cli:ana",
      teamId: null,
      threadId: undefined,
    });
    const parsed = parseQuery("saude", { now: NOW });
    const data = encodeSearchJob(
      cmd,
      "saude",
      parsed,
      { accountId: null, plan: null, charge: null, failedOpen: true },
      NOW,
    );
    const back = decodeSearchJob(JSON.parse(JSON.stringify(data)));
    expect(back.entitlement).toEqual({ accountId: null, plan: null, charge: null, failedOpen: true });
    expect(back.replyTo).toBeNull();
  });

  it("refuses what is not a search job (an older or broken producer) instead of half-running it", () => {
    const parsed = parseQuery("saude", { now: NOW });
    const good = encodeSearchJob(
      command("/buscar saude"),
      "saude",
      parsed,
      { accountId: "a", plan: PLAN, charge: CHARGE, failedOpen: false },
      NOW,
    );
    expect(() => decodeSearchJob(null)).toThrow();
    expect(() => decodeSearchJob({ ...good, v: 2 })).toThrow();
    expect(() =>
      decodeSearchJob({ ...good, parsed: { ...good.parsed, query: { ...good.parsed.query, ufs: ["XX"] } } }),
    ).toThrow();
    expect(() =>
      decodeSearchJob({
        ...good,
        entitlement: { ...good.entitlement, charge: { ...CHARGE, resetsAt: "soon" } },
      }),
    ).toThrow();
  });

  it("sends every national or many-state long search to the large lane, small ones to the small lane", () => {
    const lane = (text: string) => searchLane(parseQuery(text, { now: NOW }).query);
    expect(lane("uniformes SC PR 7d")).toBe("small");
    expect(lane("uniformes SC 90d")).toBe("small");
    expect(lane("uniformes 7d")).toBe("large"); // every state
    expect(lane(`uniformes ${UFS.join(" ")} 7d`)).toBe("large");
    fc.assert(
      fc.property(fc.subarray([...UFS], { minLength: 1 }), fc.integer({ min: 1, max: 365 }), (ufs, days) => {
        const query = parseQuery(`saude ${ufs.join(" ")} ${days}d`, { now: NOW }).query;
        expect(searchWeight(query)).toBe(ufs.length * days);
        expect(searchLane(query)).toBe(ufs.length * days >= LARGE_SEARCH_WEIGHT ? "large" : "small");
      }),
      { numRuns: 300 },
    );
  });
});
