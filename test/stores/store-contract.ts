import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityInput, Platform, Store } from "../../src/core/ports/store.ts";
import { SqlStore } from "../../src/stores/sql-store.ts";

const DAY = 86_400_000;

/** Builds a store on a migrated, empty-enough database; called once per suite. */
export type StoreFactory = () => Promise<Store>;

/**
 * Reads the store's database directly, to check what a write left behind. SQL stores expose their executor;
 * stores behind an API (Supabase) are given a reader over the same database by their suite.
 */
export type SqlReader = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

function readerOf(store: Store, given: SqlReader | undefined): SqlReader {
  if (given) return given;
  if (store instanceof SqlStore) return (sql, params) => store.executor.query(sql, params);
  throw new Error("the store contract needs a way to read this store's database (pass a SqlReader)");
}

/**
 * Asserts that `promise` fails with the store's error for a refused SQL call: an `INTERNAL` AppError (not
 * `STORE_UNAVAILABLE`: a connection failure must not pass for a refusal) naming the SQL exception.
 */
async function expectRefused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, "expected the call to be refused").toBeInstanceOf(Error);
  expect(error).toMatchObject({ code: "INTERNAL", retryable: false });
  expect((error as Error).message).toMatch(message);
}

function person(platform: Platform = "telegram", teamId: string | null = null): IdentityInput {
  return { platform, userId: `u-${randomUUID()}`, teamId, displayName: "Ana" };
}

/**
 * The behaviour every `Store` must have (PGlite, Postgres, Supabase). Identities are random per test, so one
 * store serves the whole suite.
 */
