/**
 * A `smart-pncp worker` process for the multi-process tests: the real composition root
 * (`createWorkerProcess`) from env, with a notifier chosen by WORKER_NOTIFIER — `record` prints every
 * notification as a JSON line on stdout (`{ "notify": { chatId, kinds, texts } }`), `telegram` posts through
 * the real Telegram notifier to TELEGRAM_API_ROOT (a loopback fake), `default` uses the composition root's
 * (`createWorkerProcess` without a notifier). TEST_NOW fixes the clock. Prints
 * `{ "ready": pid }` once consuming; stdin closing stops it gracefully; SIGKILL is a crash.
 */
import { createNotifierRouter } from "../../src/bots/notifier-router.ts";
import { createTelegramNotifier } from "../../src/bots/telegram-notifier.ts";
import { loadConfig } from "../../src/config.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Notifier } from "../../src/core/ports/notifier.ts";
import { createLogger, createWorkerProcess } from "../../src/main.ts";

const config = loadConfig(process.env);
const logger = process.env.LOG_LEVEL === "silent" ? silentLogger() : createLogger(config.logLevel);
const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

const recording: Notifier = {
  async notify(to, replies) {
    print({
      notify: {
        chatId: to.chatId,
        pid: process.pid,
        kinds: replies.map((r) => r.kind),
        texts: replies.map((r) => ("text" in r ? r.text : r.kind)),
      },
    });
    return { ok: true, messageIds: replies.map((_, i) => `${process.pid}-${i}`) };
  },
};
const notifier =
  process.env.WORKER_NOTIFIER === "default"
    ? undefined // the composition root's own (the configured platforms' notifiers)
    : process.env.WORKER_NOTIFIER === "telegram"
      ? createNotifierRouter(
          {
            telegram: createTelegramNotifier({
              token: config.telegram.token ?? "",
              apiRoot: config.telegram.apiRoot,
              logger,
            }),
          },
          logger,
        )
      : recording;

const worker = await createWorkerProcess(config, {
  ...(notifier ? { notifier } : {}),
  logger,
  ...(process.env.TEST_NOW ? { clock: new FixedClock(new Date(process.env.TEST_NOW)) } : {}),
});
print({ ready: process.pid });
process.stdin.resume();
process.stdin.on("end", () => {
  void worker.stop(5_000).then(() => process.exit(0));
});
