import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StripeObject } from "../fakes/fake-stripe.ts";
import { needPostgres } from "../helpers/services.ts";
import { BILLING_NOW, type BillingApp, checkoutMetadata, startBillingApp } from "./billing-harness.ts";

/**
 * Property: whatever order Stripe delivers a subscription's events in — each event delivered any time
 * after it happened, some several times — the account ends in the same state as when every event arrives
 * once and in order, and that state is Stripe's: a free user never gets the Excel plan, a paying user
 * always does. Two accounts live the same generated lifecycle side by side: one gets its events in order
 * at each step, the other a random subset of everything pending (duplicates included), the rest at the end.
 */

const DAY_S = 86_400;
let t: BillingApp;
const onPostgres = await needPostgres();
beforeAll(async () => {
  t = await startBillingApp({ database: onPostgres ? "postgres" : "pglite", now: BILLING_NOW });
});
afterAll(async () => {
  await t?.close();
});

type Start = "card" | "boleto_paid" | "boleto_expired";
type Step = "renew" | "fail" | "recover" | "upgrade" | "downgrade" | "cancel" | "uncancel" | "end";

interface PendingEvent {
  type: string;
  object: StripeObject;
  id: string;
}

/** A seeded PRNG (mulberry32) so fast-check controls the delivery schedule through one integer. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

let run = 0;

/** One account's subscription in the fake; `events(step)` mutates Stripe and returns what it would send. */
async function lifecycle(start: Start) {
  const me = ++run;
  const chatId = `prop-${me}`;
  const accountId = await t.account("telegram", `prop-user-${me}`);
  const customer = `cus_prop_${me}`;
  const now = () => Math.floor(t.clock.now().getTime() / 1000);
  const sub = t.stripe.createSubscription({
    customer,
    price: t.prices.consultor_agil_monthly!,
    status: start === "card" ? "active" : "incomplete",
    metadata: checkoutMetadata(accountId, "consultor_agil", chatId),
    periodStart: now(),
    periodEnd: now() + 30 * DAY_S,
  });
  let seq = 0;
  const event = (type: string, object: StripeObject): PendingEvent => ({
    type,
    object: structuredClone(object),
    id: `evt_prop_${me}_${++seq}`,
  });
  const session = t.stripe.checkoutSession({
    customer,
    subscription: sub.id,
    client_reference_id: accountId,
    metadata: checkoutMetadata(accountId, "consultor_agil", chatId),
    payment_status: start === "card" ? "paid" : "unpaid",
  });
  const invoice = (status = "paid") => t.stripe.invoice({ subscription: sub.id, customer, status });
  const first: PendingEvent[] = [
    event("checkout.session.completed", session),
    event("customer.subscription.created", t.stripe.snapshot(sub.id)),
  ];
  if (start === "card") first.push(event("invoice.paid", invoice()));
  const ended = () => ["canceled", "incomplete_expired"].includes(t.stripe.subscription(sub.id).status);
  return {
    accountId,
    subscriptionId: sub.id,
    first,
    /** Resolves the boleto (paid or expired) for boleto starts. */
    settle(): PendingEvent[] {
      if (start === "boleto_paid") {
        const s = t.stripe.updateSubscription(sub.id, { status: "active" });
        return [
          event("checkout.session.async_payment_succeeded", { ...session, payment_status: "paid" }),
          event("invoice.paid", invoice()),
          event("customer.subscription.updated", s),
        ];
      }
      if (start === "boleto_expired") {
        const s = t.stripe.updateSubscription(sub.id, { status: "incomplete_expired", ended_at: now() });
        return [
          event("checkout.session.async_payment_failed", session),
          event("customer.subscription.deleted", s),
        ];
      }
      return [];
    },
    step(step: Step): PendingEvent[] {
      if (ended()) return [];
      const current = t.stripe.subscription(sub.id);
      const end = current.items.data[0].current_period_end as number;
      switch (step) {
        case "renew":
          if (current.status !== "active") return [];
          return [
            event(
              "customer.subscription.updated",
              t.stripe.updateSubscription(sub.id, { periodEnd: end + 30 * DAY_S }),
            ),
            event("invoice.paid", invoice()),
          ];
        case "fail":
          if (current.status !== "active") return [];
          return [
            event("invoice.payment_failed", invoice("open")),
            event(
              "customer.subscription.updated",
              t.stripe.updateSubscription(sub.id, { status: "past_due", periodEnd: end + 30 * DAY_S }),
            ),
          ];
        case "recover":
          if (current.status !== "past_due") return [];
          return [
            event("invoice.paid", invoice()),
            event("customer.subscription.updated", t.stripe.updateSubscription(sub.id, { status: "active" })),
          ];
        case "upgrade":
        case "downgrade":
          if (current.status !== "active") return [];
          return [
            event(
              "customer.subscription.updated",
              t.stripe.updateSubscription(sub.id, {
                price: step === "upgrade" ? t.prices.maquina_monthly : t.prices.consultor_agil_monthly,
              }),
            ),
          ];
        case "cancel":
        case "uncancel":
          if (current.status === "incomplete") return [];
          return [
            event(
              "customer.subscription.updated",
              t.stripe.updateSubscription(sub.id, { cancel_at_period_end: step === "cancel" }),
            ),
          ];
        case "end":
          if (current.status === "incomplete") return [];
          return [
            event(
              "customer.subscription.deleted",
              t.stripe.updateSubscription(sub.id, {
                status: "canceled",
                ended_at: now(),
                canceled_at: now(),
              }),
            ),
          ];
      }
    },
  };
}

