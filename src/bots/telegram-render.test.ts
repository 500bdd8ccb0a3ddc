import { describe, expect, it } from "vitest";
import type { BidLine, Reply } from "../core/chat/reply.ts";
import {
  chunkLines,
  escapeTelegramHtml,
  isButtonUrlAccepted,
  renderCaption,
  renderReply,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
  toInlineKeyboard,
} from "./telegram-render.ts";

type Results = Extract<Reply, { kind: "results" }>;

function bid(n: number, overrides: Partial<BidLine> = {}): BidLine {
  return {
    title: `Aquisição de uniformes <escolares> & afins ${n}`,
    value: "R$ 12.345,67",
    agency: "Prefeitura de São Paulo",
    uf: "SP",
    municipality: "São Paulo",
    closesAt: "10/03/2026 10:00",
    status: "Recebendo propostas",
    link: `https://pncp.gov.br/app/editais/123/2026/${n}?a=1&b=2`,
    ...overrides,
  };
}

function results(bids: BidLine[], overrides: Partial<Results> = {}): Results {
  const headline = `${bids.length} licitações encontradas`;
  return {
    kind: "results",
    text: `📋 ${headline}\nuniformes · SP · últimos 30 dias\n\nResumo.`,
    headline,
    description: "uniformes · SP · últimos 30 dias",
    summary: {
      text: "Resumo com <tags> & símbolos.",
      highlights: ["Maior valor: R$ 1 mi"],
      alert: "⏰ 2 fecham em 7 dias",
      source: "fallback",
    },
    totals: { count: bids.length, totalValue: 1000, withValue: bids.length, closingSoon: 2 },
    bids,
    more: 0,
    notes: [],
    partial: false,
    ...overrides,
  };
}

/** Every tag opened in a chunk is closed in the same chunk. */
function balanced(html: string): boolean {
  const stack: string[] = [];
  for (const [, closing, name] of html.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (closing) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

describe("escapeTelegramHtml", () => {
  it("escapes the three characters Telegram HTML reserves", () => {
    expect(escapeTelegramHtml("a < b && c > d")).toBe("a &lt; b &amp;&amp; c &gt; d");
  });
});

describe("renderReply", () => {
  it("escapes plain text replies line by line", () => {
    const [message] = renderReply({ kind: "text", text: "Use setor:<id>\nR&D" });
    expect(message).toEqual({ html: "Use setor:&lt;id&gt;\nR&amp;D", buttons: [] });
  });

  it("renders results with a bold headline, the query description, and linked bids", () => {
    const [message, extra] = renderReply(results([bid(1), bid(2)]));
    expect(extra).toBeUndefined();
    const html = message!.html;
    expect(
      html.startsWith("📋 <b>2 licitações encontradas</b>\n<i>uniformes · SP · últimos 30 dias</i>"),
    ).toBe(true);
    expect(html).toContain("Resumo com &lt;tags&gt; &amp; símbolos.");
    expect(html).toContain("• Maior valor: R$ 1 mi");
    expect(html).toContain(
      '1. <a href="https://pncp.gov.br/app/editais/123/2026/1?a=1&amp;b=2">Aquisição de uniformes &lt;escolares&gt; &amp; afins 1</a>',
    );
    expect(html).toContain("💰 R$ 12.345,67 · Prefeitura de São Paulo · São Paulo/SP");
    expect(html).toContain("⏰ Propostas até 10/03/2026 10:00");
    expect(balanced(html)).toBe(true);
  });

  it("says how many bids are not listed and shows the status when there is no closing date", () => {
    const [message] = renderReply(results([bid(1, { closesAt: null, municipality: null })], { more: 41 }));
    expect(message!.html).toContain("<b>As 1 primeiras:</b>");
    expect(message!.html).toContain("· SP\n   Recebendo propostas");
    expect(message!.html).toContain("… e mais 41 licitações.");
  });

  it("does not link bids whose link is not http(s)", () => {
    const [message] = renderReply(results([bid(1, { link: "javascript:alert(1)" })]));
    expect(message!.html).not.toContain("<a ");
  });

  it("shows the query description in italics, escaped, and skips it when empty", () => {
    const [message] = renderReply(results([bid(1)], { description: "<b>uniformes</b> · SP" }));
    expect(message!.html).toContain("<i>&lt;b&gt;uniformes&lt;/b&gt; · SP</i>");
    const [bare] = renderReply(results([bid(1)], { description: "" }));
    expect(bare!.html).not.toContain("<i>");
  });

  it("keeps accepted URL buttons and turns dotless hosts into text links", () => {
    const [message] = renderReply({
      kind: "upgrade",
      text: "Sua cota acabou.",
      buttons: [
        { label: "Assinar Máquina", url: "https://smartpncp.com.br/upgrade?token=abc" },
        { label: "Assinar Sala", url: "http://localhost:3000/upgrade?token=def" },
      ],
    });
    expect(message!.buttons).toEqual([
      { label: "Assinar Máquina", url: "https://smartpncp.com.br/upgrade?token=abc" },
    ]);
    expect(message!.html).toBe(
      "Sua cota acabou.\n\n🔗 Assinar Sala: http://localhost:3000/upgrade?token=def",
    );
  });

  it("splits long results between lines, each chunk within 4,096 characters and balanced, buttons on the last", () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      bid(i, { title: `${"Serviço de manutenção predial ".repeat(5)}${i}` }),
    );
    const chunks = renderReply(
      results(many, { buttons: [{ label: "Ver plano", url: "https://x.com.br/p" }] }),
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.html.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(balanced(chunk.html)).toBe(true);
    }
    expect(chunks.slice(0, -1).every((c) => c.buttons.length === 0)).toBe(true);
    expect(chunks.at(-1)!.buttons).toHaveLength(1);
    expect(chunks.map((c) => c.html).join("\n")).toContain("60. <a ");
  });

  it("cuts a single line longer than the limit without splitting an entity", () => {
    const chunks = renderReply({ kind: "text", text: "&".repeat(5000) });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.html.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(chunk.html).toMatch(/^(&amp;)+$/);
    }
    expect(chunks.map((c) => c.html).join("").length).toBe(5000 * 5);
  });

  it("never splits an emoji's surrogate pair when cutting a long line", () => {
    const chunks = renderReply({ kind: "text", text: `a${"📋".repeat(3000)}` });
    expect(chunks.length).toBe(2);
    for (const chunk of chunks) {
      expect(chunk.html.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(chunk.html).not.toMatch(
        /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
      );
    }
  });
});

