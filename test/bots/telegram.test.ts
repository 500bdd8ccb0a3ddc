import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakePncp, type FixtureRecord, loadFixtureRecords, startFakePncp } from "../fakes/fake-pncp.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { createTestApp, FIXTURE_NOW, type TestApp } from "../helpers/test-app.ts";

/**
 * Telegram end to end: the real composition root with the grammY adapter against the loopback fake Bot
 * API and the fake PNCP, in webhook mode (POSTs to /telegram/webhook) and in long-polling mode (updates
 * pushed into the fake's getUpdates queue).
 */

const SECRET = "e2e_secret-telegram";
const QUERY = "/buscar uniformes SP 30d";

/** Three open SP pregões about uniforms, cloned from a real fixture record (published 2026-09-15). */
function uniformRecords(): FixtureRecord[] {
  const all = loadFixtureRecords();
  const template = all.find((r) => r.numeroControlePNCP === "00394429000100-1-002331/2026");
  if (!template) throw new Error("fixture record 00394429000100-1-002331/2026 not found");
  const objects = [
    "Aquisição de uniformes escolares (camisetas, calças e agasalhos) para a rede municipal de ensino",
    "Registro de preços para aquisição de uniformes profissionais para servidores da saúde",
    "Fornecimento de uniformes e fardamentos para a guarda civil municipal",
  ];
  const clones = objects.map((objetoCompra, i) => ({
    ...structuredClone(template),
    numeroControlePNCP: `00394429000100-1-00990${i + 1}/2026`,
    sequencialCompra: 9901 + i,
    objetoCompra,
    valorTotalEstimado: 100_000 * (i + 1),
  }));
  return [...all, ...clones];
}

const UNIFORM_IDS = [
  "00394429000100-1-009901/2026",
  "00394429000100-1-009902/2026",
  "00394429000100-1-009903/2026",
];

/** Every cell of the "Licitações" sheet as text, row by row. */
async function sheetRows(data: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet("Licitações");
  if (!sheet) throw new Error("sheet Licitações missing");
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    // Cell text: a hyperlink cell (the Código PNCP links to its page) reads as its label.
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) cells.push(row.getCell(i).text);
    rows.push(cells);
  });
  return rows;
}

interface Env {
  fake: FakeTelegram;
  pncp: FakePncp;
  t: TestApp;
}

async function start(webhook: boolean): Promise<Env> {
  const fake = await startFakeTelegram();
  const pncp = await startFakePncp({ now: FIXTURE_NOW, records: uniformRecords() });
  const env: Record<string, string> = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot };
  if (webhook) env.TELEGRAM_WEBHOOK_SECRET = SECRET;
  const t = await createTestApp({ env, pncp });
  return { fake, pncp, t };
}

async function stop(e: Env | undefined): Promise<void> {
  if (!e) return;
  await e.t.close();
  await e.pncp.close();
  await e.fake.close();
}

/** Checks the whole search conversation in `chatId`: ack, chat action, results in place of the ack, .xlsx. */
async function expectSearchConversation(fake: FakeTelegram, chatId: number): Promise<void> {
  const inChat = fake.sent.filter((m) => m.chatId === chatId);
  const ack = inChat[0]!;
  expect(ack.kind).toBe("send");
  expect(ack.text.startsWith("🔎 Buscando…")).toBe(true);
  expect(ack.text.toLowerCase()).toContain("uniformes");
  expect(
    fake
      .callsTo("sendChatAction")
      .some((c) => c.params.chat_id === chatId && c.params.action === "upload_document"),
  ).toBe(true);

  const edits = inChat.filter((m) => m.kind === "edit");
  expect(edits.length).toBeGreaterThan(0);
  expect(edits.every((m) => m.messageId === ack.messageId)).toBe(true);
  const results = edits.at(-1)!;
  const counted = /(\d+) licitaç(?:ão|ões) encontradas?/.exec(results.text);
  expect(counted).not.toBeNull();
  expect(Number(counted![1])).toBeGreaterThanOrEqual(UNIFORM_IDS.length);
  expect(results.raw).toContain('<a href="');

  const documents = fake.callsTo("sendDocument").filter((c) => c.params.chat_id === chatId);
  expect(documents).toHaveLength(1);
  const [upload] = documents[0]!.files;
  expect(upload!.filename).toMatch(/^licitacoes-.*\.xlsx$/);
  expect(documents[0]!.params.caption).toContain("Planilha");
  const rows = await sheetRows(upload!.data);
  expect(rows[0]![0]).toBe("Código PNCP");
  const codes = rows.slice(1).map((r) => r[0]);
  for (const id of UNIFORM_IDS) expect(codes).toContain(id);
  expect(
    rows
      .slice(1)
      .filter((r) => UNIFORM_IDS.includes(r[0]!))
      .every((r) => r.join(" ").includes("niforme")),
  ).toBe(true);
  expect(codes.filter((c) => /-1-\d{6}\/\d{4}$/.test(c ?? "")).length).toBe(Number(counted![1]));
}

