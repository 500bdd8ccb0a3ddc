import { afterEach, describe, expect, it } from "vitest";
import type { Reply } from "../chat/reply.ts";
import { FixedClock } from "../ports/clock.ts";
import { silentLogger } from "../ports/logger.ts";
import type { ChatAddress, Notifier, NotifyOutcome } from "../ports/notifier.ts";
import { MemoryOutboxStore } from "./memory-outbox-store.ts";
import { createOutbox, type Outbox } from "./outbox.ts";
import { createOutboxSender, type OutboxSender } from "./outbox-sender.ts";
import { Pacing, unpacedRules } from "./pacing.ts";

/** `OutboxSender.idle()`: everything due is sent, the running loop's sends are awaited, nothing spins. */

const text = (t: string): Reply[] => [{ kind: "text", text: t }];
const whatsapp = (chatId: string): ChatAddress => ({ platform: "whatsapp", chatId });

/** Records what it sends; `gate` (when set) holds every send until it resolves. */
class GatedNotifier implements Notifier {
  readonly sent: string[] = [];
  gate: Promise<void> | null = null;
  onSend: ((text: string) => Promise<void>) | null = null;
  async notify(to: ChatAddress, replies: Reply[]): Promise<NotifyOutcome> {
    await this.gate;
    const t = replies.map((r) => ("text" in r ? r.text : "")).join("");
    this.sent.push(`${to.chatId}:${t}`);
    await this.onSend?.(t);
    return { ok: true, messageIds: [`m${this.sent.length}`] };
  }
}

/** Counts claims (one per platform per round). */
class CountingStore extends MemoryOutboxStore {
  claims = 0;
  override claim(...args: Parameters<MemoryOutboxStore["claim"]>) {
    this.claims++;
    return super.claim(...args);
  }
}

const senders: OutboxSender[] = [];
afterEach(async () => {
  for (const sender of senders.splice(0)) await sender.stop();
});

function rig(pacing?: Pacing) {
  const clock = new FixedClock("2026-12-01T10:00:00Z");
  const store = new CountingStore();
  const notifier = new GatedNotifier();
  let sender: OutboxSender | null = null;
  const outbox: Outbox = createOutbox({ store, clock, logger: silentLogger(), wake: () => sender?.kick() });
  sender = createOutboxSender(
    { store, notifier, clock, logger: silentLogger(), ...(pacing ? { pacing } : {}) },
    { owner: "idle-test", pollMs: 60_000 },
  );
  senders.push(sender);
  return { clock, store, notifier, outbox, sender, claims: () => store.claims };
}

describe("OutboxSender.idle", () => {
  it("sends everything due, and resolves only once the running loop's sends in flight settle", async () => {
    const { notifier, outbox, sender } = rig(new Pacing(unpacedRules()));
    let open!: () => void;
    notifier.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    sender.start();
    await outbox.enqueue({ key: "a", to: whatsapp("1"), replies: text("a"), purpose: "billing" });
    // The loop (kicked by the enqueue) claims it and is now blocked in notify.
    await expect.poll(async () => (await outbox.message("a"))?.status).toBe("sending");
    // idle()'s own round claims nothing: it must still wait for the loop's send.
    let done = false;
    const idle = sender.idle().then(() => {
      done = true;
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(done).toBe(false);
    } finally {
      open();
    }
    await idle;
    expect(notifier.sent).toEqual(["1:a"]);
    // A second message to that chat and one to another: both due, both sent before idle() resolves.
    await outbox.enqueue({ key: "b", to: whatsapp("1"), replies: text("b"), purpose: "billing" });
    await outbox.enqueue({ key: "c", to: whatsapp("2"), replies: text("c"), purpose: "billing" });
    await sender.idle();
    expect([...notifier.sent].sort()).toEqual(["1:a", "1:b", "2:c"]);
    for (const key of ["a", "b", "c"]) expect((await outbox.message(key))?.status).toBe("sent");
  });

  it("under a frozen clock, leaves a message deferred to its pacing slot pending without looping", async () => {
    const { clock, notifier, outbox, sender, claims } = rig(new Pacing());
    await outbox.enqueue({ key: "first", to: whatsapp("9"), replies: text("1"), purpose: "alert" });
    await outbox.enqueue({ key: "second", to: whatsapp("9"), replies: text("2"), purpose: "alert" });
    const started = Date.now();
    await sender.idle();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(notifier.sent).toEqual(["9:1"]);
    // WhatsApp's 6 s per user: not due under this clock, so idle() did not wait for it.
    const second = await outbox.message("second");
    expect(second).toMatchObject({ status: "pending" });
    expect(second!.dueAt.getTime()).toBe(clock.now().getTime() + 6000);
    const after = claims();
    await sender.idle();
    expect(claims() - after).toBe(3); // one round: one claim per platform, nothing due
    clock.advance(6000);
    await sender.idle();
    expect(notifier.sent).toEqual(["9:1", "9:2"]);
  });

  it("gives up after maxRounds when every send queues another message", async () => {
    const { notifier, outbox, sender } = rig(new Pacing(unpacedRules()));
    let next = 0;
    notifier.onSend = async () => {
      next++;
      await outbox.enqueue({
        key: `k${next}`,
        to: whatsapp("5"),
        replies: text(`${next}`),
        purpose: "alert",
      });
    };
    await outbox.enqueue({ key: "k0", to: whatsapp("5"), replies: text("0"), purpose: "alert" });
    await sender.idle(5);
    expect(notifier.sent).toHaveLength(5);
    expect((await outbox.message("k5"))?.status).toBe("pending");
  });
});
