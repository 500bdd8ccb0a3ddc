import type { Logger } from "../core/ports/logger.ts";
import type { AdapterStatus } from "./adapter.ts";
import { telegramErrorFields } from "./telegram-sink.ts";

/**
 * Start-up against a Bot API that may be unreachable. `serve` must start anyway: the first attempt is
 * awaited for at most `startWaitMs`, then attempts go on in the background with exponential backoff
 * (`retryBaseMs` doubling up to `retryMaxMs`), each failure logged as `telegram_unreachable`. Each
 * attempt is bounded by `attemptTimeoutMs` through an AbortSignal, so a black-holed API cannot hold it
 * for grammY's default 500 s. `status()` is what /health shows.
 */
export interface TelegramConnectionOptions {
  /** One attempt: getMe, setMyCommands, setWebhook or the start of long polling. Must honour `signal`. */
  connect(signal: AbortSignal): Promise<void>;
  /** Runs once after the first successful attempt (e.g. hand over updates held while connecting). */
  onReady?(): void;
  logger: Logger;
  startWaitMs?: number;
  attemptTimeoutMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** The retry loop and its state. */
export interface TelegramConnection {
  /** Starts the loop; resolves after the first attempt or `startWaitMs`, whichever comes first. */
  start(): Promise<void>;
  /** Stops retrying (a running attempt is aborted). */
  stop(): void;
  readonly ready: boolean;
  status(): AdapterStatus;
  /** Resolves when connected (for tests and callers that need the API). */
  whenReady(): Promise<void>;
  /** Marks the connection lost (polling stopped) and starts retrying again. */
  lost(reason: string): void;
}

export function createTelegramConnection(options: TelegramConnectionOptions): TelegramConnection {
  const { logger } = options;
  const startWaitMs = options.startWaitMs ?? 5000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const retryMaxMs = options.retryMaxMs ?? 60_000;
  let ready = false;
  let stopped = false;
  let reason = "telegram_connecting";
  let loop: Promise<void> | null = null;
  let controller: AbortController | null = null;
  let wakeSleep: (() => void) | null = null;
  let readyWaiters: (() => void)[] = [];
  /** Called once the first attempt of a `start()` succeeded or failed. */
  let firstOutcome: (() => void) | null = null;
  const settleFirst = () => {
    firstOutcome?.();
    firstOutcome = null;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleep = null;
        resolve();
      }
      wakeSleep = done;
    });

  async function attempt(): Promise<void> {
    controller = new AbortController();
    const timer = setTimeout(() => controller?.abort(new Error("attempt timed out")), attemptTimeoutMs);
    try {
      await options.connect(controller.signal);
    } finally {
      clearTimeout(timer);
      controller = null;
    }
  }

  async function run(): Promise<void> {
    for (let n = 0; !stopped; n++) {
      try {
        await attempt();
        settleFirst();
        if (stopped) return;
        ready = true;
        reason = "";
        if (n > 0) logger.info({ attempts: n + 1 }, "telegram_reachable_again");
        for (const resolve of readyWaiters) resolve();
        readyWaiters = [];
        options.onReady?.();
        return;
      } catch (error) {
        settleFirst();
        if (stopped) return;
        reason = "telegram_api_unreachable";
        const delayMs = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(n, 30));
        logger.error(
          { ...telegramErrorFields(error), attempt: n + 1, retryInMs: delayMs },
          "telegram_unreachable",
        );
        await sleep(delayMs);
      }
    }
  }

  function begin(): Promise<void> {
    loop = run().finally(() => {
      loop = null;
    });
    return loop;
  }

  return {
    async start() {
      stopped = false;
      if (ready || loop) return;
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, startWaitMs);
      });
      // The first attempt's outcome, or the wait running out: either way `serve` goes on.
      const first = new Promise<void>((resolve) => {
        firstOutcome = resolve;
      });
      void begin();
      await Promise.race([first, waited]);
      clearTimeout(timer);
    },
    stop() {
      stopped = true;
      controller?.abort(new Error("stopping"));
      wakeSleep?.();
    },
    get ready() {
      return ready;
    },
    status() {
      return ready ? { ready: true } : { ready: false, reason };
    },
    whenReady() {
      return ready ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve));
    },
    lost(why) {
      if (stopped || !ready) return;
      ready = false;
      reason = why;
      logger.error({ reason: why }, "telegram_connection_lost");
      if (!loop) void begin();
    },
  };
}
