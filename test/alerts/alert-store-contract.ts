/**
 * One contract for every `AlertStore` (PGlite, Postgres, Supabase RPC) over the 0011 SQL: plan columns
 * seeded, the limit holds under concurrent creates, every index write is queued and a commit removes
 * exactly what it read, items are once-only, claims exclude, a blocked chat pauses its alerts, reminders
 * are queued once per closing date.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertStore, NewAlert } from "../../src/core/ports/alert-store.ts";
import type { BidIndex, IndexedRecord } from "../../src/core/ports/bid-index.ts";
import type { Store } from "../../src/core/ports/store.ts";
import { searchQuerySchema } from "../../src/core/search-query.ts";
import { fixtureIndexedRecords } from "../index/index-fixtures.ts";

const NOW = new Date("2026-12-01T15:00:00Z");

export interface OpenedAlertStore {
  alerts: AlertStore;
  index: BidIndex;
  store: Store;
  close(): Promise<void>;
}

/** Fixture records re-published `hoursAgo` before NOW, closing `closesInHours` after it. */
export function freshRecords(count: number, hoursAgo = 1, closesInHours = 24 * 10): IndexedRecord[] {
  return fixtureIndexedRecords(NOW)
    .slice(0, count)
    .map((r) => ({
      ...r,
      pncpUpdatedAt: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(),
      bid: {
        ...r.bid,
        publishedAt: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(),
        proposalsCloseAt: new Date(NOW.getTime() + closesInHours * 3_600_000).toISOString(),
        situationId: 1,
      },
    }));
}

function newAlert(accountId: string, chatId: string, text = "uniformes"): NewAlert {
  return {
    accountId,
    address: { platform: "telegram", chatId, teamId: null },
    scope: "personal",
    queryText: text,
    query: searchQuerySchema.parse({ terms: [text], from: "2026-11-25", to: "2026-12-01" }),
    mode: "instant",
    digestHour: 8,
    reminder: true,
  };
}