describe("Telegram end to end, webhook mode", () => {
  let e: Env | undefined;
  let nextUpdate = 1;
  let startup: FakeTelegram["calls"] = [];

  const post = async (update: object, secret: string | null = SECRET): Promise<number> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
    const res = await fetch(`${e!.t.baseUrl}/telegram/webhook`, {
      method: "POST",
      headers,
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    e = await start(true);
    startup = [...e.fake.calls];
  });
  afterAll(async () => {
    await stop(e);
  });
  beforeEach(() => {
    e!.fake.reset();
  });

  it("at start: getMe, the command menu and setWebhook with the secret; no polling", () => {
    expect(startup.map((c) => c.method)).toEqual(["getMe", "setMyCommands", "setWebhook"]);
    expect(startup[2]!.params).toMatchObject({
      url: "https://bot.example.test/telegram/webhook",
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query"],
    });
    expect(e!.t.app.adapters.find((a) => a.name === "telegram")!.routes.map((r) => r.path)).toEqual([
      "/telegram/webhook",
    ]);
  });

  it("/buscar: 200, 🔎 Buscando…, results edited in place, and the .xlsx uploaded and readable", async () => {
    const { fake, t } = e!;
    await t.setPlan("telegram", "1001", null, "maquina");
    const status = await post(
      fake.textUpdate({ updateId: nextUpdate++, text: QUERY, fromId: 1001, firstName: "Ana" }),
    );
    expect(status).toBe(200);
    expect(fake.sent[0]?.text.startsWith("🔎 Buscando…")).toBe(true);
    await t.drain();
    await expectSearchConversation(fake, 1001);
  });

  it("/start greets the user by name in pt-BR", async () => {
    const { fake } = e!;
    expect(
      await post(
        fake.textUpdate({ updateId: nextUpdate++, text: "/start", fromId: 1002, firstName: "Bruno" }),
      ),
    ).toBe(200);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]!.text).toContain("Olá, Bruno!");
    expect(fake.sent[0]!.text).toContain("/buscar");
  });

  it("in a group, /buscar@bot works and a team plan on the group covers its members", async () => {
    const { fake, t } = e!;
    const groupId = -100777;
    const teamAccount = await t.setPlan("telegram", null, String(groupId), "sala_guerra");
    const update = fake.textUpdate({
      updateId: nextUpdate++,
      text: `/buscar@${fake.botInfo.username} uniformes SP 30d`,
      chatType: "supergroup",
      chatId: groupId,
      fromId: 3003,
      firstName: "Carla",
      messageId: 321,
    });
    expect(await post(update)).toBe(200);
    await t.drain();
    await expectSearchConversation(fake, groupId);
    expect(fake.sent.filter((m) => m.kind === "send").every((m) => m.replyTo === 321)).toBe(true);
    expect(fake.callsTo("sendDocument")[0]!.params.reply_parameters).toEqual({
      message_id: 321,
      allow_sending_without_reply: true,
    });
    // A second member of the same group is covered too, and both searches count on the team account.
    fake.reset();
    const other = fake.textUpdate({
      updateId: nextUpdate++,
      text: `/buscar@${fake.botInfo.username} uniformes SP 30d`,
      chatType: "supergroup",
      chatId: groupId,
      fromId: 3004,
      firstName: "Davi",
      messageId: 322,
    });
    expect(await post(other)).toBe(200);
    await t.drain();
    await expectSearchConversation(fake, groupId);
    const status = await t.store.getAccountStatus(teamAccount, t.clock.now());
    expect(status.plan.id).toBe("sala_guerra");
    expect(status.used).toBe(2);
  });

  it("a wrong secret header gets 401 and nothing is recorded or searched", async () => {
    const { fake, pncp } = e!;
    const before = pncp.requests.length;
    const update = fake.textUpdate({ updateId: nextUpdate++, text: QUERY, fromId: 1004 });
    expect(await post(update, "not-the-secret")).toBe(401);
    expect(await post(update, null)).toBe(401);
    await e!.t.drain();
    expect(fake.calls).toEqual([]);
    expect(pncp.requests.length).toBe(before);
  });

  it("a duplicate update_id is searched and charged once", async () => {
    const { fake, t } = e!;
    // The free trial reaches 7 days back (a 30-day search would be refused with an upgrade button).
    const update = fake.textUpdate({ updateId: nextUpdate++, text: "/buscar uniformes SP 7d", fromId: 1005 });
    expect(await post(update)).toBe(200);
    expect(await post(update)).toBe(200);
    await t.drain();
    expect(fake.sent.filter((m) => m.text.startsWith("🔎 Buscando…"))).toHaveLength(1);
    const account = await t.store.resolveIdentity({
      platform: "telegram",
      userId: "1005",
      teamId: null,
      displayName: null,
    });
    expect((await t.store.getAccountStatus(account, t.clock.now())).used).toBe(1);
  });

  it("ignores the bot's own messages", async () => {
    const { fake, pncp, t } = e!;
    const before = pncp.requests.length;
    const own = fake.textUpdate({
      updateId: nextUpdate++,
      text: "🔎 Buscando… uniformes",
      fromId: fake.botInfo.id,
      isBot: true,
      chatId: 1001,
    });
    expect(await post(own)).toBe(200);
    await t.drain();
    expect(fake.calls).toEqual([]);
    expect(pncp.requests.length).toBe(before);
  });

  it("a 429 on sendMessage is retried after retry_after by auto-retry", async () => {
    const { fake } = e!;
    fake.fail("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
    expect(await post(fake.textUpdate({ updateId: nextUpdate++, text: "/ajuda", fromId: 1006 }))).toBe(200);
    await fake.waitFor((f) => f.sent.length === 1);
    expect(fake.callsTo("sendMessage").map((c) => c.ok)).toEqual([false, true]);
    expect(fake.sent[0]!.chatId).toBe(1006);
  });
});

