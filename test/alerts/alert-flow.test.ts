/**
 * Alerts end to end on the real SQL (PGlite) with the real sync against the loopback PNCP and the real
 * platform notifiers (Bolt WebClient, grammY, our Graph client) against the loopback Slack, Telegram and
 * WhatsApp APIs: bids published between two sync rounds fire exactly the matching alerts, once each, on
 * each platform; a re-sync sends nothing; a suspension is told once; a daily digest goes out at its hour
 * (frozen clock) with the .xlsx; a blocked chat pauses its alerts; a crash between match and send sends
 * later, once; two dispatchers racing send once.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifierRouter } from "../../src/bots/notifier-router.ts";
import { createSlackNotifier } from "../../src/bots/slack-notifier.ts";
import { createTelegramNotifier } from "../../src/bots/telegram-notifier.ts";
import { createWhatsAppClient } from "../../src/bots/whatsapp-client.ts";
import { createWhatsAppNotifier } from "../../src/bots/whatsapp-notifier.ts";
import { createAlertRunner } from "../../src/core/alerts/alert-round.ts";
import { deliverAlerts, notifierSender } from "../../src/core/alerts/deliver-alerts.ts";
import { NEW_BID_GRACE_MS } from "../../src/core/alerts/match-alerts.ts";
import { runAlertMatching } from "../../src/core/alerts/run-alert-matching.ts";
import { filterBids } from "../../src/core/filter/filter.ts";
import { HttpPncpClient } from "../../src/core/pncp/http-pncp-client.ts";
import type { Alert, NewAlert } from "../../src/core/ports/alert-store.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Notifier } from "../../src/core/ports/notifier.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { runSyncRound } from "../../src/core/sync/run-sync-round.ts";
import { syncModalidades } from "../../src/core/sync/sync-plan.ts";
import { createAlertStore } from "../../src/stores/alerts/sql-alert-store.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";
import { type FakePncp, type FixtureRecord, startFakePncp } from "../fakes/fake-pncp.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { type FakeWhatsApp, startFakeWhatsApp, WA } from "../fakes/fake-whatsapp.ts";
import { syncDataSet } from "../sync/sync-data.ts";

const TODAY = "2026-12-01";
// 19:00 in São Paulo: every record of the day is already published.
const START = new Date("2026-12-01T22:00:00Z");
const MODALIDADES = syncModalidades([]);
const logger = silentLogger();

let store: PgliteStore;
let pncp: FakePncp;
let slack: FakeSlack;
let telegram: FakeTelegram;
let graph: FakeWhatsApp;
let notifier: Notifier;
const clock = new FixedClock(START);
const alertsByName = new Map<string, Alert>();

function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []) {
  return store.executor.query<T>(text, params);
}

/** (alert id, bid id) pairs in the sent-items table with `status`. */
async function pairs(kind = "match", status = "sent"): Promise<string[]> {
  const rows = await sql<{ alert_id: string; bid_id: string }>(
    kind === "match"
      ? "select alert_id::text, bid_id from alert_match_items where status = $1"
      : "select alert_id::text, bid_id from alert_items where kind = $2 and status = $1",
    kind === "match" ? [status] : [status, kind],
  );
  return rows.map((r) => `${r.alert_id}|${r.bid_id}`).sort();
}

/** What the alerts should have got: the search's own filter over everything indexed, per alert. */
async function expectedPairs(): Promise<string[]> {
  const index = createBidIndex(store);
  const all = await index.search(
    {
      ufs: [],
      modalidades: [...MODALIDADES],
      from: "2000-01-01",
      to: "2100-01-01",
      openOnly: false,
      sector: null,
      terms: [],
      minValue: null,
      maxValue: null,
    },
    clock.now(),
  );
  const out: string[] = [];
  for (const alert of alertsByName.values()) {
    if (alert.mode !== "instant") continue;
    for (const bid of filterBids(all, alert.query, clock.now()).bids) {
      if (Date.parse(bid.publishedAt ?? "") >= alert.createdAt.getTime() - NEW_BID_GRACE_MS)
        out.push(`${alert.id}|${bid.id}`);
    }
  }
  return out.sort();
}

async function sync(): Promise<void> {
  const client = new HttpPncpClient({
    baseUrl: pncp.url,
    pageSize: 50,
    concurrency: 4,
    timeoutMs: 2_000,
    retryBaseMs: 5,
    retryMaxDelayMs: 20,
    breakerFailureThreshold: 50,
    clock,
  });
  await runSyncRound(
    { pncp: client, index: createBidIndex(store), clock, logger },
    { modalidades: MODALIDADES, backfillDays: 1, parallelPages: 4 },
  );
}

