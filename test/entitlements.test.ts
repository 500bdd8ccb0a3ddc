import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkEntitlement, type EntitlementDeps } from "../src/core/entitlements/check-entitlement.ts";
import { UsageBacklog } from "../src/core/entitlements/usage-backlog.ts";
import { AppError } from "../src/core/errors.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import { silentLogger } from "../src/core/ports/logger.ts";
import { MemoryRateLimiter } from "../src/core/ports/memory-rate-limiter.ts";
import { Counters } from "../src/core/ports/metrics.ts";
import type { IdentityInput, Store } from "../src/core/ports/store.ts";
import { PgliteStore } from "../src/stores/pglite-store.ts";

/** The entitlement flow over the real SQL rules (PGlite in memory). */
let store: PgliteStore;
let clock: FixedClock;
let deps: EntitlementDeps;
let n = 0;

function user(): IdentityInput {
  n++;
  return { platform: "cli", userId: `ent-${n}`, teamId: null, displayName: null };
}

/** `real` with every method rejecting as an unreachable store. */
function unreachable(real: Store): Store {
  return new Proxy(real, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return () => Promise.reject(new AppError("STORE_UNAVAILABLE", "down", { retryable: true }));
    },
  });
}

beforeAll(async () => {
  store = await PgliteStore.open({ dataDir: "memory://" });
});
afterAll(async () => {
  await store.close();
});
beforeEach(() => {
  clock = new FixedClock("2026-11-10T12:00:00-03:00");
  deps = {
    store,
    limiter: new MemoryRateLimiter(),
    clock,
    logger: silentLogger(),
    backlog: new UsageBacklog(),
    counters: new Counters(),
  };
});

