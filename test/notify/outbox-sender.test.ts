import { describe, expect, it } from "vitest";
import type { Reply } from "../../src/core/chat/reply.ts";
import { MemoryOutboxStore } from "../../src/core/outbox/memory-outbox-store.ts";
import { createOutbox, type Outbox } from "../../src/core/outbox/outbox.ts";
import {
  createOutboxSender,
  type OutboxSender,
  type OutboxSenderSettings,
} from "../../src/core/outbox/outbox-sender.ts";
import { encodeReplies } from "../../src/core/outbox/reply-codec.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { ChatAddress } from "../../src/core/ports/notifier.ts";
import type { OutboxStore } from "../../src/core/ports/outbox-store.ts";
import { label, RecordingNotifier } from "./recording-notifier.ts";
import { results, xlsx } from "./replies.ts";
import { VirtualTime } from "./virtual-time.ts";

/** The sender on a virtual clock over the memory store: pacing, retries, pauses, holds, crashes, races. */

const START = "2026-12-01T08:00:00Z";
const text = (t: string): Reply[] => [{ kind: "text", text: t }];
const slack = (chatId: string): ChatAddress => ({ platform: "slack", chatId, teamId: "T1" });
const telegram = (chatId: string): ChatAddress => ({ platform: "telegram", chatId });
const whatsapp = (chatId: string): ChatAddress => ({ platform: "whatsapp", chatId });

interface Rig {
  vt: VirtualTime;
  store: OutboxStore;
  notifier: RecordingNotifier;
  outbox: Outbox;
  sender: OutboxSender;
  unreachable: [ChatAddress, string | undefined][];
  drain(maxMs?: number): Promise<void>;
}

function rig(settings: OutboxSenderSettings = {}, store: OutboxStore = new MemoryOutboxStore()): Rig {
  const vt = new VirtualTime(START);
  const notifier = new RecordingNotifier(vt.clock);
  const unreachable: [ChatAddress, string | undefined][] = [];
  const sender = createOutboxSender(
    {
      store,
      notifier,
      clock: vt.clock,
      logger: silentLogger(),
      sleep: vt.sleep,
      random: () => 0.5,
      onChatUnreachable: (to, detail) => {
        unreachable.push([to, detail]);
      },
    },
    { owner: "sender-a", ...settings },
  );
  const outbox = createOutbox({ store, clock: vt.clock, logger: silentLogger() });
  return {
    vt,
    store,
    notifier,
    outbox,
    sender,
    unreachable,
    /** Runs the sender's own loop on virtual time until nothing is pending or sending (or `maxMs`). */
    async drain(maxMs = 120_000) {
      const start = vt.now();
      sender.start();
      let drained = false;
      await vt.run(
        (async () => {
          while (vt.now() - start <= maxMs) {
            const counts = await store.counts();
            if (!counts.pending && !counts.sending) {
              drained = true;
              return;
            }
            await vt.sleep(100);
          }
        })(),
      );
      await vt.run(sender.stop());
      if (!drained) throw new Error(`outbox not drained: ${JSON.stringify(await store.counts())}`);
    },
  };
}