export function runStoreContract(name: string, factory: StoreFactory, sqlReader?: SqlReader): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let read: SqlReader;
    beforeAll(async () => {
      store = await factory();
      read = readerOf(store, sqlReader);
    });
    afterAll(async () => {
      await store?.close();
    });

    it("creates an identity's account once; DM and group contexts are the same person", async () => {
      const input = person();
      const first = await store.resolveIdentity(input);
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.resolveIdentity(input)).toBe(first);
      expect(await store.resolveIdentity({ ...input, teamId: "-100777" })).toBe(first);
      expect(await store.resolveIdentity({ ...input, userId: `${input.userId}-x` })).not.toBe(first);
      expect(await store.resolveIdentity({ ...input, platform: "whatsapp" })).not.toBe(first);
    });

    it("gives 20 simultaneous first messages one account with one trial", async () => {
      const input = person("slack", `T-${randomUUID()}`);
      const ids = await Promise.all(Array.from({ length: 20 }, () => store.resolveIdentity(input)));
      expect(new Set(ids).size).toBe(1);
      const status = await store.getAccountStatus(ids[0]!);
      expect(status.plan.id).toBe("free_trial");
      expect(status.used).toBe(0);
    });

    it("rejects an empty identity", async () => {
      await expectRefused(store.resolveIdentity({ ...person(), userId: " " }), /invalid_identity/);
    });

    it("lists the seeded plan catalog with its capabilities", async () => {
      const plans = await store.listPlans();
      expect(
        plans.map((p) => [
          p.id,
          p.priceCents,
          p.searchesPerMonth,
          p.historyDays,
          p.excel,
          p.perMinute,
          p.team,
        ]),
      ).toEqual([
        ["free_trial", null, 3, 7, false, 2, false],
        ["consultor_agil", 29_700, 50, 30, false, 10, false],
        ["maquina", 59_700, 300, 365, true, 30, false],
        ["sala_guerra", 149_700, 1000, 1825, true, 60, true],
      ]);
      expect(plans[0]).toMatchObject({ name: "Teste grátis", trialDays: 7, rank: 0 });
      expect(plans[3]).toMatchObject({ name: "Sala de Guerra", trialDays: null, rank: 3 });
    });

    it("allows 3 trial searches, then quota_exhausted without consuming", async () => {
      const account = await store.resolveIdentity(person());
      for (let i = 1; i <= 3; i++) {
        const r = await store.consumeSearch(account, 7);
        expect(r).toMatchObject({ allowed: true, reason: null, planId: "free_trial", used: i, quota: 3 });
        expect(r.remaining).toBe(3 - i);
        expect(r.chargedAccountId).toBe(account);
        expect(r.monthKey).toBe("trial");
      }
      const refused = await store.consumeSearch(account, 7);
      expect(refused).toMatchObject({ allowed: false, reason: "quota_exhausted", used: 3, remaining: 0 });
      // Quota is checked before history: an exhausted trial asking for 30 days is still quota_exhausted.
      expect((await store.consumeSearch(account, 30)).reason).toBe("quota_exhausted");
      expect((await store.getAccountStatus(account)).used).toBe(3);
    });

    it("expires the trial 7 days after first contact", async () => {
      const before = Date.now();
      const account = await store.resolveIdentity(person());
      const status = await store.getAccountStatus(account);
      expect(status.subscriptionStatus).toBe("trialing");
      const trialEnd = status.trialEndsAt!.getTime();
      expect(trialEnd).toBeGreaterThanOrEqual(before + 7 * DAY - 5_000);
      expect(trialEnd).toBeLessThanOrEqual(Date.now() + 7 * DAY + 5_000);

      expect((await store.consumeSearch(account, 7, new Date(trialEnd - DAY))).allowed).toBe(true);
      const late = new Date(trialEnd + 60_000);
      const expired = await store.consumeSearch(account, 7, late);
      expect(expired).toMatchObject({ allowed: false, reason: "trial_expired", used: 1 });
      // Expiry comes before history and quota.
      expect((await store.consumeSearch(account, 9999, late)).reason).toBe("trial_expired");
      expect((await store.getAccountStatus(account, late)).subscriptionStatus).toBe("expired");
    });

    it("refuses history beyond the plan before consuming", async () => {
      const account = await store.resolveIdentity(person());
      const refused = await store.consumeSearch(account, 30);
      expect(refused).toMatchObject({ allowed: false, reason: "history_exceeded", used: 0, remaining: 3 });
      expect((await store.getAccountStatus(account)).used).toBe(0);
      expect(await store.consumeSearch(account, 7)).toMatchObject({ allowed: true, used: 1 });
    });

    it("resets the month at 00:00 on the 1st in São Paulo time, not UTC", async () => {
      const account = await store.resolveIdentity(person());
      await store.setPlan(account, "consultor_agil", new Date("2027-03-01T03:00:00Z"));
      // 2026-11-30 23:30 in São Paulo is already December 1st in UTC.
      const lateNovember = new Date("2026-11-30T23:30:00-03:00");
      expect(lateNovember.toISOString()).toBe("2026-12-01T02:30:00.000Z");
      const first = await store.consumeSearch(account, 30, lateNovember);
      expect(first).toMatchObject({
        allowed: true,
        planId: "consultor_agil",
        used: 1,
        quota: 50,
        monthKey: "2026-11",
      });
      expect(first.resetsAt.toISOString()).toBe("2026-12-01T03:00:00.000Z");
      for (let i = 2; i <= 50; i++) await store.consumeSearch(account, 30, lateNovember);
      const lastMinute = new Date("2026-11-30T23:59:59-03:00");
      expect(await store.consumeSearch(account, 30, lastMinute)).toMatchObject({
        allowed: false,
        reason: "quota_exhausted",
        used: 50,
        monthKey: "2026-11",
      });
      const earlyDecember = new Date("2026-12-01T00:30:00-03:00");
      const renewed = await store.consumeSearch(account, 30, earlyDecember);
      expect(renewed).toMatchObject({ allowed: true, used: 1, remaining: 49, monthKey: "2026-12" });
      expect(renewed.resetsAt.toISOString()).toBe("2027-01-01T03:00:00.000Z");
      expect((await store.getAccountStatus(account, lateNovember)).used).toBe(50);
      expect((await store.getAccountStatus(account, earlyDecember)).used).toBe(1);
    });

    it("refuses an expired paid plan as plan_inactive", async () => {
      const account = await store.resolveIdentity(person());
      await store.setPlan(account, "maquina", new Date("2026-01-01T03:00:00Z"));
      expect(await store.consumeSearch(account, 365, new Date("2025-12-15T12:00:00Z"))).toMatchObject({
        allowed: true,
        planId: "maquina",
        quota: 300,
      });
      const after = new Date("2026-02-01T12:00:00Z");
      expect(await store.consumeSearch(account, 30, after)).toMatchObject({
        allowed: false,
        reason: "plan_inactive",
        planId: "maquina",
      });
      const status = await store.getAccountStatus(account, after);
      expect(status.subscriptionStatus).toBe("expired");
      expect(status.periodEnd?.toISOString()).toBe("2026-01-01T03:00:00.000Z");
    });

    it("lets a team plan cover workspace members, sharing usage on the team account", async () => {
      const teamId = `T-${randomUUID()}`;
      const ana = await store.resolveIdentity(person("slack", teamId));
      const bia = await store.resolveIdentity(person("slack", teamId));
      const outsider = await store.resolveIdentity(person("slack", `T-${randomUUID()}`));
      expect((await store.consumeSearch(ana, 7)).chargedAccountId).toBe(ana);

      const team = await store.resolveTeam!("slack", teamId);
      expect(await store.resolveTeam!("slack", teamId)).toBe(team);
      expect([ana, bia, outsider]).not.toContain(team);
      await store.setPlan(team, "sala_guerra", new Date(Date.now() + 30 * DAY));

      const a = await store.consumeSearch(ana, 1825);
      expect(a).toMatchObject({
        allowed: true,
        planId: "sala_guerra",
        used: 1,
        quota: 1000,
        chargedAccountId: team,
      });
      expect(await store.consumeSearch(bia, 365)).toMatchObject({ used: 2, chargedAccountId: team });
      expect(await store.consumeSearch(outsider, 7)).toMatchObject({
        planId: "free_trial",
        chargedAccountId: outsider,
      });

      const status = await store.getAccountStatus(bia);
      expect(status).toMatchObject({ effectiveAccountId: team, used: 2, remaining: 998 });
      expect(status.plan.id).toBe("sala_guerra");

      // Team plan over: Ana is back on her own trial, whose usage the team searches never touched.
      await store.setPlan(team, "sala_guerra", new Date(Date.now() - DAY));
      expect(await store.consumeSearch(ana, 7)).toMatchObject({
        planId: "free_trial",
        used: 2,
        chargedAccountId: ana,
      });
    });

    it("applies a Telegram group's team plan in the group only, not in the member's DM", async () => {
      const groupId = `-100${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const dm = person("telegram");
      const inGroup = { ...dm, teamId: groupId };
      const account = await store.resolveIdentity(inGroup);
      await store.setPlan(await store.resolveTeam!("telegram", groupId), "sala_guerra", null);
      expect((await store.consumeSearch(account, 30)).planId).toBe("sala_guerra");
      expect(await store.resolveIdentity(dm)).toBe(account);
      expect(await store.consumeSearch(account, 7)).toMatchObject({
        planId: "free_trial",
        chargedAccountId: account,
      });
      await store.resolveIdentity(inGroup);
      expect((await store.getAccountStatus(account)).plan.id).toBe("sala_guerra");
    });

    it("refuses a team plan on a person's account: it would cover no one else", async () => {
      const account = await store.resolveIdentity(person());
      await expect(store.setPlan(account, "sala_guerra", null)).rejects.toThrow(
        /team_plan_needs_team_account/,
      );
      expect((await store.getAccountStatus(account)).plan.id).toBe("free_trial");
    });

    it("charges the context the command came from, whatever context resolved last (no race)", async () => {
      const groupId = `-200${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const dm = person("telegram");
      const inGroup = { ...dm, teamId: groupId };
      const account = await store.resolveIdentity(inGroup);
      const team = await store.resolveTeam("telegram", groupId);
      await store.setPlan(team, "sala_guerra", null);
      // A group command and a DM command interleave: the DM resolved last, the group one consumes now.
      await store.resolveIdentity(dm);
      expect(await store.consumeSearch(account, 30, undefined, groupId)).toMatchObject({
        allowed: true,
        planId: "sala_guerra",
        chargedAccountId: team,
      });
      await store.resolveIdentity(inGroup);
      expect(await store.consumeSearch(account, 7, undefined, null)).toMatchObject({
        planId: "free_trial",
        chargedAccountId: account,
      });
      expect((await store.getAccountStatus(account, undefined, groupId)).plan.id).toBe("sala_guerra");
      expect((await store.getAccountStatus(account, undefined, null)).plan.id).toBe("free_trial");
    });

    it("refunds the charged account's month, never below zero", async () => {
      const account = await store.resolveIdentity(person());
      const r = await store.consumeSearch(account, 7);
      await store.consumeSearch(account, 7);
      await store.refundSearch(r.chargedAccountId, r.monthKey);
      expect((await store.getAccountStatus(account)).used).toBe(1);
      await store.refundSearch(r.chargedAccountId, r.monthKey);
      await store.refundSearch(r.chargedAccountId, r.monthKey);
      expect((await store.getAccountStatus(account)).used).toBe(0);
      await store.refundSearch(r.chargedAccountId, "2020-01");
      expect((await store.consumeSearch(account, 7)).used).toBe(1);
    });

    it("sets plans and rejects unknown plans or accounts", async () => {
      const account = await store.resolveIdentity(person());
      await store.setPlan(account, "maquina", null);
      let status = await store.getAccountStatus(account);
      expect(status).toMatchObject({ subscriptionStatus: "active", periodEnd: null, remaining: 300 });
      expect(status.plan).toMatchObject({ id: "maquina", excel: true, historyDays: 365, perMinute: 30 });
      const until = new Date("2026-12-20T03:00:00Z");
      await store.setPlan(account, "free_trial", until);
      status = await store.getAccountStatus(account, new Date("2026-12-10T12:00:00Z"));
      expect(status).toMatchObject({ subscriptionStatus: "trialing", remaining: 3 });
      expect(status.trialEndsAt?.toISOString()).toBe(until.toISOString());
      await expectRefused(store.setPlan(account, "ouro" as never, null), /unknown_plan/);
      await expectRefused(store.setPlan(randomUUID(), "maquina", null), /account_not_found/);
      await expectRefused(store.consumeSearch(randomUUID(), 7), /account_not_found/);
    });

    it("allows exactly 50 of 200 simultaneous searches for an account with 50 left (no check-then-write)", async () => {
      const account = await store.resolveIdentity(person("cli"));
      await store.setPlan(account, "consultor_agil", null);
      const results = await Promise.all(Array.from({ length: 200 }, () => store.consumeSearch(account, 30)));
      const allowed = results.filter((r) => r.allowed);
      expect(allowed).toHaveLength(50);
      expect(new Set(allowed.map((r) => r.used))).toEqual(
        new Set(Array.from({ length: 50 }, (_, i) => i + 1)),
      );
      expect(results.filter((r) => !r.allowed).every((r) => r.reason === "quota_exhausted")).toBe(true);
      const usage = await read("select searches from usage_monthly where account_id = $1", [account]);
      expect(usage.map((row) => Number(row.searches))).toEqual([50]);
      expect((await store.getAccountStatus(account)).remaining).toBe(0);
    });

    it("claims an event exactly once, also under concurrency", async () => {
      const id = randomUUID();
      expect(await store.claimEvent("telegram", id)).toBe(true);
      expect(await store.claimEvent("telegram", id)).toBe(false);
      expect(await store.claimEvent("stripe", id)).toBe(true);
      const raced = await Promise.all(Array.from({ length: 20 }, () => store.claimEvent("slack", id)));
      expect(raced.filter(Boolean)).toHaveLength(1);
    });

    it("stores, replaces and deletes Slack installations", async () => {
      const key = `T-${randomUUID()}`;
      expect(await store.getInstallation(key)).toBeNull();
      await store.saveInstallation(key, { team: { id: key }, bot: { scopes: ["chat:write"] } });
      await store.saveInstallation(key, {
        team: { id: key },
        bot: { scopes: ["chat:write", "files:write"] },
      });
      expect(await store.getInstallation(key)).toEqual({
        team: { id: key },
        bot: { scopes: ["chat:write", "files:write"] },
      });
      await store.deleteInstallation(key);
      expect(await store.getInstallation(key)).toBeNull();
    });

    it("keeps a per-minute sliding window (rate_limit_hit) like the Redis and memory limiters", async () => {
      const key = `rl-${randomUUID()}`;
      const t0 = new Date("2026-11-22T12:00:00Z").getTime();
      const hit = (ms: number, limit = 2) => store.rateLimitHit!(key, limit, 60_000, new Date(t0 + ms));
      const first = await hit(0);
      expect(first).toMatchObject({ allowed: true, remaining: 1, retryAfterMs: 0 });
      expect(first.hitId).toMatch(/^\d+$/);
      expect(await hit(15_000)).toMatchObject({ allowed: true, remaining: 0, retryAfterMs: 0 });
      expect(await hit(20_000)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 40_000, hitId: null });
      expect((await store.rateLimitHit!(`${key}-other`, 2, 60_000, new Date(t0 + 20_000))).allowed).toBe(
        true,
      );
      // Sliding: the first hit leaves the window at 60 s (the window is (now - 60 s, now]).
      expect((await hit(60_000)).allowed).toBe(true);
      expect((await hit(60_001)).retryAfterMs).toBe(14_999);
      expect((await hit(60_001, 0)).allowed).toBe(false);
      await expectRefused(store.rateLimitHit!("", 2, 60_000, new Date(t0)), /rate_limit_hit: empty key/);
    });

    it("admits exactly the limit of simultaneous hits and gives back an undone hit once", async () => {
      const key = `rl-${randomUUID()}`;
      const now = new Date("2026-11-22T12:00:00Z");
      const results = await Promise.all(
        Array.from({ length: 25 }, () => store.rateLimitHit!(key, 10, 60_000, now)),
      );
      const allowed = results.filter((r) => r.allowed);
      expect(allowed).toHaveLength(10);
      expect(new Set(allowed.map((r) => r.hitId)).size).toBe(10);
      expect((await store.rateLimitHit!(key, 10, 60_000, now)).allowed).toBe(false);
      await store.rateLimitUndo!(key, allowed[0]!.hitId!);
      await store.rateLimitUndo!(key, allowed[0]!.hitId!); // idempotent
      await store.rateLimitUndo!(`${key}-other`, allowed[1]!.hitId!); // another key's hit: ignored
      expect((await store.rateLimitHit!(key, 10, 60_000, now)).allowed).toBe(true);
      expect((await store.rateLimitHit!(key, 10, 60_000, now)).allowed).toBe(false);
    });

    it("creates a generated setting once, whoever asks first, also under concurrency", async () => {
      const key = `setting-${randomUUID()}`;
      const values = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.getOrCreateSetting!(key, `value-${i}`)),
      );
      expect(new Set(values).size).toBe(1);
      expect(values[0]).toMatch(/^value-\d$/);
      expect(await store.getOrCreateSetting!(key, "later")).toBe(values[0]);
      await expectRefused(store.getOrCreateSetting!(`${key}-x`, ""), /empty key or value/);
    });

    it("logs searches and rejects an unknown outcome", async () => {
      const account = await store.resolveIdentity(person());
      const entry = {
        accountId: account,
        platform: "telegram" as const,
        queryText: "merenda escolar SP",
        query: { terms: ["merenda"], uf: ["SP"] },
        fetched: 120,
        matched: 7,
        durationMs: 812.6,
        outcome: "ok" as const,
        reason: null,
      };
      await store.logSearch(entry);
      const rows = await read(
        "select platform, query_text, query, fetched, matched, duration_ms, outcome, reason from search_log where account_id = $1",
        [account],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        platform: "telegram",
        query_text: "merenda escolar SP",
        query: { terms: ["merenda"], uf: ["SP"] },
        fetched: 120,
        matched: 7,
        outcome: "ok",
        reason: null,
      });
      expect(Math.round(Number(rows[0]!.duration_ms))).toBe(813);
      await expectRefused(store.logSearch({ ...entry, outcome: "bogus" as never }), /search_log|check/);
    });
  });
}
