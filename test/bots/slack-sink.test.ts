import { webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackSink, FILE_INVITE_HINT, INVITE_HINT, type RespondFn } from "../../src/bots/slack-sink.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { XLSX_MIME } from "../../src/core/chat/reply.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack.ts";

const TOKEN = "xoxb-sink-test";

let fake: FakeSlack;
let client: webApi.WebClient;

beforeEach(async () => {
  fake = await startFakeSlack({ tokens: [TOKEN] });
  client = new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
});

afterEach(async () => {
  await fake.close();
});

/** Like Bolt's respond(): a JSON POST to the response_url. */
function respondTo(url: string): RespondFn {
  return async (message) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
    });
    if (!response.ok) throw new Error(`respond ${response.status}`);
  };
}

const results: Reply = {
  kind: "results",
  text: "📋 1 licitação encontrada",
  headline: "1 licitação encontrada",
  description: "Uniformes · SP · últimos 7 dias",
  summary: { text: "Uma licitação.", highlights: [], alert: null, source: "fallback" },
  totals: { count: 1, totalValue: 0, withValue: 0, closingSoon: 0 },
  bids: [],
  more: 0,
  notes: [],
  partial: false,
};
const file: Reply = {
  kind: "file",
  filename: "licitacoes-2026-09-21.xlsx",
  mimeType: XLSX_MIME,
  data: Buffer.from("PK\u0003\u0004 planilha"),
  caption: "📎 Planilha com 1 licitação",
};

describe("Slack reply sink", () => {
  it("posts 'Buscando…', edits it with progress and results, and uploads the file into the thread", async () => {
    const sink = createSlackSink({
      client,
      channel: "C1",
      userId: "U1",
      threadTs: "111.222",
      logger: silentLogger(),
    });
    await sink.send({ kind: "searching", text: "🔎 Buscando… uniformes em SP" });
    await sink.send({ kind: "progress", text: "⏳ 2 de 4 páginas…", pagesDone: 2, pagesTotal: 4 });
    await sink.send(results);
    await sink.send(file);

    expect(fake.messages.map((m) => [m.via, m.channel, m.text])).toEqual([
      ["chat.postMessage", "C1", "🔎 Buscando… uniformes em SP"],
      ["chat.update", "C1", "⏳ 2 de 4 páginas…"],
      ["chat.update", "C1", "📋 1 licitação encontrada"],
    ]);
    const posted = fake.callsOf("chat.postMessage")[0]!;
    expect(posted.params.thread_ts).toBe("111.222");
    const ts = fake.messages[0]!.ts;
    expect(fake.callsOf("chat.update").map((c) => c.params.ts)).toEqual([ts, ts]);
    const [upload] = fake.completedUploads();
    expect(upload).toMatchObject({
      filename: "licitacoes-2026-09-21.xlsx",
      channelId: "C1",
      threadTs: "111.222",
      initialComment: "📎 Planilha com 1 licitação",
    });
    expect(upload!.data.equals(Buffer.from("PK\u0003\u0004 planilha"))).toBe(true);
    expect(fake.calls.every((c) => c.token === TOKEN)).toBe(true);
  });

  it("not_in_channel on the upload: tells the user how to invite the bot and sends the file by DM", async () => {
    fake.fail("files.completeUploadExternal", "not_in_channel", { when: (p) => p.channel_id === "C1" });
    const sink = createSlackSink({
      client,
      channel: "C1",
      userId: "U7",
      respond: respondTo(fake.responseUrl("r1")),
      logger: silentLogger(),
    });
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    await sink.send(results);
    await sink.send(file);

    expect(fake.responses).toHaveLength(1);
    expect(fake.responses[0]!.body).toMatchObject({ response_type: "ephemeral", text: FILE_INVITE_HINT });
    expect(String(fake.responses[0]!.body.text)).toContain("/invite @Smart PNCP");
    expect(fake.callsOf("conversations.open")[0]!.params.users).toBe("U7");
    expect(fake.completedUploads().map((u) => u.channelId)).toEqual(["D7"]);
  });

  it("channel_not_found on the first post of an event (no response_url): ephemeral hint, then replies only the user sees", async () => {
    fake.fail("chat.postMessage", "channel_not_found", { when: (p) => p.channel === "G1" });
    const sink = createSlackSink({ client, channel: "G1", userId: "U1", logger: silentLogger() });
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    await sink.send({ kind: "progress", text: "⏳", pagesDone: 1, pagesTotal: 3 });
    await sink.send(results);

    const ephemerals = fake.callsOf("chat.postEphemeral");
    expect(ephemerals.map((c) => c.params.text)).toEqual([
      INVITE_HINT,
      "🔎 Buscando…",
      "📋 1 licitação encontrada",
    ]);
    expect(ephemerals.every((c) => c.params.user === "U1" && c.params.channel === "G1")).toBe(true);
    expect(fake.callsOf("chat.update")).toEqual([]);
    expect(fake.callsOf("chat.postMessage")).toHaveLength(1);
  });

  it("falls back to a DM when even the ephemeral message is refused", async () => {
    fake.fail("chat.postMessage", "not_in_channel", { when: (p) => p.channel === "C2" });
    fake.fail("chat.postEphemeral", "not_in_channel");
    const sink = createSlackSink({ client, channel: "C2", userId: "U3", logger: silentLogger() });
    await sink.send({ kind: "text", text: "Ajuda" });
    const dms = fake.callsOf("chat.postMessage").filter((c) => c.params.channel === "U3");
    expect(dms.map((c) => c.params.text)).toEqual([INVITE_HINT, "Ajuda"]);
  });

  it("answers a slash command's text and upgrade replies ephemerally, never in the channel", async () => {
    const sink = createSlackSink({
      client,
      channel: "C1",
      userId: "U1",
      respond: respondTo(fake.responseUrl("r2")),
      logger: silentLogger(),
    });
    await sink.send({
      kind: "upgrade",
      text: "Você usou as 3 buscas",
      buttons: [{ label: "Assinar", url: "https://bot.example.test/upgrade?token=x" }],
    });
    expect(fake.callsOf("chat.postMessage")).toEqual([]);
    expect(fake.responses).toHaveLength(1);
    expect(fake.responses[0]!.body).toMatchObject({
      response_type: "ephemeral",
      replace_original: false,
      text: "Você usou as 3 buscas",
    });
    expect(JSON.stringify(fake.responses[0]!.body.blocks)).toContain(
      "https://bot.example.test/upgrade?token=x",
    );
  });

  it("replaces the 'Buscando…' message with the error when the search fails", async () => {
    const sink = createSlackSink({
      client,
      channel: "C1",
      userId: "U1",
      respond: respondTo(fake.responseUrl("r3")),
      logger: silentLogger(),
    });
    await sink.send({ kind: "searching", text: "🔎 Buscando…" });
    await sink.send({ kind: "error", code: "PNCP_UNAVAILABLE", text: "O PNCP não está respondendo." });
    expect(fake.messages.map((m) => [m.via, m.text])).toEqual([
      ["chat.postMessage", "🔎 Buscando…"],
      ["chat.update", "O PNCP não está respondendo."],
    ]);
    expect(fake.responses).toEqual([]);
  });

  it("propagates other Slack errors instead of hiding them", async () => {
    fake.fail("chat.postMessage", "ratelimited");
    const sink = createSlackSink({ client, channel: "C1", userId: "U1", logger: silentLogger() });
    await expect(sink.send({ kind: "searching", text: "🔎" })).rejects.toMatchObject({
      data: { error: "ratelimited" },
    });
  });
});
