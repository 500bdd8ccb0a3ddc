import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { XLSX_MIME } from "../../src/core/chat/reply.ts";
import { type FakeWhatsApp, startFakeWhatsApp } from "../fakes/fake-whatsapp.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import {
  messageWebhook,
  postWebhook,
  statusWebhook,
  textWebhook,
  toSentMessage,
  WA,
  whatsappAdapterOf,
  whatsappEnv,
} from "./whatsapp-driver.ts";

/**
 * End to end through the real server (createApp from env), the real WhatsApp adapter and Graph client
 * against the loopback fake Graph API, the real core and the fake PNCP serving recorded records. One app
 * for the file (building one is slow); each test talks as its own user so quotas never mix.
 */

/** Pacing interval for these tests (WHATSAPP_MIN_INTERVAL_MS); small so the suite stays fast. */
const INTERVAL_MS = 120;
/**
 * Tests sending several messages to one user. Generous so they still pass (slowly) where pacing falls back
 * to its 6 s production default; with WHATSAPP_MIN_INTERVAL_MS honoured they take well under a second.
 */
const PACED = 90_000;

let graph: FakeWhatsApp;
let t: TestApp;
let userSeq = 0;

/** A fresh sender for one test: phone only (pre-BSUID payload) unless a BSUID is asked for. */
function newPhone(): string {
  userSeq += 1;
  return `55119${String(userSeq).padStart(8, "0")}`;
}

beforeAll(async () => {
  graph = await startFakeWhatsApp({ token: WA.token, phoneNumberId: WA.phoneNumberId });
  t = await createTestApp({ env: whatsappEnv(graph, INTERVAL_MS) });
});

beforeEach(async () => {
  await t.drain();
  graph.reset();
});

afterAll(async () => {
  await t?.close();
  await graph?.close();
});

async function usage(userId: string): Promise<number> {
  const accountId = await t.store.resolveIdentity({
    platform: "whatsapp",
    userId,
    teamId: null,
    displayName: null,
  });
  return (await t.store.getAccountStatus(accountId, t.clock.now())).used;
}

const texts = () => graph.messages.map((m) => toSentMessage(m).text);

describe("GET /whatsapp/webhook (subscription handshake)", () => {
  const verify = (query: Record<string, string>) =>
    fetch(`${t.baseUrl}/whatsapp/webhook?${new URLSearchParams(query)}`).then(async (r) => ({
      status: r.status,
      body: await r.text(),
    }));

  it("echoes hub.challenge as text when the verify token matches", async () => {
    const res = await verify({
      "hub.mode": "subscribe",
      "hub.verify_token": WA.verifyToken,
      "hub.challenge": "1158201444",
    });
    expect(res).toEqual({ status: 200, body: "1158201444" });
  });

  it("answers 403 to a wrong token or a wrong mode", async () => {
    expect(
      (await verify({ "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1" })).status,
    ).toBe(403);
    expect(
      (await verify({ "hub.mode": "other", "hub.verify_token": WA.verifyToken, "hub.challenge": "1" }))
        .status,
    ).toBe(403);
  });
});

