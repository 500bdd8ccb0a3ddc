import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeWhatsApp, startFakeWhatsApp } from "../../test/fakes/fake-whatsapp.ts";
import { createWhatsAppClient, isBsuid, WhatsAppApiError, type WhatsAppClient } from "./whatsapp-client.ts";

const TOKEN = "secret-token-abc";
const PHONE_ID = "1055";

let graph: FakeWhatsApp;
let delays: number[];
let client: WhatsAppClient;

beforeAll(async () => {
  graph = await startFakeWhatsApp({ token: TOKEN, phoneNumberId: PHONE_ID });
});
afterAll(() => graph.close());
beforeEach(() => {
  graph.reset();
  delays = [];
  client = createWhatsAppClient({
    token: TOKEN,
    phoneNumberId: PHONE_ID,
    graphUrl: `${graph.url}/`,
    apiVersion: "v23.0",
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
});

describe("WhatsApp client", () => {
  it("sends a text to a phone with the Bearer token and returns the wamid", async () => {
    const id = await client.sendText("5511987654321", "Olá *mundo*");
    expect(id).toBe(graph.messages[0]!.id);
    expect(graph.messages[0]!.version).toBe("v23.0");
    expect(graph.messages[0]!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "5511987654321",
      type: "text",
      text: { body: "Olá *mundo*", preview_url: false },
    });
  });

  it("addresses a username user by BSUID through `recipient`", async () => {
    expect(isBsuid("BR.1502576394655843")).toBe(true);
    expect(isBsuid("5511987654321")).toBe(false);
    await client.sendText("BR.1502576394655843", "oi");
    expect(graph.messages[0]!.body.recipient).toBe("BR.1502576394655843");
    expect(graph.messages[0]!.body.to).toBeUndefined();
  });

  it("sends a CTA URL interactive message", async () => {
    await client.sendCtaUrl("5511987654321", {
      body: "Assine",
      displayText: "Plano Máquina",
      url: "https://x.test/u?t=1",
    });
    expect(graph.messages[0]!.body.interactive).toEqual({
      type: "cta_url",
      body: { text: "Assine" },
      action: { name: "cta_url", parameters: { display_text: "Plano Máquina", url: "https://x.test/u?t=1" } },
    });
  });

  it("uploads media as multipart and sends it as a document by id", async () => {
    const data = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 255]);
    const mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    const mediaId = await client.uploadMedia({ data, mimeType: mime, filename: "licitacoes.xlsx" });
    expect(graph.media[0]).toMatchObject({
      id: mediaId,
      messagingProduct: "whatsapp",
      type: mime,
      filename: "licitacoes.xlsx",
    });
    expect(graph.media[0]!.contentType).toBe(mime);
    expect(graph.media[0]!.data.equals(data)).toBe(true);
    await client.sendDocument("5511987654321", {
      mediaId,
      filename: "licitacoes.xlsx",
      caption: "📎 Planilha",
    });
    expect(graph.messages[0]!.body.document).toEqual({
      id: mediaId,
      filename: "licitacoes.xlsx",
      caption: "📎 Planilha",
    });
  });

  it("retries 429, 500 and the pair rate limit with growing delays, then succeeds", async () => {
    graph.failNext("http_429");
    graph.failNext("http_500");
    graph.failNext("pair_rate_limit");
    await client.sendText("5511987654321", "depois de três falhas");
    expect(graph.messages.map((m) => m.body.text.body)).toEqual(["depois de três falhas"]);
    expect(graph.requests.map((r) => r.status)).toEqual([429, 500, 400, 200]);
    expect(delays).toEqual([500, 1000, 2000]);
  });

  it("retries a failed upload too", async () => {
    graph.failNext("http_500", { endpoint: "media" });
    const id = await client.uploadMedia({
      data: Buffer.from("x"),
      mimeType: "text/plain",
      filename: "a.txt",
    });
    expect(id).toBe(graph.media[0]!.id);
    expect(delays).toEqual([500]);
  });

  it("gives up after the retry budget with status and Graph code", async () => {
    graph.failNext("http_429", { count: 10 });
    const error = await client.sendText("5511987654321", "x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WhatsAppApiError);
    const e = error as WhatsAppApiError;
    expect(e.status).toBe(429);
    expect(e.graphCode).toBe(130429);
    expect(e.operation).toBe("messages");
    expect(e.retryable).toBe(true);
    expect(graph.requests.length).toBe(4);
    expect(graph.messages.length).toBe(0);
  });

  it("does not retry an invalid token, and never puts the token in the error", async () => {
    const wrong = createWhatsAppClient({
      token: "the-wrong-token-xyz",
      phoneNumberId: PHONE_ID,
      graphUrl: graph.url,
      apiVersion: "v23.0",
      sleep: async () => {},
    });
    const error = (await wrong.sendText("5511987654321", "x").catch((e: unknown) => e)) as WhatsAppApiError;
    expect(error.status).toBe(401);
    expect(error.graphCode).toBe(190);
    expect(error.retryable).toBe(false);
    expect(graph.requests.length).toBe(1);
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain("the-wrong-token-xyz");
  });

  it("reports a network failure as retryable without a status", async () => {
    const dead = createWhatsAppClient({
      token: TOKEN,
      phoneNumberId: PHONE_ID,
      graphUrl: "http://127.0.0.1:1",
      apiVersion: "v23.0",
      maxRetries: 1,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const error = (await dead.sendText("5511987654321", "x").catch((e: unknown) => e)) as WhatsAppApiError;
    expect(error).toBeInstanceOf(WhatsAppApiError);
    expect(error.status).toBeNull();
    expect(error.retryable).toBe(true);
    expect(delays).toEqual([500]);
  });

  it("surfaces Graph's validation error for a document with an unknown media id", async () => {
    const error = (await client
      .sendDocument("5511987654321", { mediaId: "nope", filename: "a.xlsx" })
      .catch((e: unknown) => e)) as WhatsAppApiError;
    expect(error.status).toBe(400);
    expect(error.graphCode).toBe(131053);
    expect(error.message).toContain("unknown media id");
  });
});