function runner() {
  return createAlertRunner({
    alerts: createAlertStore(store),
    index: createBidIndex(store),
    store,
    sender: notifierSender(notifier),
    clock,
    logger,
  });
}

/** The longest word of a record's object: a term guaranteed to match it. */
function wordOf(record: FixtureRecord): string {
  return String(record.objetoCompra)
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length >= 6)
    .sort((a, b) => b.length - a.length)[0]!;
}

let firstDay: FixtureRecord[];

beforeAll(async () => {
  firstDay = syncDataSet(TODAY, 1, MODALIDADES).records.filter((r) => r.dataPublicacaoPncp.startsWith(TODAY));
  [store, pncp, slack, telegram, graph] = await Promise.all([
    PgliteStore.open({ dataDir: PGLITE_MEMORY }),
    startFakePncp({ records: firstDay, now: START }),
    startFakeSlack(),
    startFakeTelegram(),
    startFakeWhatsApp(),
  ]);
  notifier = createNotifierRouter(
    {
      slack: createSlackNotifier({ apiUrl: slack.apiUrl, botToken: "xoxb-alerts", logger }),
      telegram: createTelegramNotifier({ token: telegram.token, apiRoot: telegram.apiRoot, logger }),
      whatsapp: createWhatsAppNotifier({
        client: createWhatsAppClient({
          token: graph.token,
          phoneNumberId: graph.phoneNumberId,
          graphUrl: graph.url,
          apiVersion: WA.apiVersion,
          maxRetries: 0,
        }),
        lastInboundAt: async () => new Date(clock.now().getTime() - 3_600_000),
        clock,
        logger,
      }),
    },
    logger,
  );
  const alerts = createAlertStore(store);
  const person = async (
    platform: "slack" | "telegram" | "whatsapp",
    userId: string,
    plan: "maquina" | "consultor_agil",
  ) => {
    const id = await store.resolveIdentity({ platform, userId, teamId: null, displayName: null }, START);
    await store.setPlan(id, plan, null);
    return id;
  };
  const team = await store.resolveTeam("slack", "T0ALERTS");
  await store.setPlan(team, "sala_guerra", null);
  const created = new Date(START.getTime() - 2 * 3_600_000);
  const make = async (
    name: string,
    input: Omit<NewAlert, "query" | "digestHour" | "reminder"> & Partial<NewAlert>,
  ) => {
    const result = await alerts.createAlert(
      {
        digestHour: 8,
        reminder: false,
        query: parseQuery(input.queryText, { now: START }).query,
        ...input,
      },
      10,
      created,
    );
    if (!result.ok) throw new Error("alert not created");
    alertsByName.set(name, result.alert);
  };
  const word = wordOf(firstDay[0]!);
  await make("slack-channel", {
    accountId: team,
    address: { platform: "slack", chatId: "C0ALERTS", teamId: "T0ALERTS" },
    scope: "channel",
    queryText: `"${word}"`,
    mode: "instant",
  });
  await make("telegram-group", {
    accountId: await person("telegram", "tg-owner", "maquina"),
    address: { platform: "telegram", chatId: "-100777", teamId: "-100777" },
    scope: "channel",
    queryText: "SP",
    mode: "instant",
  });
  await make("whatsapp-dm", {
    accountId: await person("whatsapp", WA.phone, "maquina"),
    address: { platform: "whatsapp", chatId: WA.phone, teamId: null },
    scope: "personal",
    queryText: `"${wordOf(firstDay[3]!)}" ${firstDay[3]!.unidadeOrgao.ufSigla}`,
    mode: "instant",
  });
  await make("telegram-nothing", {
    accountId: await person("telegram", "tg-nothing", "maquina"),
    address: { platform: "telegram", chatId: "4242", teamId: null },
    scope: "personal",
    queryText: '"zzqx inexistente"',
    mode: "instant",
  });
  await make("telegram-digest", {
    accountId: await person("telegram", "tg-digest", "maquina"),
    address: { platform: "telegram", chatId: "5151", teamId: null },
    scope: "personal",
    queryText: "RJ BA",
    mode: "daily",
    digestHour: 8,
    reminder: true,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([store?.close(), pncp?.close(), slack?.close(), telegram?.close(), graph?.close()]);
});

const chatOf = (name: string) => alertsByName.get(name)!.address.chatId;
const telegramTo = (chatId: string) => telegram.sent.filter((m) => String(m.chatId) === chatId);

describe("alerts after sync rounds", { timeout: 60_000 }, () => {
  it("round 1: each instant alert gets one message with exactly its matches, on its platform", async () => {
    await sync();
    const stats = await runner().run();
    const expected = await expectedPairs();
    expect(expected.length).toBeGreaterThan(0);
    expect(await pairs()).toEqual(expected);
    expect(stats.delivery.failed).toBe(0);
    const has = (name: string) => expected.some((p) => p.startsWith(`${alertsByName.get(name)!.id}|`));
    expect(has("slack-channel") && has("telegram-group") && has("whatsapp-dm")).toBe(true);
    expect(slack.messages.filter((m) => m.channel === chatOf("slack-channel"))).toHaveLength(1);
    expect(slack.messages[0]!.text).toContain("para o alerta");
    expect(JSON.stringify(slack.messages[0]!.blocks)).toContain("Silenciar");
    expect(telegramTo(chatOf("telegram-group"))).toHaveLength(1);
    expect(telegramTo(chatOf("telegram-group"))[0]!.callbacks.map((c) => c.label)).toContain("🔕 Silenciar");
    expect(graph.messages.filter((m) => m.to === WA.phone)).toHaveLength(1);
    // Nothing matched → nothing sent; the digest is not due before its hour.
    expect(telegramTo(chatOf("telegram-nothing"))).toHaveLength(0);
    expect(telegramTo(chatOf("telegram-digest"))).toHaveLength(0);
    expect((await pairs("match", "pending")).length).toBeGreaterThan(0);
  });

  it("round 2: only the bids published since fire, once; a re-sync sends nothing", async () => {
    const before = {
      slack: slack.messages.length,
      telegram: telegram.sent.length,
      wa: graph.messages.length,
    };
    const sentBefore = await pairs();
    const fresh = syncDataSet(TODAY, 1, MODALIDADES).records.filter((r) =>
      r.dataPublicacaoPncp.startsWith(TODAY),
    );
    pncp.replaceRecords([...firstDay, ...fresh]);
    clock.advance(10 * 60_000);
    await sync();
    await runner().run();
    const all = await pairs();
    expect(all).toEqual(await expectedPairs());
    const added = all.filter((p) => !sentBefore.includes(p));
    const freshIds = new Set(fresh.map((r) => r.numeroControlePNCP));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((p) => freshIds.has(p.split("|")[1]!))).toBe(true);
    const newMessages =
      slack.messages.length -
      before.slack +
      telegram.sent.length -
      before.telegram +
      graph.messages.length -
      before.wa;
    const alertsWithNew = new Set(added.map((p) => p.split("|")[0]));
    expect(newMessages).toBe(alertsWithNew.size);
    // Same data again: nothing new anywhere.
    const counts = [slack.messages.length, telegram.sent.length, graph.messages.length];
    clock.advance(10 * 60_000);
    await sync();
    await runner().run();
    expect([slack.messages.length, telegram.sent.length, graph.messages.length]).toEqual(counts);
    expect(await pairs()).toEqual(all);
  });

  it("a suspension of a delivered bid is told once, to the alerts that delivered it", async () => {
    const [pair] = (await pairs()).filter((p) => p.startsWith(`${alertsByName.get("telegram-group")!.id}|`));
    const bidId = pair!.split("|")[1]!;
    const served = pncp.records.map((r) =>
      r.numeroControlePNCP === bidId
        ? {
            ...structuredClone(r),
            situacaoCompraId: 4,
            situacaoCompraNome: "Suspensa",
            dataAtualizacaoGlobal: "2026-12-01T19:30:00",
          }
        : r,
    );
    pncp.replaceRecords(served);
    const before = telegramTo(chatOf("telegram-group")).length;
    clock.advance(10 * 60_000);
    await sync();
    await runner().run();
    const notices = telegramTo(chatOf("telegram-group")).slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain(`Licitação ${bidId} foi suspensa`);
    clock.advance(10 * 60_000);
    await sync();
    await runner().run();
    expect(telegramTo(chatOf("telegram-group")).length).toBe(before + 1);
  });

  it("the daily digest goes out at its hour with the count, the bids and the .xlsx; then not again", async () => {
    const digestChat = chatOf("telegram-digest");
    const pending = (await pairs("match", "pending")).filter((p) =>
      p.startsWith(`${alertsByName.get("telegram-digest")!.id}|`),
    );
    expect(pending.length).toBeGreaterThan(0);
    clock.set("2026-12-02T10:59:00Z"); // 07:59 in São Paulo
    await runner().run({ match: false });
    expect(telegramTo(digestChat)).toHaveLength(0);
    clock.set("2026-12-02T11:00:30Z"); // 08:00:30
    await runner().run({ match: false });
    const sent = telegramTo(digestChat);
    expect(sent.map((m) => m.kind)).toEqual(["send", "document"]);
    expect(sent[0]!.text).toContain(`Resumo diário do alerta “RJ BA”: ${pending.length}`);
    const upload = telegram.callsTo("sendDocument").find((c) => String(c.params.chat_id) === digestChat)!;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(upload.files[0]!.data as unknown as ArrayBuffer);
    // Header, one row per bid, then the total row (after a blank one).
    const sheet = workbook.getWorksheet("Licitações")!;
    expect(sheet.actualRowCount - 2).toBe(pending.length);
    expect(String(sheet.getRow(pending.length + 3).getCell(1).value)).toBe("Total");
    clock.advance(30 * 60_000);
    await runner().run({ match: false });
    expect(telegramTo(digestChat)).toHaveLength(2);

    // `lembrete`: a delivered bid now closes in 36 h → one new-deadline notice and one reminder, once.
    const bidId = pending[0]!.split("|")[1]!;
    const closeAt = new Date(clock.now().getTime() + 36 * 3_600_000);
    await sql("update bids set proposals_close_at = $2 where id = $1", [bidId, closeAt.toISOString()]);
    await runner().run();
    await runner().run();
    const after = telegramTo(digestChat)
      .slice(2)
      .map((m) => m.text);
    expect(after).toHaveLength(2);
    expect(after.some((t) => t.includes(`Licitação ${bidId} tem novo prazo de propostas`))).toBe(true);
    expect(after.some((t) => t.startsWith(`⏰ Lembrete: as propostas da licitação ${bidId} fecham em`))).toBe(
      true,
    );
  });

  it("a chat that blocked the bot gets its alerts paused, and is not retried", async () => {
    const group = chatOf("telegram-group");
    const alerts = createAlertStore(store);
    const id = alertsByName.get("telegram-group")!.id;
    await sql(
      "insert into alert_matches (alert_id, bid_ids, created_at) select $1, array(select id from bids where id not in (select bid_id from alert_match_items where alert_id = $1) order by id limit 2), now()",
      [id],
    );
    telegram.fail("sendMessage", {
      error_code: 403,
      description: "Forbidden: bot was kicked from the group chat",
    });
    const stats = await deliverAlerts({
      alerts,
      index: createBidIndex(store),
      store,
      sender: notifierSender(notifier),
      clock,
      logger,
    });
    expect(stats.pausedChats).toBe(1);
    expect((await alerts.chatAlerts("telegram", group))[0]!.status).toBe("unreachable");
    const calls = telegram.callsTo("sendMessage").length;
    await runner().run({ match: false });
    expect(telegram.callsTo("sendMessage").length).toBe(calls);
  });

  it("a crash between match and send: sent by the next process, once; a dead sender's claim is taken over", async () => {
    const alerts = createAlertStore(store);
    const fresh = syncDataSet(TODAY, 1, MODALIDADES).records.filter((r) =>
      r.dataPublicacaoPncp.startsWith(TODAY),
    );
    pncp.replaceRecords([...pncp.records, ...fresh]);
    clock.set("2026-12-02T11:40:00Z");
    await sync();
    // "Process 1" matches and dies before sending.
    await runAlertMatching({ alerts, index: createBidIndex(store), clock, logger });
    const slackId = alertsByName.get("slack-channel")!.id;
    const waiting = (await pairs("match", "pending")).filter((p) => p.startsWith(`${slackId}|`));
    // A second process claimed them and died mid-send: nobody sends until its claim expires.
    const ready = await alerts.readyItems([slackId], clock.now(), 1000);
    const held = await alerts.claimItems(
      ready.filter((r) => r.alertId === slackId).map((r) => r.id),
      "dead-process",
      new Date(clock.now().getTime() + 60_000),
      clock.now(),
    );
    expect(held.length).toBe(waiting.length);
    const before = slack.messages.length;
    await runner().run();
    expect(slack.messages.length).toBe(before);
    clock.advance(2 * 60_000);
    // Two dispatchers race for what is left.
    await Promise.all([runner().run({ match: false }), runner().run({ match: false })]);
    expect(slack.messages.length).toBe(before + (waiting.length > 0 ? 1 : 0));
    expect(await pairs("match", "pending")).toEqual(
      (await pairs("match", "pending")).filter((p) => !p.startsWith(`${slackId}|`)),
    );
    const all = await pairs();
    expect(new Set(all).size).toBe(all.length);
  });
});