describe("checkEntitlement", () => {
  it("allows and charges a trial search", async () => {
    const result = await checkEntitlement(user(), 7, deps);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan?.id).toBe("free_trial");
    expect(result.charge).toMatchObject({ allowed: true, used: 1, quota: 3, remaining: 2 });
  });

  it("checks the per-minute limit first, without charging", async () => {
    const who = user();
    expect((await checkEntitlement(who, 1, deps)).ok).toBe(true);
    expect((await checkEntitlement(who, 1, deps)).ok).toBe(true);
    const third = await checkEntitlement(who, 1, deps);
    expect(third.ok).toBe(false);
    if (third.ok) return;
    expect(third.code).toBe("RATE_LIMITED");
    expect(third.message).toMatch(
      /^Muitas buscas em pouco tempo: o plano Teste grátis permite 2 por minuto\./,
    );
    expect(third.upgrade?.id).toBe("consultor_agil");
    const status = await store.getAccountStatus(third.accountId, clock.now());
    expect(status.used).toBe(2);
  });

  it("refuses a history beyond the plan before charging, suggesting the cheapest plan that covers it", async () => {
    const who = user();
    const result = await checkEntitlement(who, 90, deps);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("HISTORY_EXCEEDED");
    expect(result.upgrade?.id).toBe("maquina");
    expect(result.message).toContain(
      "O plano Teste grátis busca até 7 dias para trás, e esta busca pede 90 dias.",
    );
    expect(result.message).toContain("Máquina por R$ 597,00/mês busca até 365 dias");
    expect((await store.getAccountStatus(result.accountId, clock.now())).used).toBe(0);
  });

  it("a refused search (history, quota, expiry) does not use the per-minute allowance", async () => {
    const limiter = new MemoryRateLimiter();
    const d = { ...deps, limiter };
    const slotsLeft = async (accountId: string) => {
      // Probe the window the flow uses; give the probe back so it counts nothing.
      const probe = await limiter.hit(`search:${accountId}`, 2, clock.now());
      if (probe.hitToken) await limiter.undo(`search:${accountId}`, probe.hitToken);
      return probe.allowed ? probe.remaining + 1 : 0;
    };
    const history = user();
    for (let i = 0; i < 5; i++)
      expect(await checkEntitlement(history, 30, d)).toMatchObject({ ok: false, code: "HISTORY_EXCEEDED" });
    const historyAccount = await store.resolveIdentity(history);
    expect(await slotsLeft(historyAccount)).toBe(2);

    const quota = user();
    for (let i = 0; i < 3; i++) {
      expect((await checkEntitlement(quota, 1, d)).ok).toBe(true);
      clock.advance(61_000);
    }
    for (let i = 0; i < 4; i++)
      expect(await checkEntitlement(quota, 1, d)).toMatchObject({ ok: false, code: "QUOTA_EXCEEDED" });
    expect(await slotsLeft(await store.resolveIdentity(quota))).toBe(2);

    const expired = user();
    await checkEntitlement(expired, 1, d);
    clock.advance(8 * 86_400_000);
    for (let i = 0; i < 4; i++)
      expect(await checkEntitlement(expired, 1, d)).toMatchObject({ ok: false, code: "TRIAL_EXPIRED" });
    expect(await slotsLeft(await store.resolveIdentity(expired))).toBe(2);
  });

  it("concurrent searches never pass the per-minute limit, refused ones mixed in", async () => {
    const who = user();
    await store.resolveIdentity(who, clock.now());
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => checkEntitlement(who, i % 2 === 0 ? 30 : 1, deps)),
    );
    const allowed = results.filter((r) => r.ok);
    expect(allowed.length).toBeGreaterThanOrEqual(1);
    expect(allowed.length).toBeLessThanOrEqual(2);
    const accountId = await store.resolveIdentity(who);
    expect((await store.getAccountStatus(accountId, clock.now())).used).toBe(allowed.length);
    // Exactly the allowed ones hold a slot.
    const probe = await deps.limiter.hit(`search:${accountId}`, 2, clock.now());
    expect(probe.allowed).toBe(allowed.length < 2);
  });

  it("refuses an expired trial with the plan to subscribe", async () => {
    const who = user();
    await checkEntitlement(who, 1, deps);
    clock.advance(8 * 86_400_000);
    const result = await checkEntitlement(who, 1, deps);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("TRIAL_EXPIRED");
    expect(result.message).toMatch(/^Seu teste grátis terminou em 17\/11\/2026\./);
    expect(result.upgrade?.id).toBe("consultor_agil");
  });

  it("refuses an exhausted quota with the reset date and the next plan", async () => {
    const who = user();
    const accountId = await store.resolveIdentity(who);
    await store.setPlan(accountId, "consultor_agil", new Date("2027-01-31T00:00:00Z"));
    for (let i = 0; i < 50; i++) {
      clock.advance(61_000);
      const r = await checkEntitlement(who, 30, deps);
      expect(r.ok).toBe(true);
    }
    clock.advance(61_000);
    const result = await checkEntitlement(who, 30, deps);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("QUOTA_EXCEEDED");
    expect(result.message).toContain(
      "Você usou as 50 buscas do plano Consultor Ágil este mês. Elas renovam em 01/12/2026.",
    );
    expect(result.upgrade?.id).toBe("maquina");
  });

  it("fails open when the store is down, and writes the usage once it is back", async () => {
    const who = user();
    let down = true;
    const flaky = new Proxy(store as Store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (down) {
            return Promise.reject(
              new AppError("STORE_UNAVAILABLE", "connect ECONNREFUSED 127.0.0.1:5432", { retryable: true }),
            );
          }
          return value.apply(target, args);
        };
      },
    });
    const flakyDeps = { ...deps, store: flaky };
    const result = await checkEntitlement(who, 7, flakyDeps);
    expect(result).toMatchObject({ ok: true, accountId: null, plan: null, charge: null, failedOpen: true });
    expect(deps.counters.get("quota_check_error")).toBe(1);
    expect(deps.backlog.size).toBe(1);
    expect(await deps.backlog.flush(flaky, deps.logger)).toBe(0);
    expect(deps.backlog.size).toBe(1);

    down = false;
    expect(await deps.backlog.flush(flaky, deps.logger)).toBe(1);
    expect(deps.backlog.size).toBe(0);
    const accountId = await store.resolveIdentity(who);
    expect((await store.getAccountStatus(accountId, clock.now())).used).toBe(1);
  });

  it("queues a failed-open search once per delivery, and the flush claims the delivery", async () => {
    const backlog = new UsageBacklog();
    const failing = unreachable(store);
    const who = user();
    const delivery = { source: "cli", id: `ent-delivery-${n}`, claimed: false };
    const d = { ...deps, store: failing, backlog };
    const first = await checkEntitlement(who, 1, d, { delivery });
    const second = await checkEntitlement(who, 1, d, { delivery });
    expect(first).toMatchObject({ ok: true, failedOpen: true });
    expect(second).toMatchObject({ ok: true, failedOpen: true, pending: null });
    expect(backlog.size).toBe(1);
    expect(backlog.hasDelivery("cli", delivery.id)).toBe(true);
    expect(await backlog.flush(store, deps.logger)).toBe(1);
    expect(await store.claimEvent("cli", delivery.id)).toBe(false);
    const accountId = await store.resolveIdentity(who);
    expect((await store.getAccountStatus(accountId, clock.now())).used).toBe(1);
  });

  it("cancels the queued usage of a failed-open search that did not run", async () => {
    const backlog = new UsageBacklog();
    const failing = unreachable(store);
    const result = await checkEntitlement(user(), 7, { ...deps, store: failing, backlog });
    expect(result.ok && result.pending).toBeTruthy();
    expect(backlog.size).toBe(1);
    if (!result.ok || !result.pending) return;
    expect(backlog.cancel(result.pending)).toBe(true);
    expect(backlog.size).toBe(0);
    expect(backlog.cancel(result.pending)).toBe(false);
  });

  it("does not fail open on a repeatable store error: the search is refused, not free", async () => {
    const bad: IdentityInput = { platform: "cli", userId: " ", teamId: null, displayName: null };
    await expect(checkEntitlement(bad, 1, deps)).rejects.toMatchObject({ code: "INTERNAL" });
    expect(deps.backlog.size).toBe(0);
    expect(deps.counters.get("quota_check_error")).toBe(1);
  });

  it("a backlog entry that keeps failing never blocks the others, and is dropped after its attempts", async () => {
    const backlog = new UsageBacklog(100, 2);
    const good = user();
    backlog.add({ platform: "cli", userId: " ", teamId: null, displayName: null }, clock.now());
    backlog.add(good, clock.now());
    expect(await backlog.flush(store, deps.logger)).toBe(0);
    expect(await backlog.flush(store, deps.logger)).toBe(1);
    const accountId = await store.resolveIdentity(good);
    expect((await store.getAccountStatus(accountId, clock.now())).used).toBe(1);
    expect(await backlog.flush(store, deps.logger)).toBe(0);
    expect(backlog.size).toBe(0);
  });
});