export function runAlertStoreContract(name: string, open: () => Promise<OpenedAlertStore>): void {
  describe(`AlertStore contract: ${name}`, () => {
    let s: OpenedAlertStore;
    beforeAll(async () => {
      s = await open();
    }, 60_000);
    afterAll(async () => s?.close());

    it("seeds the plans' alert limits and instant delivery", async () => {
      const plans = new Map((await s.store.listPlans()).map((p) => [p.id, p] as const));
      expect(plans.get("free_trial")).toMatchObject({ alertsLimit: 1, instantAlerts: false });
      expect(plans.get("consultor_agil")).toMatchObject({ alertsLimit: 5, instantAlerts: false });
      expect(plans.get("maquina")).toMatchObject({ alertsLimit: 20, instantAlerts: true });
      expect(plans.get("sala_guerra")).toMatchObject({ alertsLimit: 100, instantAlerts: true });
    });

    it("creates alerts up to the limit, also when created at once", async () => {
      const account = await s.store.resolveIdentity({
        platform: "telegram",
        userId: "limit-user",
        teamId: null,
        displayName: null,
      });
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          s.alerts.createAlert(newAlert(account, "chat-limit", `t${i}`), 2, NOW),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(results.filter((r) => !r.ok).every((r) => r.count === 2)).toBe(true);
      const listed = await s.alerts.chatAlerts("telegram", "chat-limit");
      expect(listed).toHaveLength(2);
      expect(listed[0]!.query.terms).toHaveLength(1);
      expect(listed[0]!.address).toEqual({ platform: "telegram", chatId: "chat-limit", teamId: null });
      // Deleting frees a slot; the deleted one is gone from the list.
      expect(await s.alerts.deleteAlert(listed[0]!.id, NOW)).toBe(true);
      expect(await s.alerts.deleteAlert(listed[0]!.id, NOW)).toBe(false);
      expect((await s.alerts.createAlert(newAlert(account, "chat-limit"), 2, NOW)).ok).toBe(true);
      const paused = await s.alerts.updateAlert(listed[1]!.id, {
        status: "paused",
        mode: "daily",
        digestHour: 18,
      });
      expect(paused).toMatchObject({ status: "paused", mode: "daily", digestHour: 18, reminder: true });
    });

    it("two commits of overlapping matches at once store each (alert, bid) once", async () => {
      const account = await s.store.resolveIdentity({
        platform: "telegram",
        userId: "race-user",
        teamId: null,
        displayName: null,
      });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const created = await s.alerts.createAlert(newAlert(account, `chat-race-${i}`), 10, NOW);
        if (!created.ok) throw new Error("not created");
        ids.push(created.alert.id);
      }
      const bids = freshRecords(6).map((r) => `race-${r.bid.id}`);
      const item = (alertId: string, bidId: string) => ({
        alertId,
        bidId,
        kind: "match" as const,
        changeKey: "",
        detail: {},
        seen: { situationId: 1, closeAt: 1, contentHash: "r" },
      });
      // Alerts 0 and 1 × bids 0–3 from one matcher; alerts 1 and 2 × bids 2–5 from the other, at once.
      const first = ids.slice(0, 2).flatMap((a) => bids.slice(0, 4).map((b) => item(a, b)));
      const second = ids.slice(1).flatMap((a) => bids.slice(2).map((b) => item(a, b)));
      const counts = await Promise.all([
        s.alerts.commitMatches([], first, [], NOW),
        s.alerts.commitMatches([], second, [], NOW),
        s.alerts.commitMatches([], first, [], NOW),
      ]);
      const expected = new Set([...first, ...second].map((i) => `${i.alertId}|${i.bidId}`));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(expected.size);
      const ready = await s.alerts.readyItems(ids, NOW, 1000);
      const pairs = ready.map((r) => `${r.alertId}|${r.bidId}`);
      expect(pairs.sort()).toEqual([...expected].sort());
      // The same again, and a superset: only the new pair is stored.
      expect(await s.alerts.commitMatches([], [...second, ...first], [], NOW)).toBe(0);
      expect(await s.alerts.commitMatches([], [...first, item(ids[2]!, bids[0]!)], [], NOW)).toBe(1);
      const seen = await s.alerts.seenFor([bids[0]!]);
      expect(seen.map((r) => r.alertId).sort()).toEqual([ids[0]!, ids[1]!, ids[2]!].sort());
      expect(seen.every((r) => r.status === "pending")).toBe(true);
    });

    it("queues every write; a commit removes only what it read; items are once-only", async () => {
      const account = await s.store.resolveIdentity({
        platform: "telegram",
        userId: "q-user",
        teamId: null,
        displayName: null,
      });
      const created = await s.alerts.createAlert(
        newAlert(account, "chat-q"),
        10,
        new Date(NOW.getTime() - 3_600_000),
      );
      if (!created.ok) throw new Error("not created");
      // Drain what earlier writes queued.
      for (let q = await s.alerts.takeQueue(500); q.length > 0; q = await s.alerts.takeQueue(500)) {
        await s.alerts.commitMatches(q, [], [], NOW);
      }
      const records = freshRecords(5);
      const old = freshRecords(7)
        .slice(5)
        .map((r) => ({ ...r, bid: { ...r.bid, publishedAt: "2025-01-02T12:00:00.000Z" } }));
      await s.index.upsertBids([...records, ...old], NOW);
      const queued = await s.alerts.takeQueue(100);
      expect(new Set(queued.map((q) => q.bidId))).toEqual(new Set([...records, ...old].map((r) => r.bid.id)));
      expect(
        queued
          .filter((q) => q.eligible)
          .map((q) => q.bidId)
          .sort(),
      ).toEqual(records.map((r) => r.bid.id).sort());
      expect(queued.every((q) => !q.delivered)).toBe(true);
      // Re-written while being matched: a new seq, so the commit leaves it queued.
      const rewritten = { ...records[0]!, pncpUpdatedAt: NOW.toISOString() };
      await s.index.upsertBids([rewritten], NOW);
      const items = records.map((r) => ({
        alertId: created.alert.id,
        bidId: r.bid.id,
        kind: "match" as const,
        changeKey: "",
        detail: {},
        seen: { situationId: 1, closeAt: 1, contentHash: "x" },
      }));
      expect(await s.alerts.commitMatches(queued, items, [], NOW)).toBe(5);
      const left = await s.alerts.takeQueue(100);
      expect(left.map((q) => q.bidId)).toEqual([records[0]!.bid.id]);
      expect(left[0]!.delivered).toBe(true);
      // The same items again (a re-sync, a second matcher): nothing new.
      expect(await s.alerts.commitMatches(left, items, [], NOW)).toBe(0);
      expect(await s.alerts.takeQueue(100)).toEqual([]);
      // An unchanged re-write is not queued; a changed one is.
      await s.index.upsertBids([rewritten], NOW);
      expect(await s.alerts.takeQueue(100)).toEqual([]);
      const seen = await s.alerts.seenFor([records[1]!.bid.id]);
      expect(seen).toEqual([
        {
          alertId: created.alert.id,
          bidId: records[1]!.bid.id,
          status: "pending",
          seen: { situationId: 1, closeAt: 1, contentHash: "x" },
        },
      ]);
      await s.alerts.commitMatches(
        [],
        [],
        [
          {
            alertId: created.alert.id,
            bidId: records[1]!.bid.id,
            seen: { situationId: 4, closeAt: 2, contentHash: "y" },
          },
        ],
        NOW,
      );
      expect((await s.alerts.seenFor([records[1]!.bid.id]))[0]!.seen).toEqual({
        situationId: 4,
        closeAt: 2,
        contentHash: "y",
      });

      // Claims: one holder at a time; an expired claim is taken over; only the holder finishes.
      const ready = await s.alerts.readyItems([created.alert.id], NOW, 100);
      expect(ready).toHaveLength(5);
      expect(await s.alerts.readyItems([], NOW, 100)).toEqual([]);
      const ids = ready.map((r) => r.id);
      const until = new Date(NOW.getTime() + 60_000);
      const [a, b] = await Promise.all([
        s.alerts.claimItems(ids, "token-a", until, NOW),
        s.alerts.claimItems(ids, "token-b", until, NOW),
      ]);
      expect([...a, ...b].sort()).toEqual([...ids].sort());
      expect(a.length === 0 || b.length === 0).toBe(true);
      const holder = a.length > 0 ? "token-a" : "token-b";
      expect(await s.alerts.readyItems([created.alert.id], NOW, 100)).toEqual([]);
      const later = new Date(NOW.getTime() + 120_000);
      expect((await s.alerts.readyItems([created.alert.id], later, 100)).length).toBe(5);
      const taken = await s.alerts.claimItems(ids, "token-c", new Date(later.getTime() + 60_000), later);
      expect(taken.sort()).toEqual([...ids].sort());
      await s.alerts.finishItems(ids, holder, "sent", later); // the old holder lost it: no effect
      expect(await s.alerts.claimItems(ids, "token-d", new Date(later.getTime() + 60_000), later)).toEqual(
        [],
      );
      await s.alerts.finishItems(ids.slice(0, 4), "token-c", "sent", later);
      await s.alerts.finishItems(ids.slice(4), "token-c", "pending", later);
      expect((await s.alerts.readyItems([created.alert.id], later, 100)).map((r) => r.id)).toEqual(
        ids.slice(4),
      );

      // Reminders: sent matches closing within the window, once per closing instant.
      const closing = freshRecords(5, 1, 30)
        .slice(0, 2)
        .map((r) => ({ ...r, pncpUpdatedAt: later.toISOString() }));
      await s.index.upsertBids(closing, later);
      const sentClosing = closing.filter((r) =>
        ids.slice(0, 4).some((id) => ready.find((x) => x.id === id)?.bidId === r.bid.id),
      );
      expect(await s.alerts.queueReminders(later, 2 * 86_400_000)).toBe(sentClosing.length);
      expect(await s.alerts.queueReminders(later, 2 * 86_400_000)).toBe(0);
      const reminders = (await s.alerts.readyItems([], later, 100)).filter((r) => r.kind === "reminder");
      expect(reminders.map((r) => r.bidId).sort()).toEqual(sentClosing.map((r) => r.bid.id).sort());

      // A blocked chat: its alerts pause, pending items are dropped.
      expect(await s.alerts.pauseChat("telegram", "chat-q")).toBe(1);
      expect((await s.alerts.chatAlerts("telegram", "chat-q"))[0]!.status).toBe("unreachable");
      expect(await s.alerts.readyItems([created.alert.id], later, 100)).toEqual([]);
      expect((await s.alerts.activeAlerts()).some((x) => x.id === created.alert.id)).toBe(false);
      await s.alerts.markDigest(created.alert.id, later);
      expect((await s.alerts.chatAlerts("telegram", "chat-q"))[0]!.lastDigestAt).toEqual(later);
    });
  });
}
