/**
 * The outbox sender: claims due messages (leased, so instances never send the same one), sends each
 * through the `Notifier` at each platform's pace (`pacing.ts`), and settles it by outcome:
 * sent · `rate_limited` → retried after the platform's wait (and that chat is held back meanwhile) ·
 * `transient` → exponential backoff, failed after `maxAttempts` · `chat_unreachable` → paused, the chat is
 * marked unreachable (`onChatUnreachable`, so alerts pause it) until the next contact · `outside_window` →
 * held until the next contact · `rejected` / `unsupported` → failed. After a partial delivery only the
 * replies still pending are kept.
 *
 * At-least-once: a crash between claim and settle leaves the message leased; when the lease ends it is
 * due again and re-sent (possibly twice if the crash came after the platform accepted it — never lost).
 * Messages to one chat go out one at a time, in enqueue order; different chats in parallel.
 */
import { hostname } from "node:os";
import type { Reply } from "../chat/reply.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { ChatAddress, Notifier, NotifyOutcome } from "../ports/notifier.ts";
import type { ClaimedMessage, OutboxStore, Settlement } from "../ports/outbox-store.ts";
import { Pacing } from "./pacing.ts";
import { decodeReplies, encodeReplies } from "./reply-codec.ts";
import {
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  rateLimitDelayMs,
  transientDelayMs,
} from "./retry-policy.ts";

export interface OutboxSenderDeps {
  store: OutboxStore;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  /** Waits for pacing (default setTimeout); tests pass a virtual clock's. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  pacing?: Pacing;
  /** A chat turned out unreachable (blocked, bot removed): the alerts pause it. Errors are logged. */
  onChatUnreachable?: (to: ChatAddress, detail: string | undefined) => void | Promise<void>;
  /** Every settled attempt, for metrics and tests. */
  onSettled?: (message: ClaimedMessage, outcome: NotifyOutcome | null, settlement: Settlement) => void;
}

export interface OutboxSenderSettings {
  /** This instance's name in leases (default host:pid:random). */
  owner?: string;
  /** Lease per claim (default 120 s). */
  leaseMs?: number;
  /** Messages per claim, per platform (default 100). */
  batchSize?: number;
  /** Chats served at once, per platform (default 16). */
  concurrency?: number;
  /** Sleep between empty claims (default 1 s); `kick()` wakes it earlier. */
  pollMs?: number;
  /** A message whose pacing slot is further away than this goes back to the store for then (default 2 s). */
  maxPacingWaitMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Finished messages are pruned after this long (default 30 days), checked hourly. */
  keepFinishedMs?: number;
  /** Platforms this sender delivers (default all three); claims are per platform. */
  platforms?: readonly ChatAddress["platform"][];
}

export interface OutboxSender {
  /** Starts the loop (idempotent). */
  start(): void;
  /** Stops claiming and waits for the sends in flight to settle. */
  stop(): Promise<void>;
  /** Wakes the loop now (a message was enqueued or released). */
  kick(): void;
  /** One claim-and-send round; resolves with the number of messages claimed. */
  runOnce(): Promise<number>;
  /**
   * Resolves once nothing due is left to send here: claim rounds (`runOnce`) until one claims nothing and
   * no chat chain is in flight (the running loop's included). Messages due later (a pacing slot, a retry's
   * backoff) or held are not waited for. At most `maxRounds` rounds (default 100), so it cannot spin.
   */
  idle(maxRounds?: number): Promise<void>;
  readonly owner: string;
}

const chatKey = (to: ChatAddress) => `${to.platform}:${to.chatId}`;

