import { describe, expect, it } from "vitest";
import type { BidLine, Reply } from "../core/chat/reply.ts";
import { XLSX_MIME } from "../core/chat/reply.ts";
import { silentLogger } from "../core/ports/logger.ts";
import type {
  CtaUrlMessage,
  DocumentMessage,
  MediaFile,
  ReplyButtonsMessage,
  WhatsAppClient,
} from "./whatsapp-client.ts";
import { WhatsAppApiError } from "./whatsapp-client.ts";
import { Pacer } from "./whatsapp-pacer.ts";
import { WhatsAppSink } from "./whatsapp-sink.ts";

type Sent =
  | { at: number; to: string; type: "text"; body: string }
  | { at: number; to: string; type: "cta"; message: CtaUrlMessage }
  | { at: number; to: string; type: "buttons"; message: ReplyButtonsMessage }
  | { at: number; to: string; type: "document"; document: DocumentMessage };

/** An in-memory WhatsAppClient recording what would have been sent. */
class RecordingClient implements WhatsAppClient {
  sent: Sent[] = [];
  uploads: MediaFile[] = [];
  failUpload = false;
  failNextSend = false;

  async sendText(to: string, body: string) {
    return this.#record({ at: Date.now(), to, type: "text", body });
  }
  async sendCtaUrl(to: string, message: CtaUrlMessage) {
    return this.#record({ at: Date.now(), to, type: "cta", message });
  }
  async sendReplyButtons(to: string, message: ReplyButtonsMessage) {
    return this.#record({ at: Date.now(), to, type: "buttons", message });
  }
  async uploadMedia(file: MediaFile) {
    if (this.failUpload)
      throw new WhatsAppApiError("media", { status: 500, detail: "boom" }, { retryable: true });
    this.uploads.push(file);
    return `media-${this.uploads.length}`;
  }
  async sendDocument(to: string, document: DocumentMessage) {
    return this.#record({ at: Date.now(), to, type: "document", document });
  }
  #record(entry: Sent): string {
    if (this.failNextSend) {
      this.failNextSend = false;
      throw new WhatsAppApiError(
        "messages",
        { status: 400, graphCode: 131047, detail: "re-engagement" },
        { retryable: false },
      );
    }
    this.sent.push(entry);
    return `wamid.${this.sent.length}`;
  }
}

const bidLine: BidLine = {
  title: "Uniformes escolares",
  value: "R$ 1.000,00",
  agency: "PREFEITURA DE SANTOS",
  uf: "SP",
  municipality: "Santos",
  closesAt: "28/09/2026 09:00",
  status: "Recebendo propostas",
  link: "https://pncp.gov.br/app/editais/1",
};

function results(bidCount = 1, fileFollows = false): Extract<Reply, { kind: "results" }> {
  const bids = Array.from({ length: bidCount }, (_, i) => ({
    ...bidLine,
    title: `${bidLine.title} ${"lote ".repeat(30)}${i}`,
  }));
  return {
    kind: "results",
    text: `📋 ${bidCount} licitações encontradas\nuniformes · SP`,
    headline: `${bidCount} licitações encontradas`,
    description: "uniformes · SP",
    summary: { text: "Resumo curto.", highlights: [], alert: null, source: "fallback" },
    totals: { count: bidCount, totalValue: 1000, withValue: 1, closingSoon: 1 },
    bids,
    more: 0,
    notes: [],
    partial: false,
    fileFollows,
  };
}

const file: Extract<Reply, { kind: "file" }> = {
  kind: "file",
  filename: "licitacoes-2026-09-21.xlsx",
  mimeType: XLSX_MIME,
  data: Buffer.from("PK-bytes"),
  caption: "📎 Planilha com 1 licitação",
};

