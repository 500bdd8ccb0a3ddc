import { Api, GrammyError, HttpError } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramSink, type TelegramSink, telegramErrorFields } from "../../src/bots/telegram-sink.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";

const CHAT = 1001;
const GROUP = -100555;

const results: Extract<Reply, { kind: "results" }> = {
  kind: "results",
  text: "📋 1 licitação encontrada\nuniformes · SP\n\nResumo.",
  headline: "1 licitação encontrada",
  description: "uniformes · SP",
  summary: { text: "Resumo.", highlights: [], alert: null, source: "fallback" },
  totals: { count: 1, totalValue: 100, withValue: 1, closingSoon: 0 },
  bids: [
    {
      title: "Uniformes escolares",
      value: "R$ 100,00",
      agency: "Prefeitura",
      uf: "SP",
      municipality: "Campinas",
      closesAt: null,
      status: "Recebendo propostas",
      link: "https://pncp.gov.br/app/editais/1",
    },
  ],
  more: 0,
  notes: [],
  partial: false,
};

const progress = (done: number): Reply => ({
  kind: "progress",
  text: `⏳ ${done} de 10 páginas…`,
  pagesDone: done,
  pagesTotal: 10,
});

describe("createTelegramSink", () => {
  let fake: FakeTelegram;
  let api: Api;
  let sinks: TelegramSink[];

  const sinkFor = (chatId: number, options: { replyTo?: number } = {}) => {
    const sink = createTelegramSink({
      api,
      chatId,
      replyToMessageId: options.replyTo,
      logger: silentLogger(),
      chatActionIntervalMs: 20,
    });
    sinks.push(sink);
    return sink;
  };

  beforeEach(async () => {
    fake = await startFakeTelegram();
    api = new Api(fake.token, { apiRoot: fake.apiRoot });
    sinks = [];
  });

  afterEach(async () => {
    for (const sink of sinks) sink.close();
    await fake.close();
  });

  it("sends the ack, repeats upload_document, edits progress in place and replaces it with the results", async () => {
    const sink = sinkFor(CHAT);
    await sink.send({ kind: "searching", text: "🔎 Buscando… uniformes · SP" });
    expect(sink.chatActionRunning).toBe(true);
    await fake.waitFor((f) => f.callsTo("sendChatAction").length >= 2);
    expect(
      fake
        .callsTo("sendChatAction")
        .every((c) => c.params.action === "upload_document" && c.params.chat_id === CHAT),
    ).toBe(true);

    await sink.send(progress(3));
    await sink.send(progress(3)); // same text again: Telegram says "message is not modified", which is fine
    await sink.send(results);
    expect(sink.chatActionRunning).toBe(false);

    const [ack] = fake.sent;
    expect(ack).toMatchObject({ kind: "send", chatId: CHAT, text: "🔎 Buscando… uniformes · SP" });
    expect(fake.sent.slice(1).map((m) => [m.kind, m.messageId])).toEqual([
      ["edit", ack!.messageId],
      ["edit", ack!.messageId],
    ]);
    expect(fake.sent[1]!.text).toBe("⏳ 3 de 10 páginas…");
    expect(fake.sent[2]!.raw).toContain(
      '<a href="https://pncp.gov.br/app/editais/1">Uniformes escolares</a>',
    );
    expect(
      fake
        .callsTo("editMessageText")
        .filter((c) => !c.ok)
        .map((c) => c.error),
    ).toEqual([expect.stringContaining("message is not modified")]);
    expect(fake.callsTo("sendMessage")[0]!.params).toMatchObject({
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
  });

  it("uploads the file from its Buffer with an escaped caption", async () => {
    const sink = sinkFor(CHAT);
    const data = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
    await sink.send({
      kind: "file",
      filename: "licitacoes-2026-03-01.xlsx",
      mimeType: "x",
      data,
      caption: "📎 Planilha <3>",
    });
    const [call] = fake.callsTo("sendDocument");
    expect(call!.ok).toBe(true);
    expect(call!.params.caption).toBe("📎 Planilha &lt;3&gt;");
    expect(call!.files).toHaveLength(1);
    expect(call!.files[0]!.filename).toBe("licitacoes-2026-03-01.xlsx");
    expect(call!.files[0]!.data.equals(data)).toBe(true);
  });

  it("answers in groups as a reply to the user's message", async () => {
    const sink = sinkFor(GROUP, { replyTo: 42 });
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    await sink.send({
      kind: "file",
      filename: "a.xlsx",
      mimeType: "x",
      data: Buffer.from("x"),
      caption: "c",
    });
    expect(fake.callsTo("sendMessage")[0]!.params.reply_parameters).toEqual({
      message_id: 42,
      allow_sending_without_reply: true,
    });
    expect(fake.callsTo("sendDocument")[0]!.params.reply_parameters).toEqual({
      message_id: 42,
      allow_sending_without_reply: true,
    });
  });

  it("replaces the ack with a job error and attaches URL buttons as an inline keyboard", async () => {
    const sink = sinkFor(CHAT);
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    await sink.send({
      kind: "error",
      code: "PNCP_UNAVAILABLE",
      text: "O PNCP está fora do ar.",
      buttons: [{ label: "Ver planos", url: "https://smartpncp.com.br/upgrade?token=t" }],
    });
    expect(fake.sent.map((m) => m.kind)).toEqual(["send", "edit"]);
    expect(fake.sent[1]).toMatchObject({
      text: "O PNCP está fora do ar.",
      buttons: [{ label: "Ver planos", url: "https://smartpncp.com.br/upgrade?token=t" }],
    });
    expect(sink.chatActionRunning).toBe(false);
  });

  it("sends the results as a new message when the ack can no longer be edited", async () => {
    const sink = sinkFor(CHAT);
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    fake.fail("editMessageText", { error_code: 400, description: "Bad Request: message to edit not found" });
    await sink.send(results);
    expect(fake.sent.map((m) => m.kind)).toEqual(["send", "send"]);
    expect(fake.sent[1]!.text).toContain("1 licitação encontrada");
  });

  it("drops progress that arrives after the results, so the results are never overwritten", async () => {
    const sink = sinkFor(CHAT);
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    const late = sink.send(progress(5));
    const done = sink.send(results);
    await Promise.all([late, done, sink.send(progress(9))]);
    expect(fake.sent.map((m) => m.kind)).toEqual(["send", "edit", "edit"]);
    expect(fake.sent.at(-1)!.text).toContain("1 licitação encontrada");
  });

  it("falls back to text links when Telegram refuses a button URL", async () => {
    await fake.close();
    fake = await startFakeTelegram({ rejectButtonUrl: (url) => url.includes("refused") });
    api = new Api(fake.token, { apiRoot: fake.apiRoot });
    const sink = sinkFor(CHAT);
    await sink.send({
      kind: "upgrade",
      text: "Cota esgotada.",
      buttons: [{ label: "Assinar", url: "https://refused.example.com/u" }],
    });
    const [refused, resent] = fake.callsTo("sendMessage");
    expect(refused!.error).toContain("button URL");
    expect(resent!.ok).toBe(true);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0]!.text).toBe("Cota esgotada.\n\n🔗 Assinar: https://refused.example.com/u");
    expect(fake.sent[0]!.buttons).toEqual([]);
  });
});

describe("telegramErrorFields", () => {
  it("never logs the fetch error wrapped by HttpError, whose URL carries the bot token", () => {
    const inner = new Error(
      "request to https://api.telegram.org/bot123456:SECRET/sendMessage failed, reason: ECONNRESET",
    );
    const fields = telegramErrorFields(new HttpError("Network request for 'sendMessage' failed!", inner));
    expect(JSON.stringify(fields)).not.toContain("SECRET");
    expect(fields).toEqual({
      err: { type: "HttpError", message: "Network request for 'sendMessage' failed!" },
    });
  });

  it("keeps method, code and description of Bot API errors", () => {
    const error = new GrammyError(
      "Call to 'sendMessage' failed!",
      { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
      "sendMessage",
      {},
    );
    expect(telegramErrorFields(error)).toEqual({
      method: "sendMessage",
      code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
  });
});
