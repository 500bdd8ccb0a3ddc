import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BillingStore, SubscriptionSnapshot } from "../../src/core/ports/billing.ts";
import type { Store } from "../../src/core/ports/store.ts";

/**
 * What every `BillingStore` must do (0009_billing.sql through plain SQL on PGlite and Postgres, and
 * through PostgREST RPC): each lifecycle effect in one call, decided from the subscription's current
 * state, with older readings ignored and the grace period enforced by `consume_search`.
 */

const DAY = 86_400_000;
const T0 = new Date("2026-11-22T18:00:00Z");

export interface BillingStoreSubject {
  store: Store;
  billing: BillingStore;
  /** Reads the database directly (privileges); null when the subject cannot. */
  query: ((sql: string) => Promise<Record<string, unknown>[]>) | null;
  close(): Promise<void>;
}

function snapshot(
  overrides: Partial<SubscriptionSnapshot> & { accountId: string | null },
): SubscriptionSnapshot {
  return {
    subscriptionId: `sub_${randomUUID()}`,
    customerId: `cus_${randomUUID()}`,
    planId: "maquina",
    stripeStatus: "active",
    priceId: "price_maquina",
    periodEnd: new Date(T0.getTime() + 30 * DAY),
    cancelAtPeriodEnd: false,
    endedAt: null,
    observedAt: T0,
    ...overrides,
  };
}