function setup(
  options: {
    minIntervalMs?: number;
    now?: () => number;
    progressAfterMs?: number;
    mergeWindowMs?: number;
  } = {},
) {
  const client = new RecordingClient();
  const pacer = new Pacer({ minIntervalMs: options.minIntervalMs ?? 0 });
  const deps = { client, pacer, logger: silentLogger() };
  const sink = (to = "5511999990000") =>
    new WhatsAppSink(to, deps, {
      mergeWindowMs: options.mergeWindowMs ?? 30,
      progressAfterMs: options.progressAfterMs ?? 15_000,
      now: options.now,
    });
  return { client, pacer, sink };
}

describe("WhatsAppSink", () => {
  it("sends searching as one text", async () => {
    const { client, sink } = setup();
    await sink().send({ kind: "searching", text: "🔎 Buscando… uniformes · SP" });
    expect(client.sent).toMatchObject([
      { type: "text", body: "🔎 Buscando… uniformes · SP", to: "5511999990000" },
    ]);
  });

  it("sends no progress on a short search and exactly one on a long one", async () => {
    let now = 0;
    const { client, sink } = setup({ now: () => now });
    const s = sink();
    await s.send({ kind: "searching", text: "🔎 Buscando…" });
    const progress = (n: number): Reply => ({
      kind: "progress",
      text: `⏳ ${n} de 20`,
      pagesDone: n,
      pagesTotal: 20,
    });
    now = 14_999;
    await s.send(progress(3));
    now = 15_000;
    await s.send(progress(8));
    now = 40_000;
    await s.send(progress(15));
    expect(client.sent.map((m) => (m.type === "text" ? m.body : m.type))).toEqual([
      "🔎 Buscando…",
      "⏳ 8 de 20",
    ]);
  });

  it("drops a progress message still waiting for its slot when the results arrive", async () => {
    let now = 0;
    const { client, sink } = setup({ minIntervalMs: 80, now: () => now, progressAfterMs: 10 });
    const s = sink();
    await s.send({ kind: "searching", text: "🔎 Buscando…" });
    now = 100;
    const waiting = s.send({ kind: "progress", text: "⏳ 1 de 2", pagesDone: 1, pagesTotal: 2 });
    await s.send(results());
    await waiting;
    await s.settled();
    expect(client.sent.map((m) => m.type)).toEqual(["text", "text"]);
    expect(client.sent.some((m) => m.type === "text" && m.body.includes("⏳"))).toBe(false);
  });

  it("merges results and file into one document whose caption is the summary", async () => {
    const { client, sink } = setup();
    const s = sink();
    await s.send(results(1, true));
    await s.send(file);
    await s.settled();
    expect(client.uploads).toEqual([{ data: file.data, mimeType: XLSX_MIME, filename: file.filename }]);
    expect(client.sent).toHaveLength(1);
    const doc = client.sent[0] as Extract<Sent, { type: "document" }>;
    expect(doc.document.mediaId).toBe("media-1");
    expect(doc.document.filename).toBe(file.filename);
    expect(doc.document.caption).toContain("*1 licitações encontradas*");
    expect(doc.document.caption).toContain("📎 Planilha com 1 licitação");
  });

  it("sends long results as text and then the document with the file's caption", async () => {
    const { client, sink } = setup();
    const s = sink();
    await s.send(results(5, true));
    await s.send(file);
    await s.settled();
    expect(client.sent.map((m) => m.type)).toEqual(["text", "document"]);
    expect((client.sent[1] as Extract<Sent, { type: "document" }>).document.caption).toBe(
      "📎 Planilha com 1 licitação",
    );
  });

  it("sends results at once when no file follows", async () => {
    const { client, sink } = setup();
    const s = sink();
    await s.send(results());
    expect(client.sent.map((m) => m.type)).toEqual(["text"]);
  });

  it("waits for an announced file only up to the merge window, then sends the results alone", async () => {
    const { client, sink } = setup();
    const s = sink();
    await s.send(results(1, true));
    expect(client.sent).toEqual([]);
    await s.settled();
    expect(client.sent.map((m) => m.type)).toEqual(["text"]);
  });

  it("releases held results before a text that follows them (the file is not coming), without the wait", async () => {
    const { client, sink } = setup({ mergeWindowMs: 60_000, minIntervalMs: 20 });
    const s = sink();
    await s.send(results(1, true));
    expect(client.sent).toEqual([]);
    const started = Date.now();
    await s.send({ kind: "text", text: "Não consegui enviar a planilha Excel nesta conversa agora." });
    await s.settled();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(client.sent.map((m) => (m.type === "text" ? m.body.split("\n")[0] : m.type))).toEqual([
      "📋 *1 licitações encontradas*",
      "Não consegui enviar a planilha Excel nesta conversa agora.",
    ]);
  });

  it("a file that arrived before a following text goes out first, merged with its results", async () => {
    const { client, sink } = setup({ mergeWindowMs: 60_000 });
    const s = sink();
    await s.send(results(1, true));
    const fileSent = s.send(file);
    await s.send({ kind: "text", text: "depois" });
    await fileSent;
    await s.settled();
    expect(client.sent.map((m) => m.type)).toEqual(["document", "text"]);
  });

  it("sends the summary with a warning when the upload fails", async () => {
    const { client, sink } = setup();
    client.failUpload = true;
    const s = sink();
    await s.send(results(1, true));
    await s.send(file);
    await s.settled();
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toMatchObject({ type: "text" });
    expect((client.sent[0] as { body: string }).body).toContain("Não consegui enviar a planilha agora");
  });

  it("renders upgrade as a CTA URL button", async () => {
    const { client, sink } = setup();
    await sink().send({
      kind: "upgrade",
      text: "Você usou as 3 buscas do plano Teste grátis este mês.",
      buttons: [{ label: "Assinar Consultor Ágil", url: "https://bot.test/upgrade?token=x" }],
    });
    expect(client.sent).toHaveLength(1);
    expect(client.sent[0]).toMatchObject({
      type: "cta",
      message: { displayText: "Plano Consultor Ágil", url: "https://bot.test/upgrade?token=x" },
    });
  });

  it("never throws on a failed send and keeps sending the rest", async () => {
    const { client, sink } = setup();
    client.failNextSend = true;
    const s = sink();
    await expect(s.send({ kind: "text", text: "primeira" })).resolves.toBeUndefined();
    await s.send({ kind: "text", text: "segunda" });
    expect(client.sent.map((m) => (m.type === "text" ? m.body : ""))).toEqual(["segunda"]);
  });

  it("paces messages to one user and leaves other users alone", async () => {
    const { client, sink } = setup({ minIntervalMs: 300 });
    const a = sink("5511000000001");
    const b = sink("5511000000002");
    await Promise.all([
      a.send({ kind: "text", text: "a1" }),
      a.send({ kind: "text", text: "a2" }),
      a.send({ kind: "text", text: "a3" }),
      b.send({ kind: "text", text: "b1" }),
    ]);
    const times = (to: string) => client.sent.filter((m) => m.to === to).map((m) => m.at);
    const at = times("5511000000001");
    expect(
      client.sent.filter((m) => m.to === "5511000000001").map((m) => (m as { body: string }).body),
    ).toEqual(["a1", "a2", "a3"]);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(300);
    expect(times("5511000000002")[0]! - at[0]!).toBeLessThan(300);
  });
});

describe("Pacer", () => {
  it("does not use a slot for a send that decided not to send", async () => {
    const pacer = new Pacer({ minIntervalMs: 10_000 });
    const order: string[] = [];
    await pacer.run("u", async () => {
      order.push("skipped");
      return false;
    });
    const started = Date.now();
    await pacer.run("u", async () => {
      order.push("sent");
      return true;
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(order).toEqual(["skipped", "sent"]);
    await pacer.idle();
  });

  it("waits the interval after a failed send too, and passes the error on", async () => {
    const slept: number[] = [];
    let now = 1000;
    const pacer = new Pacer({
      minIntervalMs: 6000,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    await expect(
      pacer.run("u", async () => {
        throw new Error("x");
      }),
    ).rejects.toThrow("x");
    now += 1000;
    await pacer.run("u", async () => true);
    expect(slept).toEqual([5000]);
  });
});