describe("chunkLines", () => {
  it("keeps short input as one chunk and never returns an empty list", () => {
    expect(chunkLines(["a", "b"], 10)).toEqual(["a\nb"]);
    expect(chunkLines([], 10)).toEqual([""]);
  });

  it("starts a new chunk when the next line would not fit", () => {
    expect(chunkLines(["12345", "67890", "x"], 11)).toEqual(["12345\n67890", "x"]);
  });
});

describe("renderCaption", () => {
  it("escapes and cuts captions to 1,024 characters", () => {
    expect(renderCaption("📎 Planilha <2>")).toBe("📎 Planilha &lt;2&gt;");
    const cut = renderCaption("a".repeat(2000));
    expect(cut.length).toBe(TELEGRAM_CAPTION_LIMIT);
    expect(cut.endsWith("…")).toBe(true);
  });
});

describe("buttons", () => {
  it("accepts public http(s) and tg URLs only", () => {
    expect(isButtonUrlAccepted("https://smartpncp.com.br/upgrade?token=1")).toBe(true);
    expect(isButtonUrlAccepted("tg://resolve?domain=x")).toBe(true);
    expect(isButtonUrlAccepted("http://localhost:3000/upgrade")).toBe(false);
    expect(isButtonUrlAccepted("ftp://files.example.com/a")).toBe(false);
    expect(isButtonUrlAccepted("not a url")).toBe(false);
  });

  it("builds one inline keyboard row per button", () => {
    expect(toInlineKeyboard([])).toBeUndefined();
    expect(
      toInlineKeyboard([
        { label: "A", url: "https://a.com" },
        { label: "B", url: "https://b.com" },
      ]),
    ).toEqual({
      inline_keyboard: [[{ text: "A", url: "https://a.com" }], [{ text: "B", url: "https://b.com" }]],
    });
  });
});