async function deliver(e: PendingEvent): Promise<void> {
  const res = await t.send(e.type, e.object, { id: e.id });
  expect(res.status).toBe(200);
}

/** What the account's state is, as a value to compare. */
async function outcome(accountId: string) {
  const now = t.clock.now();
  const status = await t.store.getAccountStatus(accountId, now, null);
  return {
    planId: status.plan.id,
    subscriptionStatus: status.subscriptionStatus,
    periodEnd: status.periodEnd?.toISOString() ?? null,
  };
}

describe("lifecycle events in any order, duplicated", () => {
  it("end in the same state as in order, which is Stripe's", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Start>("card", "boleto_paid", "boleto_expired"),
        fc.array(
          fc.constantFrom<Step>(
            "renew",
            "fail",
            "recover",
            "upgrade",
            "downgrade",
            "cancel",
            "uncancel",
            "end",
          ),
          {
            maxLength: 4,
          },
        ),
        fc.integer(),
        async (start, steps, seed) => {
          const random = prng(seed);
          const ordered = await lifecycle(start);
          const scrambled = await lifecycle(start);
          const pending: PendingEvent[] = [];
          const inOrder: PendingEvent[] = [];
          const at = async (a: PendingEvent[], b: PendingEvent[]) => {
            for (const e of a) await deliver(e);
            pending.push(...b);
            inOrder.push(...b);
            // A random part of what is pending arrives now, in any order, some of it twice.
            const now = shuffle(pending, random).filter(() => random() < 0.5);
            for (const e of now) {
              await deliver(e);
              if (random() < 0.3) await deliver(e);
            }
          };
          await at(ordered.first, scrambled.first);
          t.clock.advance(DAY_S * 1000);
          if (start !== "card") {
            await at(ordered.settle(), scrambled.settle());
            t.clock.advance(DAY_S * 1000);
          }
          for (const step of steps) {
            await at(ordered.step(step), scrambled.step(step));
            t.clock.advance(DAY_S * 1000);
          }
          for (const e of shuffle([...pending, ...pending.filter(() => random() < 0.3)], random))
            await deliver(e);
          await t.idle();

          const a = await outcome(ordered.accountId);
          const b = await outcome(scrambled.accountId);
          expect(b).toEqual(a);
          // And it is Stripe's state: the plan of the final price while usable, nothing after the end.
          const stripeSub = t.stripe.subscription(scrambled.subscriptionId);
          const usable = ["active", "past_due"].includes(stripeSub.status);
          const pricePlan = stripeSub.items.data[0].price.metadata.plan_id;
          if (usable) {
            expect(b.planId).toBe(pricePlan);
            expect(b.periodEnd).toBe(
              new Date(stripeSub.items.data[0].current_period_end * 1000).toISOString(),
            );
          }
          for (const accountId of [ordered.accountId, scrambled.accountId]) {
            const status = await t.store.getAccountStatus(accountId, t.clock.now(), null);
            const charge = await t.store.consumeSearch(accountId, 7, t.clock.now(), null);
            const paying = charge.allowed && status.plan.priceCents !== null;
            // Excel only on a usable paid plan that includes it; never on the trial.
            const excel = charge.allowed && status.plan.excel;
            expect(excel).toBe(usable && paying && pricePlan === "maquina");
            if (!usable) expect(paying).toBe(false);
            if (charge.allowed) await t.store.refundSearch(charge.chargedAccountId, charge.monthKey);
          }
        },
      ),
      {
        numRuns: Number(process.env.BILLING_PROPERTY_RUNS ?? 8),
        examples: [["card", ["renew", "fail", "recover", "end"], 0]],
      },
    );
  });
});