describe("outbox sender", () => {
  it("a retried enqueue (same key) is delivered once", async () => {
    const r = rig();
    for (let i = 0; i < 3; i++)
      await r.outbox.enqueue({
        key: "billing:evt_1",
        to: slack("C1"),
        replies: text("Plano ativo"),
        purpose: "billing",
      });
    await r.drain();
    expect(r.notifier.sends.map(label)).toEqual(["Plano ativo"]);
    expect(r.notifier.sends[0]!.options).toEqual({ purpose: "billing" });
    expect(await r.outbox.message("billing:evt_1")).toMatchObject({ status: "sent", messageIds: ["m1"] });
  });

  it("paces per platform on a virtual clock: Slack 1/s per channel, Telegram 30/s overall and 20/min per group, WhatsApp 6 s per user", async () => {
    const r = rig();
    for (let i = 0; i < 5; i++) {
      await r.outbox.enqueue({
        key: `s1-${i}`,
        to: slack("C1"),
        replies: text(`C1 #${i}`),
        purpose: "alert",
      });
      await r.outbox.enqueue({
        key: `s2-${i}`,
        to: slack("C2"),
        replies: text(`C2 #${i}`),
        purpose: "alert",
      });
      await r.outbox.enqueue({
        key: `g-${i}`,
        to: telegram("-100777"),
        replies: text(`G #${i}`),
        purpose: "alert",
      });
      await r.outbox.enqueue({
        key: `w-${i}`,
        to: whatsapp("5511"),
        replies: text(`W #${i}`),
        purpose: "alert",
      });
    }
    for (let i = 0; i < 90; i++)
      await r.outbox.enqueue({
        key: `t-${i}`,
        to: telegram(String(1000 + i)),
        replies: text(`T #${i}`),
        purpose: "digest",
      });
    await r.drain();
    const sends = r.notifier.sends;
    expect(sends).toHaveLength(110);
    const times = (chatId: string) => sends.filter((s) => s.to.chatId === chatId).map((s) => s.at);
    const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]!);
    // In enqueue order per chat, at the chat's pace.
    for (const chat of ["C1", "C2"]) {
      expect(sends.filter((s) => s.to.chatId === chat).map(label)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `${chat} #${i}`),
      );
      for (const gap of gaps(times(chat))) expect(gap).toBeGreaterThanOrEqual(1000);
    }
    for (const gap of gaps(times("-100777"))) expect(gap).toBeGreaterThanOrEqual(3000);
    for (const gap of gaps(times("5511"))) expect(gap).toBeGreaterThanOrEqual(6000);
    // Telegram overall: never more than 30 in any one-second window.
    const tg = sends
      .filter((s) => s.to.platform === "telegram")
      .map((s) => s.at)
      .sort((a, b) => a - b);
    for (let i = 30; i < tg.length; i++) expect(tg[i]! - tg[i - 30]!).toBeGreaterThanOrEqual(1000);
    // …and not much slower: the 90 private chats (+ 5 group messages) at 30/s is 3.2 s; pacing deferrals
    // (a slot over 2 s away goes back to the store and is claimed again when due) add a little.
    const privateDone = Math.max(...sends.filter((s) => s.to.chatId.startsWith("10")).map((s) => s.at));
    expect(privateDone - new Date(START).getTime()).toBeLessThan(5000);
  });

  it("results + file count as two messages in the chat's pace", async () => {
    const r = rig();
    await r.outbox.enqueue({ key: "d1", to: slack("C9"), replies: [results(), xlsx()], purpose: "digest" });
    await r.outbox.enqueue({ key: "d2", to: slack("C9"), replies: text("depois"), purpose: "alert" });
    await r.drain();
    const [first, second] = r.notifier.sends;
    expect(first!.replies[1]).toMatchObject({ kind: "file", data: xlsx().data });
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2000);
  });

  it("rate_limited waits the platform's retry-after (without using an attempt); transient backs off and gives up", async () => {
    const r = rig({ retry: { maxAttempts: 3, baseMs: 1000, maxMs: 60_000 } });
    r.notifier.script("C1", { ok: false, reason: "rate_limited", retryAfterMs: 7000 });
    r.notifier.script(
      "C2",
      { ok: false, reason: "transient" },
      { ok: false, reason: "transient" },
      { ok: false, reason: "transient" },
    );
    await r.outbox.enqueue({ key: "rl", to: slack("C1"), replies: text("rl"), purpose: "alert" });
    await r.outbox.enqueue({ key: "tr", to: slack("C2"), replies: text("tr"), purpose: "alert" });
    await r.drain();
    const rl = r.notifier.sends.filter((s) => s.to.chatId === "C1");
    expect(rl).toHaveLength(2);
    expect(rl[1]!.at - rl[0]!.at).toBeGreaterThanOrEqual(7000);
    expect(await r.outbox.message("rl")).toMatchObject({ status: "sent", attempts: 1 });
    const tr = r.notifier.sends.filter((s) => s.to.chatId === "C2");
    expect(tr).toHaveLength(3);
    // 1 s then 2 s (±20 % jitter; random fixed at 0.5 → exactly).
    expect(tr[1]!.at - tr[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(tr[2]!.at - tr[1]!.at).toBeGreaterThanOrEqual(2000);
    expect(await r.outbox.message("tr")).toMatchObject({
      status: "failed",
      lastError: "transient (gave up)",
    });
  });

  it("chat_unreachable pauses the chat (alerts are told) until it writes again; then everything goes, in order", async () => {
    const r = rig();
    r.notifier.script("1001", {
      ok: false,
      reason: "chat_unreachable",
      detail: "403 Forbidden: bot was blocked by the user",
    });
    await r.outbox.enqueue({ key: "a1", to: telegram("1001"), replies: text("a1"), purpose: "alert" });
    await r.outbox.enqueue({ key: "a2", to: telegram("1001"), replies: text("a2"), purpose: "alert" });
    await r.drain();
    expect(r.notifier.sends.map(label)).toEqual(["a1"]);
    expect(r.unreachable).toEqual([[telegram("1001"), "403 Forbidden: bot was blocked by the user"]]);
    expect(await r.outbox.isUnreachable(telegram("1001"))).toBe(true);
    await r.outbox.enqueue({ key: "a3", to: telegram("1001"), replies: text("a3"), purpose: "alert" });
    await r.vt.advance(3_600_000);
    await r.drain();
    expect(r.notifier.sends).toHaveLength(1);
    expect(await r.outbox.chatState(telegram("1001"))).toMatchObject({ paused: 3 });
    expect(
      await r.outbox.contact({ platform: "telegram", chatId: "1001", receivedAt: r.vt.clock.now() }),
    ).toBe(3);
    await r.drain();
    expect(r.notifier.sends.map(label)).toEqual(["a1", "a1", "a2", "a3"]);
    expect(await r.outbox.isUnreachable(telegram("1001"))).toBe(false);
  });

  it("outside_window holds until the next contact; a partial delivery keeps only the pending replies", async () => {
    const r = rig();
    const file = xlsx();
    r.notifier.script("5511", {
      ok: false,
      reason: "outside_window",
      detail: "template_sent_files_held",
      pending: [file],
      messageIds: ["wamid.template"],
    });
    await r.outbox.enqueue({
      key: "dg",
      to: whatsapp("5511"),
      replies: [results(), file],
      purpose: "digest",
    });
    await r.drain();
    expect(await r.outbox.chatState(whatsapp("5511"))).toMatchObject({ held: 1 });
    await r.vt.advance(6 * 3_600_000);
    await r.drain();
    expect(r.notifier.sends).toHaveLength(1);
    // A command arrives (the chat core's hook): the held file goes out alone.
    const wroteAt = r.vt.clock.now();
    await r.outbox.contact({ platform: "whatsapp", chatId: "5511", receivedAt: wroteAt });
    await r.drain();
    expect(r.notifier.sends).toHaveLength(2);
    expect(r.notifier.sends[1]!.replies).toEqual([file]);
    expect(await r.outbox.message("dg")).toMatchObject({
      status: "sent",
      messageIds: ["wamid.template", "m1"],
    });
    expect((await r.outbox.chatState(whatsapp("5511"))).lastInboundAt).toEqual(wroteAt);
  });

  it("a crash between claim and send: the message is sent after the lease ends, once", async () => {
    const r = rig({ leaseMs: 30_000 });
    await r.outbox.enqueue({ key: "crash", to: slack("C1"), replies: text("sobrevivi"), purpose: "billing" });
    // Another instance claimed it and died before sending.
    const [claimed] = await r.store.claim("dead-instance", r.vt.clock.now(), 30_000, 10, "slack");
    expect(claimed!.dedupeKey).toBe("crash");
    await r.vt.run(r.sender.runOnce());
    expect(r.notifier.sends).toHaveLength(0);
    await r.vt.advance(30_000);
    await r.drain();
    expect(r.notifier.sends.map(label)).toEqual(["sobrevivi"]);
    expect(
      await r.store.settle(
        claimed!.id,
        "dead-instance",
        { status: "failed", error: "late" },
        r.vt.clock.now(),
      ),
    ).toBe(false);
    expect(await r.outbox.message("crash")).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("two senders racing on one store send every message exactly once", async () => {
    const r = rig({ batchSize: 7 });
    const other = createOutboxSender(
      { store: r.store, notifier: r.notifier, clock: r.vt.clock, logger: silentLogger(), sleep: r.vt.sleep },
      { owner: "sender-b", batchSize: 5 },
    );
    for (let i = 0; i < 60; i++)
      await r.outbox.enqueue({
        key: `k${i}`,
        to: telegram(String(5000 + i)),
        replies: text(`k${i}`),
        purpose: "digest",
      });
    for (let round = 0; round < 40; round++) {
      await r.vt.run(Promise.all([r.sender.runOnce(), other.runOnce()]));
      if (!(await r.store.counts()).pending) break;
      await r.vt.advance(100);
    }
    const labels = r.notifier.sends.map(label).sort();
    expect(labels).toEqual(Array.from({ length: 60 }, (_, i) => `k${i}`).sort());
  });

  it("an undecodable payload fails instead of looping; a too-large file is refused at enqueue", async () => {
    const r = rig();
    await r.store.enqueue(
      { dedupeKey: "bad", to: slack("C1"), purpose: "alert", payload: { v: 99 } },
      r.vt.clock.now(),
    );
    await r.drain();
    expect(await r.outbox.message("bad")).toMatchObject({
      status: "failed",
      lastError: "undecodable_payload",
    });
    expect(r.notifier.sends).toHaveLength(0);
    await expect(
      r.outbox.enqueue({ key: "big", to: slack("C1"), replies: [xlsx(11 * 1024 * 1024)], purpose: "digest" }),
    ).rejects.toThrow(/bound/);
    expect(encodeReplies(text("ok")).v).toBe(1);
  });

  it("a message due later is not sent before its time (a digest's hour)", async () => {
    const r = rig();
    const at = new Date(new Date(START).getTime() + 3_600_000);
    await r.outbox.enqueue({
      key: "dig",
      to: slack("C1"),
      replies: text("resumo"),
      purpose: "digest",
      notBefore: at,
    });
    await r.drain(10_000).catch(() => {});
    expect(r.notifier.sends).toHaveLength(0);
    await r.vt.advance(3_600_000);
    await r.drain();
    expect(r.notifier.sends[0]!.at).toBeGreaterThanOrEqual(at.getTime());
  });

  it("start/stop: the loop delivers on kick and stops cleanly", async () => {
    const store = new MemoryOutboxStore();
    const vtNotifier = new RecordingNotifier({ now: () => new Date() });
    const sender = createOutboxSender(
      { store, notifier: vtNotifier, clock: { now: () => new Date() }, logger: silentLogger() },
      { pollMs: 10_000 },
    );
    const outbox = createOutbox({
      store,
      clock: { now: () => new Date() },
      logger: silentLogger(),
      wake: () => sender.kick(),
    });
    sender.start();
    await outbox.enqueue({ key: "live", to: slack("C1"), replies: text("agora"), purpose: "alert" });
    for (let i = 0; i < 200 && vtNotifier.sends.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await sender.stop();
    expect(vtNotifier.sends.map(label)).toEqual(["agora"]);
  });
});