export function runBillingStoreContract(name: string, factory: () => Promise<BillingStoreSubject>): void {
  describe(`BillingStore contract: ${name}`, () => {
    let s: BillingStoreSubject;
    beforeAll(async () => {
      s = await factory();
    });
    afterAll(async () => {
      await s?.close();
    });

    const person = () =>
      s.store.resolveIdentity(
        { platform: "telegram", userId: `b-${randomUUID()}`, teamId: null, displayName: null },
        T0,
      );

    it("activates, renews, changes, schedules a cancel and ends, saying which effect each reading had", async () => {
      const accountId = await person();
      const first = snapshot({ accountId });
      const activated = await s.billing.applySubscription(first, 7);
      expect(activated).toMatchObject({
        effect: "activated",
        accountId,
        planId: "maquina",
        previousPlanId: null,
      });
      expect(activated.periodEnd?.toISOString()).toBe(first.periodEnd?.toISOString());
      let status = await s.store.getAccountStatus(accountId, T0, null);
      expect(status).toMatchObject({ subscriptionStatus: "active", plan: { id: "maquina", excel: true } });
      expect(status.periodEnd?.toISOString()).toBe(first.periodEnd?.toISOString());

      const again = await s.billing.applySubscription(
        { ...first, observedAt: new Date(T0.getTime() + 1000) },
        7,
      );
      expect(again.effect).toBe("none");
      const renewedEnd = new Date(T0.getTime() + 60 * DAY);
      const t1 = new Date(T0.getTime() + 30 * DAY);
      expect(
        (await s.billing.applySubscription({ ...first, periodEnd: renewedEnd, observedAt: t1 }, 7)).effect,
      ).toBe("renewed");
      const changed = await s.billing.applySubscription(
        { ...first, planId: "consultor_agil", periodEnd: renewedEnd, observedAt: new Date(t1.getTime() + 1) },
        7,
      );
      expect(changed).toMatchObject({
        effect: "changed",
        planId: "consultor_agil",
        previousPlanId: "maquina",
      });
      expect((await s.store.getAccountStatus(accountId, t1, null)).plan).toMatchObject({
        id: "consultor_agil",
        excel: false,
      });
      const cancelling = {
        ...first,
        planId: "consultor_agil" as const,
        periodEnd: renewedEnd,
        cancelAtPeriodEnd: true,
      };
      expect(
        (await s.billing.applySubscription({ ...cancelling, observedAt: new Date(t1.getTime() + 2) }, 7))
          .effect,
      ).toBe("cancel_scheduled");
      expect((await s.billing.getAccountBilling(accountId))?.cancelAtPeriodEnd).toBe(true);
      expect((await s.store.consumeSearch(accountId, 7, t1, null)).allowed).toBe(true);
      const ended = await s.billing.applySubscription(
        { ...cancelling, stripeStatus: "canceled", endedAt: renewedEnd, observedAt: renewedEnd },
        7,
      );
      expect(ended.effect).toBe("ended");
      status = await s.store.getAccountStatus(accountId, renewedEnd, null);
      expect(status.subscriptionStatus).toBe("canceled");
      expect((await s.store.consumeSearch(accountId, 7, renewedEnd, null)).reason).toBe("plan_inactive");
      const billing = await s.billing.getAccountBilling(accountId);
      expect(billing).toMatchObject({
        accountId,
        accountKind: "individual",
        platform: "telegram",
        customerId: first.customerId,
        subscriptionId: first.subscriptionId,
        planId: "consultor_agil",
        stripeStatus: "canceled",
      });
    });

    it("ignores a reading older than the one applied (a slower concurrent handler)", async () => {
      const accountId = await person();
      const sub = snapshot({
        accountId,
        observedAt: new Date(T0.getTime() + 5000),
        stripeStatus: "canceled",
        endedAt: T0,
      });
      await s.billing.applySubscription({ ...sub, stripeStatus: "active", endedAt: null, observedAt: T0 }, 7);
      expect((await s.billing.applySubscription(sub, 7)).effect).toBe("ended");
      const stale = await s.billing.applySubscription(
        { ...sub, stripeStatus: "active", endedAt: null, observedAt: new Date(T0.getTime() + 4000) },
        7,
      );
      expect(stale.effect).toBe("stale");
      expect((await s.store.getAccountStatus(accountId, T0, null)).subscriptionStatus).toBe("canceled");
    });

    it("ends the plan of a subscription first seen already cancelled, as if its earlier events had come first", async () => {
      const inOrder = await person();
      const late = await person();
      const live = snapshot({ accountId: inOrder });
      const endedAt = new Date(T0.getTime() + 2 * DAY);
      await s.billing.applySubscription(live, 7);
      const a = await s.billing.applySubscription(
        { ...live, stripeStatus: "canceled", endedAt, observedAt: endedAt },
        7,
      );
      const b = await s.billing.applySubscription(
        { ...snapshot({ accountId: late }), stripeStatus: "canceled", endedAt, observedAt: endedAt },
        7,
      );
      expect([a.effect, b.effect]).toEqual(["ended", "ended"]);
      const [sa, sb] = await Promise.all([
        s.store.getAccountStatus(inOrder, endedAt, null),
        s.store.getAccountStatus(late, endedAt, null),
      ]);
      expect({ ...sb, accountId: "", effectiveAccountId: "" }).toEqual({
        ...sa,
        accountId: "",
        effectiveAccountId: "",
      });
      expect(sb).toMatchObject({ subscriptionStatus: "canceled", plan: { id: "maquina" } });
      expect(sb.periodEnd?.toISOString()).toBe(endedAt.toISOString());
    });

    it("applies the same new reading once when handlers race", async () => {
      for (let round = 0; round < 3; round++) {
        const accountId = await person();
        const sub = snapshot({ accountId });
        const effects = await Promise.all([1, 2, 3, 4].map(() => s.billing.applySubscription(sub, 7)));
        expect(effects.map((e) => e.effect).sort()).toEqual(["activated", "none", "none", "none"]);
      }
    });

    it("finds the account by customer, records the chat to tell, and refuses unknown or foreign customers", async () => {
      const accountId = await person();
      const customerId = `cus_${randomUUID()}`;
      await s.billing.saveCustomer(accountId, customerId, { platform: "slack", chatId: "C1", teamId: "T1" });
      expect(await s.billing.customerAccount(customerId)).toBe(accountId);
      const applied = await s.billing.applySubscription(snapshot({ accountId: null, customerId }), 7);
      expect(applied).toMatchObject({
        effect: "activated",
        accountId,
        notify: { platform: "slack", chatId: "C1", teamId: "T1" },
      });
      // A later save without a chat keeps the chat recorded.
      await s.billing.saveCustomer(accountId, customerId);
      expect((await s.billing.getAccountBilling(accountId))?.notify).toEqual({
        platform: "slack",
        chatId: "C1",
        teamId: "T1",
      });

      const other = await person();
      await expect(s.billing.saveCustomer(other, customerId)).rejects.toMatchObject({ code: "INTERNAL" });
      await expect(s.billing.applySubscription(snapshot({ accountId: null }), 7)).rejects.toThrow(
        /account_not_found/,
      );
      expect(await s.billing.customerAccount("cus_nobody")).toBeNull();
      expect(await s.billing.getAccountBilling(randomUUID())).toBeNull();
    });

    it("keeps a past-due plan usable for the grace days from the first failure, refuses it after, restores it when paid", async () => {
      const accountId = await person();
      const sub = snapshot({ accountId });
      await s.billing.applySubscription(sub, 3);
      const failedAt = new Date(T0.getTime() + 10 * DAY);
      const pastDue = { ...sub, stripeStatus: "past_due", periodEnd: new Date(T0.getTime() + 60 * DAY) };
      const first = await s.billing.applySubscription({ ...pastDue, observedAt: failedAt }, 3);
      expect(first.effect).toBe("past_due");
      expect(first.graceEndsAt?.toISOString()).toBe(new Date(failedAt.getTime() + 3 * DAY).toISOString());
      const later = await s.billing.applySubscription(
        { ...pastDue, observedAt: new Date(failedAt.getTime() + DAY) },
        3,
      );
      expect(later).toMatchObject({ effect: "none" });
      expect(later.graceEndsAt?.toISOString()).toBe(first.graceEndsAt?.toISOString());
      expect(
        (await s.store.consumeSearch(accountId, 7, new Date(failedAt.getTime() + 3 * DAY - 1000), null))
          .allowed,
      ).toBe(true);
      const refused = await s.store.consumeSearch(accountId, 7, new Date(failedAt.getTime() + 3 * DAY), null);
      expect(refused).toMatchObject({ allowed: false, reason: "payment_overdue", planId: "maquina" });
      expect((await s.store.getAccountStatus(accountId, failedAt, null)).subscriptionStatus).toBe("past_due");
      const paidAt = new Date(failedAt.getTime() + 5 * DAY);
      expect(
        (await s.billing.applySubscription({ ...pastDue, stripeStatus: "active", observedAt: paidAt }, 3))
          .effect,
      ).toBe("recovered");
      expect((await s.store.consumeSearch(accountId, 7, paidAt, null)).allowed).toBe(true);
      expect((await s.billing.getAccountBilling(accountId))?.graceEndsAt).toBeNull();
    });

    it("never gives the plan for an unpaid boleto, and an old subscription ending does not end its replacement", async () => {
      const accountId = await person();
      const boleto = snapshot({ accountId, stripeStatus: "incomplete" });
      expect((await s.billing.applySubscription(boleto, 7)).effect).toBe("pending");
      expect((await s.store.getAccountStatus(accountId, T0, null)).plan.id).toBe("free_trial");
      const expired = await s.billing.applySubscription(
        { ...boleto, stripeStatus: "incomplete_expired", observedAt: new Date(T0.getTime() + 3 * DAY) },
        7,
      );
      expect(expired.effect).toBe("expired");
      expect((await s.store.getAccountStatus(accountId, T0, null)).plan.id).toBe("free_trial");

      const card = snapshot({
        accountId,
        customerId: boleto.customerId,
        observedAt: new Date(T0.getTime() + 4 * DAY),
      });
      expect((await s.billing.applySubscription(card, 7)).effect).toBe("activated");
      const old = snapshot({
        accountId,
        customerId: boleto.customerId,
        planId: "consultor_agil",
        stripeStatus: "active",
      });
      await s.billing.applySubscription({ ...old, observedAt: new Date(T0.getTime() + 4 * DAY + 1) }, 7);
      const oldEnded = await s.billing.applySubscription(
        { ...old, stripeStatus: "canceled", endedAt: T0, observedAt: new Date(T0.getTime() + 5 * DAY) },
        7,
      );
      // The plan row followed the latest live subscription (old); when it ends, the card one still pays.
      expect(oldEnded.effect).toBe("superseded");
      const status = await s.store.getAccountStatus(accountId, new Date(T0.getTime() + 5 * DAY), null);
      expect(status).toMatchObject({ subscriptionStatus: "active", plan: { id: "maquina" } });
      expect(status.periodEnd?.toISOString()).toBe(card.periodEnd?.toISOString());
      expect((await s.billing.getAccountBilling(accountId))?.subscriptionId).toBe(card.subscriptionId);
    });

    it("puts a team plan on the team's account, covering its members in the group only", async () => {
      const teamId = `-100${Math.floor(Math.random() * 1e9)}`;
      const team = await s.store.resolveTeam("telegram", teamId);
      await s.billing.applySubscription(snapshot({ accountId: team, planId: "sala_guerra" }), 7);
      const member = await s.store.resolveIdentity(
        { platform: "telegram", userId: `m-${randomUUID()}`, teamId, displayName: null },
        T0,
      );
      const inGroup = await s.store.consumeSearch(member, 400, T0, teamId);
      expect(inGroup).toMatchObject({ allowed: true, planId: "sala_guerra", chargedAccountId: team });
      expect((await s.store.consumeSearch(member, 7, T0, null)).planId).toBe("free_trial");
      expect((await s.billing.getAccountBilling(team))?.teamId).toBe(teamId);
    });

    it("gives a claimed Stripe event back", async () => {
      const id = `evt_${randomUUID()}`;
      expect(await s.store.claimEvent("stripe", id)).toBe(true);
      expect(await s.store.claimEvent("stripe", id)).toBe(false);
      await s.billing.releaseEvent(id);
      expect(await s.store.claimEvent("stripe", id)).toBe(true);
    });

    it("lets only service_role run the billing functions", async () => {
      if (!s.query) return;
      const rows = await s.query(
        `select r.rolname, has_function_privilege(r.rolname, 'billing_apply_subscription(text, text, uuid, text, text, text, timestamptz, boolean, timestamptz, timestamptz, integer)', 'execute') as can
           from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role') order by r.rolname`,
      );
      expect(rows).toEqual([
        { rolname: "anon", can: false },
        { rolname: "authenticated", can: false },
        { rolname: "service_role", can: true },
      ]);
    });
  });
}
