/**
 * One contract for every `OutboxStore` (memory, PGlite, Postgres, Supabase RPC): dedupe, claims in due
 * order that never overlap, lease expiry re-delivers, only the holder settles, paused chats, contact
 * releases held/paused messages, expiry, pruning.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatAddress } from "../../src/core/ports/notifier.ts";
import type { OutboxEnqueue, OutboxStore } from "../../src/core/ports/outbox-store.ts";

const T0 = new Date("2026-12-01T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const slack = (chatId: string): ChatAddress => ({ platform: "slack", chatId, teamId: "T1" });
const wa = (chatId: string): ChatAddress => ({ platform: "whatsapp", chatId });

function message(key: string, to: ChatAddress, extra: Partial<OutboxEnqueue> = {}): OutboxEnqueue {
  return {
    dedupeKey: key,
    to,
    purpose: "alert",
    payload: { v: 1, replies: [{ kind: "text", text: key }] },
    ...extra,
  };
}

export function runOutboxStoreContract(
  name: string,
  open: () => Promise<{ store: OutboxStore; close(): Promise<void> }>,
): void {
  describe(`OutboxStore contract: ${name}`, () => {
    let store: OutboxStore;
    let close: () => Promise<void>;
    let n = 0;
    /** Keys unique per test so the tests share one database. */
    const key = (k: string) => `${name}:${n}:${k}`;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(() => close());

    it("enqueues once per dedupe key, and a retried enqueue changes nothing", async () => {
      n++;
      const first = await store.enqueue(message(key("a"), slack(`C${n}`)), T0);
      expect(first).toMatchObject({ created: true, status: "pending" });
      const again = await store.enqueue(
        message(key("a"), slack(`C${n}`), { payload: { v: 1, replies: [{ kind: "text", text: "other" }] } }),
        at(5),
      );
      expect(again).toEqual({ id: first.id, created: false, status: "pending" });
      const claimed = await store.claim("s1", at(10), 60_000, 100, "slack");
      const mine = claimed.filter((c) => c.dedupeKey === key("a"));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.payload).toEqual({ v: 1, replies: [{ kind: "text", text: key("a") }] });
      expect(mine[0]!.to).toEqual(slack(`C${n}`));
      expect(mine[0]!.attempts).toBe(1);
      for (const c of claimed) await store.settle(c.id, "s1", { status: "sent", messageIds: ["1"] }, at(20));
    });

    it("claims due messages in due order, never before dueAt, never the same message twice", async () => {
      n++;
      await store.enqueue(message(key("late"), slack("CA"), { dueAt: at(5_000) }), T0);
      await store.enqueue(message(key("b"), slack("CA")), T0);
      await store.enqueue(message(key("c"), slack("CB")), T0);
      const first = await store.claim("s1", at(100), 60_000, 1, "slack");
      const second = await store.claim("s2", at(100), 60_000, 10, "slack");
      expect(first.map((c) => c.dedupeKey)).toEqual([key("b")]);
      expect(second.map((c) => c.dedupeKey)).toEqual([key("c")]);
      expect(await store.claim("s3", at(200), 60_000, 10, "slack")).toEqual([]);
      const late = await store.claim("s3", at(5_000), 60_000, 10, "slack");
      expect(late.map((c) => c.dedupeKey)).toEqual([key("late")]);
      for (const [owner, list] of [
        ["s1", first],
        ["s2", second],
        ["s3", late],
      ] as const)
        for (const c of list)
          expect(await store.settle(c.id, owner, { status: "sent", messageIds: [] }, at(6_000))).toBe(true);
    });

    it("claims one platform at a time: a Telegram backlog is not in a Slack claim", async () => {
      n++;
      await store.enqueue(message(key("tg"), { platform: "telegram", chatId: `${n}1` }), T0);
      await store.enqueue(message(key("sl"), slack(`CX${n}`)), at(1));
      const slackOnly = await store.claim("s", at(10), 60_000, 10, "slack");
      expect(slackOnly.map((c) => c.dedupeKey)).toEqual([key("sl")]);
      const telegramOnly = await store.claim("s", at(10), 60_000, 10, "telegram");
      expect(telegramOnly.map((c) => c.dedupeKey)).toEqual([key("tg")]);
      for (const c of [...slackOnly, ...telegramOnly])
        await store.settle(c.id, "s", { status: "sent", messageIds: [] }, at(11));
    });

    it("a lease that runs out (sender died between claim and send) is claimed again; the old holder cannot settle", async () => {
      n++;
      await store.enqueue(message(key("crash"), slack("CC")), T0);
      const [taken] = await store.claim("dead", at(0), 30_000, 10, "slack");
      expect(taken!.dedupeKey).toBe(key("crash"));
      expect(await store.claim("alive", at(29_999), 30_000, 10, "slack")).toEqual([]);
      const [again] = await store.claim("alive", at(30_000), 30_000, 10, "slack");
      expect(again).toMatchObject({ id: taken!.id, attempts: 2 });
      expect(await store.settle(taken!.id, "dead", { status: "sent", messageIds: ["x"] }, at(30_001))).toBe(
        false,
      );
      expect(await store.settle(again!.id, "alive", { status: "sent", messageIds: ["m1"] }, at(30_002))).toBe(
        true,
      );
      expect(await store.message(key("crash"))).toMatchObject({
        status: "sent",
        messageIds: ["m1"],
        attempts: 2,
      });
      // Settled is final: nobody settles it again.
      expect(await store.settle(again!.id, "alive", { status: "failed", error: "x" }, at(30_003))).toBe(
        false,
      );
    });

    it("a retry is due at its dueAt with the pending payload; a deferral gives the attempt back", async () => {
      n++;
      await store.enqueue(message(key("r"), slack("CD")), T0);
      const [c] = await store.claim("s", at(0), 60_000, 10, "slack");
      const rest = { v: 1, replies: [{ kind: "text", text: "rest" }] };
      await store.settle(
        c!.id,
        "s",
        { status: "pending", dueAt: at(9_000), error: "rate_limited", payload: rest, messageIds: ["p1"] },
        at(1),
      );
      expect(await store.claim("s", at(8_999), 60_000, 10, "slack")).toEqual([]);
      const [again] = await store.claim("s", at(9_000), 60_000, 10, "slack");
      expect(again).toMatchObject({ attempts: 2, payload: rest });
      await store.settle(
        again!.id,
        "s",
        { status: "pending", dueAt: at(9_500), attemptsDelta: -1 },
        at(9_001),
      );
      const [third] = await store.claim("s", at(9_500), 60_000, 10, "slack");
      expect(third!.attempts).toBe(2);
      await store.settle(third!.id, "s", { status: "sent", messageIds: ["p2"] }, at(9_600));
      expect(await store.message(key("r"))).toMatchObject({
        status: "sent",
        messageIds: ["p1", "p2"],
        lastError: null,
      });
    });

    it("paused: the chat becomes unreachable, its waiting and new messages pause, contact releases them", async () => {
      n++;
      const chat = slack(`CP${n}`);
      await store.enqueue(message(key("p1"), chat), T0);
      await store.enqueue(message(key("p2"), chat), T0);
      const [c] = await store.claim("s", at(0), 60_000, 1, "slack");
      await store.settle(c!.id, "s", { status: "paused", error: "not_in_channel" }, at(1));
      await store.enqueue(message(key("p3"), chat), at(2));
      expect(await store.chatState("slack", chat.chatId)).toMatchObject({
        unreachableAt: at(1),
        unreachableReason: "not_in_channel",
        paused: 3,
        waiting: 0,
      });
      expect(
        (await store.claim("s", at(10), 60_000, 100, "slack")).filter((m) => m.to.chatId === chat.chatId),
      ).toEqual([]);
      expect(await store.contact("slack", chat.chatId, at(100))).toBe(3);
      expect(await store.chatState("slack", chat.chatId)).toMatchObject({
        unreachableAt: null,
        lastInboundAt: at(100),
        waiting: 3,
      });
      const released = (await store.claim("s", at(100), 60_000, 100, "slack")).filter(
        (m) => m.to.chatId === chat.chatId,
      );
      expect(released.map((m) => m.dedupeKey)).toEqual([key("p1"), key("p2"), key("p3")]);
      for (const m of released) await store.settle(m.id, "s", { status: "sent", messageIds: [] }, at(101));
    });

    it("held until the next contact; an expired one is dropped then", async () => {
      n++;
      const user = wa(`55119${n}`);
      await store.enqueue(message(key("h1"), user, { purpose: "billing" }), T0);
      await store.enqueue(message(key("h2"), user, { expiresAt: at(50) }), T0);
      for (const c of (await store.claim("s", at(0), 60_000, 100, "whatsapp")).filter(
        (m) => m.to.chatId === user.chatId,
      ))
        await store.settle(c.id, "s", { status: "held", error: "outside_window" }, at(1));
      expect(await store.chatState("whatsapp", user.chatId)).toMatchObject({ held: 2, lastInboundAt: null });
      expect(
        (await store.claim("s", at(60), 60_000, 100, "whatsapp")).filter((m) => m.to.chatId === user.chatId),
      ).toEqual([]);
      expect(await store.contact("whatsapp", user.chatId, at(60))).toBe(1);
      expect(await store.message(key("h2"))).toMatchObject({ status: "expired" });
      const [c] = (await store.claim("s", at(60), 60_000, 100, "whatsapp")).filter(
        (m) => m.to.chatId === user.chatId,
      );
      expect(c!.dedupeKey).toBe(key("h1"));
      expect(c!.purpose).toBe("billing");
      await store.settle(c!.id, "s", { status: "sent", messageIds: [] }, at(61));
      // An older contact never moves the window back.
      await store.contact("whatsapp", user.chatId, at(10));
      expect((await store.chatState("whatsapp", user.chatId)).lastInboundAt).toEqual(at(60));
    });

    it("counts by status and prunes finished messages", async () => {
      n++;
      await store.enqueue(message(key("done"), slack("CZ")), T0);
      const [c] = (await store.claim("s", at(0), 60_000, 100, "slack")).filter(
        (m) => m.dedupeKey === key("done"),
      );
      await store.settle(c!.id, "s", { status: "failed", error: "rejected" }, at(1));
      expect((await store.counts()).failed).toBeGreaterThanOrEqual(1);
      expect(await store.message(key("done"))).toMatchObject({ status: "failed", lastError: "rejected" });
      expect(await store.prune(at(2))).toBeGreaterThanOrEqual(1);
      expect(await store.message(key("done"))).toBeNull();
      expect(await store.message("nothing-here")).toBeNull();
    });
  });
}