describe("POST /whatsapp/webhook", () => {
  it(
    "a signed text search: 200, 🔎 Buscando…, results, the .xlsx uploaded and sent as a document",
    async () => {
      const bsuid = "BR.1502576394655843";
      const phone = newPhone();
      await t.setPlan("whatsapp", bsuid, null, "maquina");
      const status = await postWebhook(
        t.baseUrl,
        textWebhook("wamid.flow-1", "uniformes SP 30d", { userId: bsuid, phone }),
      );
      expect(status).toBe(200);
      await t.drain();

      expect(graph.messages.every((m) => m.to === phone)).toBe(true);
      const first = graph.messages[0]!;
      expect(first.type).toBe("text");
      expect(first.body.text.body).toMatch(/^🔎 Buscando… /);
      expect(first.body.text.body).toContain("SP");

      const summary = texts().join("\n");
      const counted = /(\d+) licitaç(?:ão|ões) encontradas?/.exec(summary);
      expect(counted).not.toBeNull();
      const count = Number(counted![1]);
      expect(count).toBeGreaterThan(0);

      expect(graph.media).toHaveLength(1);
      const media = graph.media[0]!;
      expect(media.messagingProduct).toBe("whatsapp");
      expect(media.type).toBe(XLSX_MIME);
      expect(media.filename).toMatch(/^licitacoes-.*\.xlsx$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(media.data as unknown as ArrayBuffer);
      const sheet = workbook.getWorksheet("Licitações");
      expect(sheet).toBeDefined();
      expect(sheet!.getRow(1).getCell(1).value).toBe("Código PNCP");
      const ids: string[] = [];
      sheet!.eachRow((row, n) => {
        const id = row.getCell(1).text;
        if (n > 1 && typeof id === "string" && /-1-\d{6}\/\d{4}$/.test(id)) ids.push(id);
      });
      expect(ids.length).toBe(count);

      const documents = graph.messages.filter((m) => m.type === "document");
      expect(documents).toHaveLength(1);
      const doc = documents[0]!;
      expect(doc.body.document.id).toBe(media.id);
      expect(doc.body.document.filename).toBe(media.filename);
      expect(doc.body.document.caption).toContain("📎 Planilha");
      expect(doc.at).toBeGreaterThanOrEqual(media.at);
      expect(graph.messages.at(-1)).toBe(doc);
    },
    PACED,
  );

  it("refuses a bad or missing signature with 401 and runs nothing", async () => {
    const phone = newPhone();
    const pncpBefore = t.pncp.requests.length;
    const body = textWebhook("wamid.bad-1", "uniformes SP 30d", { phone });
    expect(await postWebhook(t.baseUrl, body, { badSignature: true })).toBe(401);
    expect(await postWebhook(t.baseUrl, body, { signature: null })).toBe(401);
    expect(await postWebhook(t.baseUrl, body, { signature: "sha256=deadbeef" })).toBe(401);
    await t.drain();
    expect(graph.requests).toEqual([]);
    expect(t.pncp.requests.length).toBe(pncpBefore);
    expect(await usage(phone)).toBe(0);
  });

  it(
    "searches a wamid delivered twice only once",
    async () => {
      const phone = newPhone();
      const body = textWebhook("wamid.dup-1", "SP 7d", { phone });
      expect(await postWebhook(t.baseUrl, body)).toBe(200);
      expect(await postWebhook(t.baseUrl, body)).toBe(200);
      await t.drain();
      expect(texts().filter((x) => x.startsWith("🔎 Buscando"))).toHaveLength(1);
      expect(texts().join("\n")).toMatch(/licitaç(ão|ões) encontradas?/);
      expect(await usage(phone)).toBe(1);
    },
    PACED,
  );

  it("ignores status callbacks: 200 and nothing sent", async () => {
    const pncpBefore = t.pncp.requests.length;
    expect(await postWebhook(t.baseUrl, statusWebhook("wamid.fake-1", "delivered"))).toBe(200);
    expect(await postWebhook(t.baseUrl, statusWebhook("wamid.fake-1", "read"))).toBe(200);
    await t.drain();
    expect(graph.requests).toEqual([]);
    expect(t.pncp.requests.length).toBe(pncpBefore);
  });

  it(
    "identifies by BSUID when present: two phones, one BSUID, one account",
    async () => {
      const bsuid = "BR.7777000011112222";
      const [a, b] = [newPhone(), newPhone()];
      await postWebhook(t.baseUrl, textWebhook("wamid.id-1", "SP 7d", { userId: bsuid, phone: a }));
      await postWebhook(t.baseUrl, textWebhook("wamid.id-2", "SP 7d", { userId: bsuid, phone: b }));
      await t.drain();
      expect(await usage(bsuid)).toBe(2);
      expect(await usage(a)).toBe(0);
      expect(new Set(graph.messages.map((m) => m.to))).toEqual(new Set([a, b]));
    },
    PACED,
  );

  it(
    "replies to a username user without a phone by BSUID",
    async () => {
      await postWebhook(
        t.baseUrl,
        textWebhook("wamid.user-1", "ajuda", { userId: "BR.5550001", phone: null }),
      );
      await t.drain();
      expect(graph.messages.length).toBeGreaterThan(0);
      expect(graph.messages.every((m) => m.body.recipient === "BR.5550001" && m.body.to === undefined)).toBe(
        true,
      );
    },
    PACED,
  );

  it("answers an image with a pt-BR hint that only text is understood, once per wamid", async () => {
    const pncpBefore = t.pncp.requests.length;
    const image = messageWebhook(
      "wamid.img-1",
      { type: "image", image: { id: "1234", mime_type: "image/jpeg" } },
      { phone: newPhone() },
    );
    expect(await postWebhook(t.baseUrl, image)).toBe(200);
    expect(await postWebhook(t.baseUrl, image)).toBe(200);
    await t.drain();
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain("só entendo mensagens de texto");
    expect(t.pncp.requests.length).toBe(pncpBefore);
  });

  it("answers 400 to a signed body that is not JSON and 200 to JSON it does not know, sending nothing", async () => {
    expect(await postWebhook(t.baseUrl, "{not json")).toBe(400);
    expect(await postWebhook(t.baseUrl, { hello: "world" })).toBe(200);
    await t.drain();
    expect(graph.requests).toEqual([]);
  });

  it("offers a CTA URL button to the upgrade page when the quota is used up", async () => {
    const phone = newPhone();
    const accountId = await t.store.resolveIdentity({
      platform: "whatsapp",
      userId: phone,
      teamId: null,
      displayName: null,
    });
    for (let i = 0; i < 3; i++)
      expect((await t.store.consumeSearch(accountId, 7, t.clock.now())).allowed).toBe(true);
    const pncpBefore = t.pncp.requests.length;
    await postWebhook(t.baseUrl, textWebhook("wamid.q-4", "SP 7d", { phone }));
    await t.drain();
    expect(t.pncp.requests.length).toBe(pncpBefore);
    expect(graph.messages).toHaveLength(1);
    const cta = graph.messages[0]!;
    expect(cta.type).toBe("interactive");
    expect(cta.body.interactive.type).toBe("cta_url");
    expect(cta.body.interactive.body.text).toContain("Você usou as 3 buscas do seu teste grátis.");
    const { display_text, url } = cta.body.interactive.action.parameters;
    expect(display_text.length).toBeLessThanOrEqual(20);
    expect(url).toMatch(/^https:\/\/bot\.example\.test\/upgrade\?token=/);
  });

  it("keeps going through Graph 429 and 500 answers (bounded retry)", async () => {
    graph.failNext("http_429", { endpoint: "messages" });
    graph.failNext("http_500", { endpoint: "messages" });
    await postWebhook(t.baseUrl, textWebhook("wamid.retry-1", "ajuda", { phone: newPhone() }));
    await t.drain();
    expect(graph.requests.map((r) => r.status)).toEqual([429, 500, 200]);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]!.length).toBeGreaterThan(20);
  });

  it(
    "paces messages to one user: never two closer than the configured interval",
    async () => {
      const phone = newPhone();
      await t.setPlan("whatsapp", phone, null, "maquina");
      await postWebhook(t.baseUrl, textWebhook("wamid.pace-1", "SP 7d", { phone }));
      await postWebhook(
        t.baseUrl,
        messageWebhook("wamid.pace-2", { type: "sticker", sticker: { id: "9" } }, { phone }),
      );
      await postWebhook(t.baseUrl, textWebhook("wamid.pace-3", "ajuda", { phone }));
      await t.drain();
      const times = graph.messages.filter((m) => m.to === phone).map((m) => m.at);
      expect(times.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < times.length; i++) {
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS);
      }
      // WHATSAPP_MIN_INTERVAL_MS reached the adapter (else production's 6 s would apply here).
      expect(whatsappAdapterOf(t).minIntervalMs).toBe(INTERVAL_MS);
    },
    PACED,
  );
});