export function createOutboxSender(
  deps: OutboxSenderDeps,
  settings: OutboxSenderSettings = {},
): OutboxSender {
  const { store, notifier, clock } = deps;
  const logger = deps.logger.child({ component: "outbox" });
  const owner = settings.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const leaseMs = settings.leaseMs ?? 120_000;
  const batchSize = settings.batchSize ?? 100;
  const concurrency = Math.max(1, settings.concurrency ?? 16);
  const pollMs = settings.pollMs ?? 1000;
  const maxPacingWaitMs = settings.maxPacingWaitMs ?? 2000;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...settings.retry };
  const keepFinishedMs = settings.keepFinishedMs ?? 30 * 24 * 3_600_000;
  const platforms = settings.platforms ?? (["slack", "telegram", "whatsapp"] as const);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const pacing = deps.pacing ?? new Pacing();
  const now = () => clock.now().getTime();
  /** Send slots per platform (its own budget of concurrent notify calls). */
  const slotsByPlatform = new Map<ChatAddress["platform"], ReturnType<typeof semaphore>>();
  const slotsFor = (platform: ChatAddress["platform"]) => {
    let slots = slotsByPlatform.get(platform);
    if (!slots) {
      slots = semaphore(concurrency);
      slotsByPlatform.set(platform, slots);
    }
    return slots;
  };
  /** Claimed by this process and not settled yet (a re-claim after a lapsed lease must not send twice here). */
  const inFlight = new Set<string>();

  function settlementFor(message: ClaimedMessage, outcome: NotifyOutcome, at: number): Settlement {
    if (outcome.ok) return { status: "sent", messageIds: outcome.messageIds };
    const rest = outcome.pending ? { payload: encodeReplies(outcome.pending) } : {};
    const ids = outcome.messageIds?.length ? { messageIds: outcome.messageIds } : {};
    const error = outcome.detail ? `${outcome.reason}: ${outcome.detail}` : outcome.reason;
    switch (outcome.reason) {
      case "rate_limited": {
        const dueAt = at + rateLimitDelayMs(outcome.retryAfterMs, random);
        pacing.penalize(message.to, dueAt);
        // Being told to wait is not the message's fault: it does not use up an attempt.
        return { status: "pending", dueAt: new Date(dueAt), error, attemptsDelta: -1, ...rest, ...ids };
      }
      case "transient":
        if (message.attempts >= retry.maxAttempts)
          return { status: "failed", error: `${error} (gave up)`, ...ids };
        return {
          status: "pending",
          dueAt: new Date(at + transientDelayMs(retry, message.attempts, random)),
          error,
          ...rest,
          ...ids,
        };
      case "chat_unreachable":
        return { status: "paused", error, ...rest, ...ids };
      case "outside_window":
        return { status: "held", error, ...rest, ...ids };
      case "rejected":
      case "unsupported":
        return { status: "failed", error, ...ids };
    }
  }

  async function settle(message: ClaimedMessage, outcome: NotifyOutcome | null, settlement: Settlement) {
    const at = clock.now();
    let held = false;
    try {
      held = await store.settle(message.id, owner, settlement, at);
    } catch (error) {
      // The lease will run out and the message be sent again: at-least-once.
      logger.error({ err: error, id: message.id }, "outbox_settle_failed");
      return;
    }
    if (!held) logger.warn({ id: message.id, key: message.dedupeKey }, "outbox_lease_lost");
    deps.onSettled?.(message, outcome, settlement);
    const fields = {
      id: message.id,
      key: message.dedupeKey,
      platform: message.to.platform,
      purpose: message.purpose,
      attempts: message.attempts,
      status: settlement.status,
      ...("error" in settlement && settlement.error ? { error: settlement.error } : {}),
    };
    if (settlement.status === "sent") logger.info(fields, "outbox_sent");
    else if (settlement.status === "failed") logger.error(fields, "outbox_failed");
    else logger.info(fields, `outbox_${settlement.status === "pending" ? "retry" : settlement.status}`);
    // Told once, by the refusal itself (not again for each message queued behind it).
    if (settlement.status === "paused" && outcome !== null && deps.onChatUnreachable) {
      const detail = outcome && !outcome.ok ? outcome.detail : undefined;
      await Promise.resolve(deps.onChatUnreachable(message.to, detail)).catch((error: unknown) =>
        logger.error({ err: error }, "outbox_on_unreachable_failed"),
      );
    }
  }

  /**
   * Sends one message. `deferredTo`: the instant it went back to the store for (its pacing slot was too far
   * away); `paused`: the chat is unreachable (the error), so the rest of its queue is not sent.
   */
  async function deliver(
    message: ClaimedMessage,
    claimedAt: number,
  ): Promise<{ deferredTo: number | null; paused: string | null }> {
    const done = { deferredTo: null, paused: null };
    const replies: Reply[] | null = decodeReplies(message.payload);
    if (!replies) {
      await settle(message, null, { status: "failed", error: "undecodable_payload" });
      return done;
    }
    if (message.attempts > retry.maxAttempts) {
      await settle(message, null, { status: "failed", error: "too_many_attempts" });
      return done;
    }
    const cost = costOf(replies);
    const slots = slotsFor(message.to.platform);
    const t = now();
    const slot = pacing.earliest(message.to, t);
    if (slot - t > maxPacingWaitMs) {
      // Back to the store for its slot; the claim was not an attempt.
      await defer(message, slot);
      return { deferredTo: slot, paused: null };
    }
    // The slot is reserved now, so waiters sleep once each (no herd re-checking a shared global limit).
    pacing.take(message.to, slot, cost);
    if (slot > t) {
      await sleep(slot - t);
      // A clock that did not move while we slept (a frozen test clock): the store keeps it for its slot.
      if (now() <= t) {
        await defer(message, slot);
        return { deferredTo: slot, paused: null };
      }
    }
    // At most `concurrency` notify calls at once per platform; a send slot is never held while pacing.
    await slots.acquire();
    try {
      return await send(message, replies, claimedAt);
    } finally {
      slots.release();
    }
  }

  async function send(
    message: ClaimedMessage,
    replies: Reply[],
    claimedAt: number,
  ): Promise<{ deferredTo: number | null; paused: string | null }> {
    const done = { deferredTo: null, paused: null };
    // Too close to the lease's end (slow sends before it in this chat): give it back rather than race a re-claim.
    if (now() - claimedAt > leaseMs * 0.8) {
      await defer(message, now());
      return done;
    }
    const outcome = await notifier
      .notify(message.to, replies, { purpose: message.purpose })
      .catch((error: unknown): NotifyOutcome => {
        logger.error({ err: error, id: message.id }, "outbox_notifier_threw");
        return { ok: false, reason: "transient", detail: "notifier_threw" };
      });
    const settlement = settlementFor(message, outcome, now());
    await settle(message, outcome, settlement);
    return { deferredTo: null, paused: settlement.status === "paused" ? settlement.error : null };
  }

  /** Per platform, the soonest instant a message was deferred to (the loop claims again then). */
  const soonestDeferral = new Map<ChatAddress["platform"], number>();

  function defer(message: ClaimedMessage, at: number): Promise<void> {
    const platform = message.to.platform;
    const current = soonestDeferral.get(platform);
    if (current === undefined || current <= now() || at < current) soonestDeferral.set(platform, at);
    return settle(message, null, { status: "pending", dueAt: new Date(at), attemptsDelta: -1 });
  }

  /** Platform messages a send costs in pacing (results + file = 2). */
  function costOf(replies: Reply[] | null): number {
    return Math.max(1, (replies ?? []).filter((r) => r.kind !== "progress").length);
  }

  /**
   * Per chat: the chain its messages run on (one at a time, in claim order, across claims), and what the
   * chain learned — a deferral spreads the next messages after it at the chat's rate (in order, not all
   * back at one instant); a pause means the rest is paused without knocking again.
   */
  interface ChatChain {
    tail: Promise<void>;
    deferredTo: number | null;
    paused: string | null;
    queued: number;
  }
  const chains = new Map<string, ChatChain>();

  async function processInChain(message: ClaimedMessage, claimedAt: number, chain: ChatChain): Promise<void> {
    if (chain.paused !== null) {
      await settle(message, null, { status: "paused", error: chain.paused });
      return;
    }
    if (chain.deferredTo !== null) {
      chain.deferredTo += pacing.chatIntervalMs(message.to) * costOf(decodeReplies(message.payload));
      await defer(message, chain.deferredTo);
      return;
    }
    const result = await deliver(message, claimedAt);
    if (result.paused) chain.paused = result.paused;
    if (result.deferredTo !== null) {
      chain.deferredTo =
        result.deferredTo + pacing.chatIntervalMs(message.to) * (costOf(decodeReplies(message.payload)) - 1);
    }
  }

  /** Queues a claimed message on its chat's chain; resolves once it is settled. */
  function dispatch(message: ClaimedMessage, claimedAt: number): Promise<void> {
    if (inFlight.has(message.id)) return Promise.resolve();
    inFlight.add(message.id);
    const key = chatKey(message.to);
    let chain = chains.get(key);
    if (!chain) {
      chain = { tail: Promise.resolve(), deferredTo: null, paused: null, queued: 0 };
      chains.set(key, chain);
    }
    const own = chain;
    own.queued++;
    const run = own.tail
      .then(() => processInChain(message, claimedAt, own))
      .catch((error: unknown) => logger.error({ err: error, id: message.id }, "outbox_deliver_failed"))
      .finally(() => {
        inFlight.delete(message.id);
        if (--own.queued === 0 && chains.get(key) === own) chains.delete(key);
      });
    own.tail = run;
    return run;
  }

  /** Claims not yet dispatched onto their chains (`idle()` waits for them too). */
  const claiming = new Set<Promise<unknown>>();

  async function claim(platform: ChatAddress["platform"], limit: number): Promise<Promise<void>[]> {
    const claimedAt = now();
    const pending = store.claim(owner, clock.now(), leaseMs, limit, platform);
    claiming.add(pending);
    try {
      const claimed = await pending;
      return claimed.map((message) => dispatch(message, claimedAt));
    } finally {
      claiming.delete(pending);
    }
  }

  /** One round: each platform claims and sends on its own, so one platform's backlog never delays another. */
  async function runOnce(): Promise<number> {
    const rounds = await Promise.all(platforms.map((platform) => claim(platform, batchSize)));
    await Promise.all(rounds.flat());
    return rounds.reduce((sum, round) => sum + round.length, 0);
  }

  async function idle(maxRounds = 100): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      let claimed: number;
      try {
        claimed = await runOnce();
      } catch (error) {
        logger.warn({ err: error }, "outbox_idle_claim_failed");
        return;
      }
      const busy = [...claiming, ...[...chains.values()].map((chain) => chain.tail)];
      if (claimed === 0 && busy.length === 0) return;
      await Promise.allSettled(busy);
    }
    logger.warn({ rounds: maxRounds }, "outbox_idle_gave_up");
  }

  let loops: Promise<void>[] | null = null;
  let stopping = false;
  /** Bumped by kick(): a loop that saw another value since its last claim claims again at once. */
  let kicks = 0;
  const sleepers = new Set<() => void>();

  /** Waits `ms` (the injected sleep when there is one: virtual clocks), or until kick() / stop(). */
  function idleWait(ms: number, seen: number): Promise<void> {
    if (kicks !== seen || stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      sleepers.add(done);
      if (deps.sleep) void deps.sleep(ms).then(done);
      else {
        timer = setTimeout(done, ms);
        timer.unref?.();
      }
    });
  }

  /**
   * One platform's loop, pipelined: up to `batchSize` messages in flight (sending, or waiting for their
   * pacing slot); it claims more as they settle instead of waiting for a whole round.
   */
  async function platformLoop(platform: ChatAddress["platform"]): Promise<void> {
    const running = new Set<Promise<void>>();
    while (!stopping) {
      if (running.size >= batchSize / 2) {
        await Promise.race(running);
        continue;
      }
      const seen = kicks;
      let claimed: Promise<void>[] = [];
      try {
        claimed = await claim(platform, batchSize - running.size);
      } catch (error) {
        logger.error({ err: error, platform }, "outbox_claim_failed");
      }
      for (const done of claimed) {
        running.add(done);
        void done.finally(() => running.delete(done));
      }
      // Nothing due: wait for the poll, a kick, or the sends in flight to be done (one claim per wave of
      // paced sends, not one per send).
      if (claimed.length === 0) {
        const wave = running.size > 0 ? [Promise.all([...running])] : [];
        // …or until the first message this loop deferred for its pacing slot is due.
        let deferred = soonestDeferral.get(platform);
        if (deferred !== undefined && deferred <= now()) {
          soonestDeferral.delete(platform);
          deferred = undefined;
        }
        const wait = deferred === undefined ? pollMs : Math.min(pollMs, Math.max(1, deferred - now()));
        await Promise.race([idleWait(wait, seen), ...wave]);
      }
    }
    await Promise.all(running);
  }

  async function prune(): Promise<void> {
    const pruned = await store.prune(new Date(now() - keepFinishedMs)).catch((error: unknown) => {
      logger.warn({ err: error }, "outbox_prune_failed");
      return 0;
    });
    if (pruned > 0) logger.info({ pruned }, "outbox_pruned");
  }
  let pruneTimer: NodeJS.Timeout | null = null;

  return {
    owner,
    runOnce,
    idle,
    kick() {
      kicks++;
      for (const wake of [...sleepers]) wake();
    },
    start() {
      if (loops) return;
      stopping = false;
      logger.info({ owner, leaseMs, batchSize, platforms }, "outbox_sender_started");
      void prune();
      pruneTimer = setInterval(() => void prune(), 3_600_000);
      pruneTimer.unref?.();
      loops = platforms.map((platform) => platformLoop(platform));
    },
    async stop() {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      if (pruneTimer) clearInterval(pruneTimer);
      pruneTimer = null;
      await Promise.all(loops ?? []);
      loops = null;
    },
  };
}

/** A counting semaphore: at most `size` holders; waiters are served in order. */
function semaphore(size: number): { acquire(): Promise<void>; release(): void } {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    acquire() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
