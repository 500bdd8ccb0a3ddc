import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultPacingRules, Pacing } from "../../src/core/outbox/pacing.ts";
import type { ChatAddress } from "../../src/core/ports/notifier.ts";

/** Sends each message as early as the pacing allows, in order; returns the start times. */
function schedule(pacing: Pacing, sends: { to: ChatAddress; cost: number }[]): number[] {
  let t = 0;
  return sends.map(({ to, cost }) => {
    t = Math.max(t, pacing.earliest(to, t));
    pacing.take(to, t, cost);
    return t;
  });
}

const chat = fc.oneof(
  fc.integer({ min: 1, max: 6 }).map((n): ChatAddress => ({ platform: "telegram", chatId: String(n) })),
  fc.integer({ min: 1, max: 3 }).map((n): ChatAddress => ({ platform: "telegram", chatId: `-100${n}` })),
  fc.integer({ min: 1, max: 3 }).map((n): ChatAddress => ({ platform: "slack", chatId: `C${n}` })),
  fc.integer({ min: 1, max: 3 }).map((n): ChatAddress => ({ platform: "whatsapp", chatId: `55${n}` })),
);

describe("pacing", () => {
  it("any sequence of sends respects every platform's limits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ to: chat, cost: fc.integer({ min: 1, max: 3 }) }), { maxLength: 200 }),
        (sends) => {
          const times = schedule(new Pacing(), sends);
          const by = (pred: (to: ChatAddress) => boolean) =>
            sends.flatMap((s, i) => (pred(s.to) ? [{ at: times[i]!, cost: s.cost }] : []));
          for (const s of new Set(sends.map((x) => `${x.to.platform}:${x.to.chatId}`))) {
            const [platform, chatId] = s.split(":") as [ChatAddress["platform"], string];
            const list = by((to) => to.platform === platform && to.chatId === chatId);
            const interval =
              platform === "slack"
                ? 1000
                : platform === "whatsapp"
                  ? 6000
                  : chatId.startsWith("-")
                    ? 3000
                    : 1000;
            for (let i = 1; i < list.length; i++)
              expect(list[i]!.at - list[i - 1]!.at).toBeGreaterThanOrEqual(interval * list[i - 1]!.cost);
          }
          // Telegram overall: message starts at least 1000/30 ms × cost apart (≤ 30 per second).
          const tg = by((to) => to.platform === "telegram");
          for (let i = 1; i < tg.length; i++)
            expect(tg[i]!.at - tg[i - 1]!.at).toBeGreaterThanOrEqual(
              Math.floor((1000 / 30) * tg[i - 1]!.cost),
            );
        },
      ),
    );
  });

  it("a Telegram group gets at most 20 messages a minute; 30 private chats fit in one second", () => {
    const pacing = new Pacing();
    const group = schedule(
      pacing,
      Array.from({ length: 40 }, () => ({
        to: { platform: "telegram", chatId: "-1001" } as ChatAddress,
        cost: 1,
      })),
    );
    expect(group.filter((t) => t < 60_000)).toHaveLength(20);
    const fresh = new Pacing();
    const privates = schedule(
      fresh,
      Array.from({ length: 30 }, (_, i) => ({
        to: { platform: "telegram", chatId: String(i + 1) } as ChatAddress,
        cost: 1,
      })),
    );
    expect(Math.max(...privates)).toBeLessThan(1000);
  });

  it("penalize holds a chat back until the platform's retry-after", () => {
    const pacing = new Pacing(defaultPacingRules(6000));
    const to: ChatAddress = { platform: "slack", chatId: "C1" };
    pacing.take(to, 0);
    pacing.penalize(to, 30_000);
    expect(pacing.earliest(to, 1000)).toBe(30_000);
    expect(pacing.earliest({ platform: "slack", chatId: "C2" }, 1000)).toBe(1000);
  });
});
