/**
 * Alerts on the production path: the dispatcher hands messages to the paced outbox (0010, SQL on
 * PGlite), whose sender posts through the real grammY notifier to the loopback Telegram. A dispatcher that
 * dies after handing a message over retries with the same claim token, so the outbox's dedupe key keeps
 * it to ONE message; a chat that blocked the bot is paused by the outbox and its alerts with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramNotifier } from "../../src/bots/telegram-notifier.ts";
import { createAlertRunner } from "../../src/core/alerts/alert-round.ts";
import { outboxAlertSender, pauseAlertsOnUnreachable } from "../../src/core/alerts/outbox-alert-sender.ts";
import { createOutbox } from "../../src/core/outbox/outbox.ts";
import { createOutboxSender } from "../../src/core/outbox/outbox-sender.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { createAlertStore } from "../../src/stores/alerts/sql-alert-store.ts";
import { createSqlOutboxStore } from "../../src/stores/outbox/sql-outbox-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { freshRecords } from "./alert-store-contract.ts";

const NOW = new Date("2026-12-01T15:00:00Z");
const logger = silentLogger();
let store: PgliteStore;
let telegram: FakeTelegram;

beforeAll(async () => {
  [store, telegram] = await Promise.all([PgliteStore.open({ dataDir: PGLITE_MEMORY }), startFakeTelegram()]);
}, 60_000);
afterAll(async () => {
  await store?.close();
  await telegram?.close();
});

describe("alerts through the outbox", { timeout: 60_000 }, () => {
  it("one message per alert, a retried hand-over is not sent twice, a blocked chat pauses its alerts", async () => {
    const clock = new FixedClock(NOW);
    const alerts = createAlertStore(store);
    const index = createBidIndex(store);
    const outboxStore = createSqlOutboxStore(store);
    const outbox = createOutbox({ store: outboxStore, clock, logger });
    outbox.onChatUnreachable(pauseAlertsOnUnreachable(alerts, logger));
    const sender = createOutboxSender(
      {
        store: outboxStore,
        notifier: createTelegramNotifier({ token: telegram.token, apiRoot: telegram.apiRoot, logger }),
        clock,
        logger,
        sleep: async () => {},
        onChatUnreachable: (to, detail) => outbox.reportUnreachable(to, detail),
      },
      { maxPacingWaitMs: 0 },
    );
    /** Sends until the outbox has nothing due (pacing moves a chat's next message a second ahead). */
    const flush = async () => {
      for (let i = 0; i < 10; i++) {
        const claimed = await sender.runOnce();
        clock.advance(2_000);
        if (claimed === 0) return;
      }
    };
    const runner = createAlertRunner({
      alerts,
      index,
      store,
      sender: outboxAlertSender(outbox, clock),
      clock,
      logger,
    });
    const owner = await store.resolveIdentity(
      { platform: "telegram", userId: "ob", teamId: null, displayName: null },
      NOW,
    );
    await store.setPlan(owner, "maquina", null);
    const ids: string[] = [];
    for (const chatId of ["7001", "7002"]) {
      const created = await alerts.createAlert(
        {
          accountId: owner,
          address: { platform: "telegram", chatId, teamId: null },
          scope: "personal",
          queryText: "todas",
          query: parseQuery("", { now: NOW }).query,
          mode: "instant",
          digestHour: 8,
          reminder: false,
        },
        20,
        new Date(NOW.getTime() - 3_600_000),
      );
      if (!created.ok) throw new Error("not created");
      ids.push(created.alert.id);
    }
    const records = freshRecords(6);
    await index.upsertBids(records.slice(0, 3), NOW);

    // A dispatcher claims 7001's items, hands the message to the outbox and dies before marking them.
    await runner.run({ match: true }).catch(() => undefined); // matches + hands both over
    await flush();
    const to7001 = () => telegram.sent.filter((m) => String(m.chatId) === "7001");
    expect(to7001()).toHaveLength(1);
    await index.upsertBids(records.slice(3), NOW);
    clock.advance(60_000);
    const { runAlertMatching } = await import("../../src/core/alerts/run-alert-matching.ts");
    await runAlertMatching({ alerts, index, clock, logger });
    const ready = (await alerts.readyItems([ids[0]!], clock.now(), 100)).filter((r) => r.alertId === ids[0]);
    expect(ready).toHaveLength(3);
    const token = "dead-dispatcher";
    await alerts.claimItems(
      ready.map((r) => r.id),
      token,
      new Date(clock.now().getTime() + 60_000),
      clock.now(),
    );
    await outboxAlertSender(outbox, clock).send(
      { platform: "telegram", chatId: "7001", teamId: null },
      [{ kind: "text", text: "🔔 3 novas licitações" }],
      {
        purpose: "alert",
        key: `alert:${ids[0]}:${token}`,
      },
    );
    // Its claim expires; the next dispatcher hands the SAME message over (same token → same key).
    clock.advance(10 * 60_000);
    const retried = await alerts.readyItems([ids[0]!], clock.now(), 100);
    expect(retried.filter((r) => r.alertId === ids[0]).every((r) => r.previousToken === token)).toBe(true);
    await runner.run({ match: false });
    expect(
      (await alerts.readyItems([ids[0]!], clock.now(), 100)).filter((r) => r.alertId === ids[0]),
    ).toEqual([]);

    await flush();
    expect(to7001()).toHaveLength(2); // the first message + the one handed over twice, sent once

    // 7002 blocks the bot: the outbox pauses the chat, and its alerts with it; nothing is retried.
    await alerts.updateAlert(ids[0]!, { status: "paused" });
    await index.upsertBids(freshRecords(8).slice(6), clock.now());
    await runner.run();
    telegram.fail(
      "sendMessage",
      { error_code: 403, description: "Forbidden: bot was blocked by the user" },
      1,
    );
    await flush();
    expect((await alerts.chatAlerts("telegram", "7002"))[0]!.status).toBe("unreachable");
    const calls7002 = () =>
      telegram.callsTo("sendMessage").filter((c) => String(c.params.chat_id) === "7002").length;
    const failedCalls = calls7002();
    await index.upsertBids(freshRecords(10).slice(8), clock.now());
    await runner.run();
    await flush();
    expect(calls7002()).toBe(failedCalls);
  });
});
