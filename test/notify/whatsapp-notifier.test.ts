import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWhatsAppClient } from "../../src/bots/whatsapp-client.ts";
import {
  createWhatsAppNotifier,
  templateText,
  WHATSAPP_WINDOW_MS,
} from "../../src/bots/whatsapp-notifier.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Notifier } from "../../src/core/ports/notifier.ts";
import { type FakeWhatsApp, startFakeWhatsApp, WA } from "../fakes/fake-whatsapp.ts";
import { BILLING_TEXT, results, UPGRADE, xlsx } from "./replies.ts";

/** The WhatsApp notifier through our Graph client against the loopback Cloud API. */

const NOW = new Date("2026-12-01T12:00:00Z");
const TEMPLATE = { name: "smart_pncp_aviso", language: "pt_BR" };
let graph: FakeWhatsApp;
const clock = new FixedClock(NOW);
const lastInbound = new Map<string, Date>();

function notifierWith(template?: typeof TEMPLATE): Notifier {
  return createWhatsAppNotifier({
    client: createWhatsAppClient({
      token: graph.token,
      phoneNumberId: graph.phoneNumberId,
      graphUrl: graph.url,
      apiVersion: WA.apiVersion,
      maxRetries: 0,
    }),
    lastInboundAt: async (chatId) => lastInbound.get(chatId) ?? null,
    ...(template ? { template } : {}),
    clock,
    logger: silentLogger(),
  });
}

beforeAll(async () => {
  graph = await startFakeWhatsApp({
    templates: { [TEMPLATE.name]: { language: "pt_BR", bodyParameters: 1 } },
  });
});
afterAll(() => graph.close());
beforeEach(() => {
  graph.reset();
  lastInbound.clear();
});

const to = { platform: "whatsapp" as const, chatId: WA.phone };
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

describe("WhatsApp notifier inside the 24-hour window", () => {
  it("sends free-form text, and results + file as one document", async () => {
    lastInbound.set(WA.phone, hoursAgo(2));
    const notifier = notifierWith();
    expect(await notifier.notify(to, [BILLING_TEXT], { purpose: "billing" })).toMatchObject({ ok: true });
    const file = xlsx(5000);
    const outcome = await notifier.notify(to, [results(), file], { purpose: "digest" });
    expect(outcome.ok).toBe(true);
    expect(graph.messages.map((m) => m.type)).toEqual(["text", "document"]);
    expect(graph.messages[0]!.body.text.body).toContain("Plano Máquina ativo até 22/12/2026");
    expect(graph.messages[1]!.body.document.caption).toContain("Uniformes escolares");
    expect(graph.media[0]!.data.equals(file.data)).toBe(true);
  });

  it("131047 from Meta → template when configured, else outside_window", async () => {
    lastInbound.set(WA.phone, hoursAgo(23));
    graph.failNext("reengagement");
    expect(await notifierWith().notify(to, [BILLING_TEXT], { purpose: "billing" })).toMatchObject({
      ok: false,
      reason: "outside_window",
    });
    graph.failNext("reengagement");
    const outcome = await notifierWith(TEMPLATE).notify(to, [BILLING_TEXT], { purpose: "billing" });
    expect(outcome.ok).toBe(true);
    expect(graph.messages.map((m) => m.type)).toEqual(["template"]);
  });

  it("131026 undeliverable → chat_unreachable; 429 → rate_limited; the pair limit asks for 6 s", async () => {
    lastInbound.set(WA.phone, hoursAgo(1));
    const notifier = notifierWith();
    graph.failNext("undeliverable");
    expect(await notifier.notify(to, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "chat_unreachable",
    });
    graph.failNext("http_429");
    expect(await notifier.notify(to, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "rate_limited",
    });
    graph.failNext("pair_rate_limit");
    expect(await notifier.notify(to, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "rate_limited",
      retryAfterMs: 6000,
    });
    graph.failNext("http_500");
    expect(await notifier.notify(to, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "transient",
    });
    expect(graph.messages).toHaveLength(0);
  });
});

describe("WhatsApp notifier outside the window", () => {
  it("without a template: outside_window, nothing sent", async () => {
    lastInbound.set(WA.phone, hoursAgo(25));
    expect(await notifierWith().notify(to, [BILLING_TEXT], { purpose: "billing" })).toMatchObject({
      ok: false,
      reason: "outside_window",
      detail: "window_closed",
    });
    expect(
      await notifierWith().notify({ ...to, chatId: "5511000000000" }, [BILLING_TEXT], {
        purpose: "billing",
      }),
    ).toMatchObject({ reason: "outside_window", detail: "no_contact" });
    expect(graph.requests).toHaveLength(0);
  });

  it("with a template: the text (and link) as its one variable, flattened to what Graph accepts", async () => {
    lastInbound.set(WA.phone, new Date(NOW.getTime() - WHATSAPP_WINDOW_MS - 1));
    const outcome = await notifierWith(TEMPLATE).notify(to, [UPGRADE], { purpose: "billing" });
    expect(outcome).toMatchObject({ ok: true, messageIds: [expect.stringMatching(/^wamid\./)] });
    const body = graph.messages[0]!.body;
    expect(body.template.name).toBe(TEMPLATE.name);
    expect(body.template.language.code).toBe("pt_BR");
    const text: string = body.template.components[0].parameters[0].text;
    expect(text).toContain("Pagamento pendente");
    expect(text).toContain("https://pncp.example.com/upgrade?token=abc");
    expect(text).not.toMatch(/\n/);
  });

  it("with a template and a file: the template goes, the file is pending for the next contact", async () => {
    const file = xlsx();
    const outcome = await notifierWith(TEMPLATE).notify(to, [results(), file], { purpose: "digest" });
    expect(outcome).toMatchObject({
      ok: false,
      reason: "outside_window",
      pending: [file],
      messageIds: [expect.stringMatching(/^wamid\./)],
    });
    expect(graph.messages.map((m) => m.type)).toEqual(["template"]);
    expect(graph.media).toHaveLength(0);
  });

  it("a search result is never sent as a template", async () => {
    expect(
      await notifierWith(TEMPLATE).notify(to, [results(false)], { purpose: "search_result" }),
    ).toMatchObject({ reason: "outside_window" });
    expect(graph.requests).toHaveLength(0);
  });

  it("a template Meta refuses (not approved) holds the message instead of dropping it", async () => {
    const outcome = await notifierWith({ name: "nao_aprovado", language: "pt_BR" }).notify(
      to,
      [BILLING_TEXT],
      { purpose: "billing" },
    );
    expect(outcome).toMatchObject({ ok: false, reason: "outside_window", detail: "template_refused 132001" });
  });
});

describe("templateText", () => {
  it("removes newlines, tabs and runs of spaces, and bounds the length", () => {
    expect(templateText("a\n\nb\tc     d")).toBe("a · b c d");
    const long = templateText("x".repeat(5000));
    expect(long.length).toBe(900);
    expect(long.endsWith("…")).toBe(true);
  });

  it("whatever the text, the variable is what Graph accepts (no newline/tab, ≤ 4 spaces, ≤ 900)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 2000 }), (text) => {
        const out = templateText(text);
        expect(out).not.toMatch(/[\n\t\r]| {5,}/);
        expect(out.length).toBeLessThanOrEqual(900);
      }),
    );
  });
});
