/**
 * Per-platform send pacing for the outbox, pure and clock-free (times are arguments), so tests run it on a
 * virtual clock. Each limit is a GCRA cell-rate limiter (the "virtual scheduling" form of a token bucket):
 * one theoretical arrival time per key; a send of `cost` messages may start when `TAT - burstTolerance <=
 * now`, and moves TAT by `cost × interval`. Keys: the chat (`slack:C1`), and a global key per platform.
 *
 * Limits (CHAT-PLATFORMS.md): Slack `chat.postMessage` ~1 message/s per channel; Telegram ~30 messages/s
 * overall, 20/min per group, ~1/s per private chat; WhatsApp one message per `WHATSAPP_MIN_INTERVAL_MS`
 * (6 s) per user (pair rate limit, 131056) and 80 messages/s per number. They hold per process: two
 * instances sending at once can together exceed a global limit, which then answers 429 and the outbox
 * backs off (`penalize`).
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 * @see https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
 * @see https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
 */
import type { ChatAddress } from "../ports/notifier.ts";

/** One limit: `burst` sends at once, then one per `intervalMs`. */
export interface RateRule {
  intervalMs: number;
  burst: number;
}

export interface PacingRules {
  slack: { perChat: RateRule; global?: RateRule };
  telegram: { perPrivateChat: RateRule; perGroup: RateRule; global: RateRule };
  whatsapp: { perChat: RateRule; global: RateRule };
}

/** The platforms' published limits; WhatsApp's per-user interval is configurable (`WHATSAPP_MIN_INTERVAL_MS`). */
export function defaultPacingRules(whatsappMinIntervalMs = 6000): PacingRules {
  return {
    slack: { perChat: { intervalMs: 1000, burst: 1 } },
    telegram: {
      perPrivateChat: { intervalMs: 1000, burst: 1 },
      perGroup: { intervalMs: 3000, burst: 1 },
      // No burst on the global limits: at most 30 (80) in ANY one-second window, not 30 plus a burst.
      global: { intervalMs: 1000 / 30, burst: 1 },
    },
    whatsapp: {
      perChat: { intervalMs: whatsappMinIntervalMs, burst: 1 },
      global: { intervalMs: 1000 / 80, burst: 1 },
    },
  };
}

/**
 * No pacing at all (every interval 0): for tests of other features on a frozen clock, where a paced second
 * message to a chat would wait for a slot that never comes. Never for production.
 */
export function unpacedRules(): PacingRules {
  const none: RateRule = { intervalMs: 0, burst: 1 };
  return {
    slack: { perChat: none },
    telegram: { perPrivateChat: none, perGroup: none, global: none },
    whatsapp: { perChat: none, global: none },
  };
}

/** Telegram groups and channels have negative ids; private chats positive ones. */
function isTelegramGroup(chatId: string): boolean {
  return chatId.startsWith("-");
}

export class Pacing {
  readonly #rules: PacingRules;
  /** Theoretical arrival time per key (ms). */
  readonly #tat = new Map<string, number>();

  constructor(rules: PacingRules = defaultPacingRules()) {
    this.#rules = rules;
  }

  /** The limits that apply to a send to `to`, by key. */
  rulesFor(to: ChatAddress): [string, RateRule][] {
    const chat = `${to.platform}:${to.chatId}`;
    switch (to.platform) {
      case "slack": {
        const r = this.#rules.slack;
        return r.global
          ? [
              [chat, r.perChat],
              ["slack:*", r.global],
            ]
          : [[chat, r.perChat]];
      }
      case "telegram": {
        const r = this.#rules.telegram;
        return [
          [chat, isTelegramGroup(to.chatId) ? r.perGroup : r.perPrivateChat],
          ["telegram:*", r.global],
        ];
      }
      case "whatsapp":
        return [
          [chat, this.#rules.whatsapp.perChat],
          ["whatsapp:*", this.#rules.whatsapp.global],
        ];
    }
  }

  /** The per-chat interval for `to` (ms between two messages to that chat). */
  chatIntervalMs(to: ChatAddress): number {
    return this.rulesFor(to)[0]![1].intervalMs;
  }

  /** The earliest instant (whole ms, ≥ now) a send to `to` may start. */
  earliest(to: ChatAddress, now: number): number {
    let at = now;
    for (const [key, rule] of this.rulesFor(to)) {
      const tat = this.#tat.get(key);
      if (tat === undefined) continue;
      at = Math.max(at, tat - rule.intervalMs * (rule.burst - 1));
    }
    // Whole milliseconds: clocks have no finer resolution (1000/30 ms would never be reached).
    return Math.ceil(at);
  }

  /** Records a send of `cost` platform messages to `to` starting at `now` (call when `earliest` ≤ now). */
  take(to: ChatAddress, now: number, cost = 1): void {
    for (const [key, rule] of this.rulesFor(to)) {
      // A zero interval is no limit: nothing to record (only a `penalize` holds such a chat back), so a
      // clock set back (tests) never waits for the last send's instant.
      if (rule.intervalMs <= 0) continue;
      const tat = Math.max(this.#tat.get(key) ?? now, now);
      this.#tat.set(key, tat + rule.intervalMs * Math.max(1, cost));
    }
    if (this.#tat.size > 10_000) this.#forget(now);
  }

  /** The platform said "slow down" for this chat: nothing goes to it before `until`. */
  penalize(to: ChatAddress, until: number): void {
    const [key, rule] = this.rulesFor(to)[0]!;
    const floor = until + rule.intervalMs * (rule.burst - 1);
    this.#tat.set(key, Math.max(this.#tat.get(key) ?? 0, floor));
  }

  /** Keys whose TAT is in the past carry no state (a fresh key behaves the same). */
  #forget(now: number): void {
    for (const [key, tat] of this.#tat) if (tat <= now) this.#tat.delete(key);
  }
}