describe("Telegram end to end, long polling", () => {
  let e: Env | undefined;

  beforeAll(async () => {
    e = await start(false);
  });
  afterAll(async () => {
    await stop(e);
  });

  it("starts polling with getMe, setMyCommands and deleteWebhook, and mounts no webhook", async () => {
    const { fake, t } = e!;
    expect(fake.callsTo("getMe")).toHaveLength(1);
    expect(
      fake.callsTo("setMyCommands")[0]!.params.commands.map((c: { command: string }) => c.command),
    ).toEqual(["buscar", "setores", "plano", "assinar", "ajuda", "start"]);
    expect(fake.callsTo("deleteWebhook")[0]!.params.drop_pending_updates).toBe(false);
    await fake.waitFor((f) => f.callsTo("getUpdates").length > 0);
    const res = await fetch(`${t.baseUrl}/telegram/webhook`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });

  it("/buscar pushed into getUpdates runs the whole conversation", async () => {
    const { fake, t } = e!;
    await t.setPlan("telegram", "2001", null, "maquina");
    fake.pushUpdate(fake.textUpdate({ updateId: 50_001, text: QUERY, fromId: 2001, firstName: "Davi" }));
    await fake.waitFor((f) => f.callsTo("sendDocument").length === 1, 20_000);
    await t.drain();
    await expectSearchConversation(fake, 2001);
  });
});
