import { describe, expect, it } from "vitest";
import type { BidLine, Reply } from "../core/chat/reply.ts";
import { escapeMrkdwn, MAX_BLOCKS, MAX_SECTION_TEXT, renderReply, splitText } from "./slack-render.ts";

type Results = Extract<Reply, { kind: "results" }>;

function bid(i: number, overrides: Partial<BidLine> = {}): BidLine {
  return {
    title: `Aquisição de uniformes escolares lote ${i}`,
    value: "R$ 1.234,56",
    agency: "Prefeitura de Campinas",
    uf: "SP",
    municipality: "Campinas",
    closesAt: "30/09/2026 10:00",
    status: "Recebendo propostas",
    link: `https://pncp.gov.br/app/editais/46068425000133/2026/${i}`,
    ...overrides,
  };
}

function results(bids: BidLine[], overrides: Partial<Results> = {}): Results {
  return {
    kind: "results",
    text: "📋 texto simples",
    headline: `${bids.length} licitações encontradas · R$ 10.000,00 estimados`,
    description: "Vestuário e Uniformes · SP · 22/08/2026 a 21/09/2026",
    summary: {
      text: "Resumo executivo.",
      highlights: ["Destaque A", "Destaque B"],
      alert: "⏰ 2 fecham em 7 dias",
      source: "fallback",
    },
    totals: { count: bids.length, totalValue: 10_000, withValue: bids.length, closingSoon: 2 },
    bids,
    more: 0,
    notes: [],
    partial: false,
    ...overrides,
  };
}

type AnyBlock = {
  type: string;
  text?: { type: string; text: string };
  accessory?: Record<string, unknown>;
  elements?: Record<string, unknown>[];
};

describe("renderReply", () => {
  it("renders results as a header, the summary, one section per bid with an 'Abrir' URL button", () => {
    const message = renderReply(
      results([bid(1), bid(2)], {
        more: 7,
        notes: ["A planilha Excel não faz parte do plano Teste grátis."],
        buttons: [{ label: "Assinar Consultor Ágil", url: "https://bot.example.test/upgrade?token=abc" }],
      }),
    );
    const blocks = message.blocks as AnyBlock[];
    expect(message.text).toBe("📋 texto simples");
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "📋 2 licitações encontradas · R$ 10.000,00 estimados", emoji: true },
    });
    expect(blocks[1]).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "Vestuário e Uniformes · SP · 22/08/2026 a 21/09/2026" }],
    });
    expect(blocks[2]!.text!.text).toBe(
      "Resumo executivo.\n• Destaque A\n• Destaque B\n\n⏰ 2 fecham em 7 dias",
    );
    const bidSections = blocks.filter((b) => b.accessory);
    expect(bidSections).toHaveLength(2);
    expect(bidSections[0]!.text!.text).toBe(
      "*1. <https://pncp.gov.br/app/editais/46068425000133/2026/1|Aquisição de uniformes escolares lote 1>*\nR$ 1.234,56 · Prefeitura de Campinas · Campinas/SP\nPropostas até 30/09/2026 10:00",
    );
    expect(bidSections[1]!.accessory).toEqual({
      type: "button",
      text: { type: "plain_text", text: "Abrir no PNCP", emoji: true },
      url: "https://pncp.gov.br/app/editais/46068425000133/2026/2",
      action_id: "open_bid_1",
    });
    const texts = blocks.map((b) => b.text?.text ?? JSON.stringify(b.elements ?? []));
    expect(texts.some((t) => t.includes("Mais 7 licitações não listadas aqui."))).toBe(true);
    expect(texts).toContain("A planilha Excel não faz parte do plano Teste grátis.");
    const actions = blocks.at(-1)!;
    expect(actions.type).toBe("actions");
    expect(actions.elements![0]).toMatchObject({
      url: "https://bot.example.test/upgrade?token=abc",
      action_id: "upgrade_0",
      style: "primary",
    });
  });

  it("escapes mrkdwn control characters coming from PNCP data", () => {
    const message = renderReply(
      results([bid(1, { title: "Obras <urgentes> & reparos | lote", agency: "Secretaria A&B" })]),
    );
    const section = (message.blocks as AnyBlock[]).find((b) => b.accessory)!;
    expect(section.text!.text).toContain("|Obras &lt;urgentes&gt; &amp; reparos ¦ lote>*");
    expect(section.text!.text).toContain("Secretaria A&amp;B");
    expect(escapeMrkdwn("<@U1> & <!channel>")).toBe("&lt;@U1&gt; &amp; &lt;!channel&gt;");
  });

  it("stays within 50 blocks and 3000 characters per section, keeping notes and buttons", () => {
    const many = Array.from({ length: 80 }, (_, i) => bid(i));
    const message = renderReply(
      results(many, {
        summary: { text: "x".repeat(7000), highlights: [], alert: null, source: "fallback" },
        notes: ["⚠️ Resultado parcial"],
        buttons: [{ label: "Assinar Máquina", url: "https://bot.example.test/upgrade?token=t" }],
      }),
    );
    const blocks = message.blocks as AnyBlock[];
    expect(blocks.length).toBe(MAX_BLOCKS);
    for (const b of blocks) expect((b.text?.text ?? "").length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(blocks.at(-1)!.type).toBe("actions");
    expect(blocks.at(-2)!.text!.text).toBe("⚠️ Resultado parcial");
    expect(JSON.stringify(blocks)).toContain("mensagem encurtada pelo limite do Slack");
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it("renders text, upgrade and error replies as sections plus link buttons", () => {
    const upgrade = renderReply({
      kind: "upgrade",
      text: "Você usou as 3 buscas do plano Teste grátis este mês.",
      buttons: [{ label: "Assinar Consultor Ágil", url: "https://bot.example.test/upgrade?token=1" }],
    });
    expect(upgrade.text).toBe("Você usou as 3 buscas do plano Teste grátis este mês.");
    expect(upgrade.blocks).toEqual([
      {
        type: "section",
        text: { type: "mrkdwn", text: "Você usou as 3 buscas do plano Teste grátis este mês." },
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Assinar Consultor Ágil", emoji: true },
            url: "https://bot.example.test/upgrade?token=1",
            action_id: "upgrade_0",
            style: "primary",
          },
        ],
      },
    ]);
    const error = renderReply({
      kind: "error",
      code: "PNCP_UNAVAILABLE",
      text: "O PNCP não está respondendo.",
    });
    expect(error.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "O PNCP não está respondendo." } },
    ]);
    const progress = renderReply({
      kind: "progress",
      text: "⏳ 3 de 9 páginas…",
      pagesDone: 3,
      pagesTotal: 9,
    });
    expect(progress.text).toBe("⏳ 3 de 9 páginas…");
  });

  it("cuts button labels to 75 characters", () => {
    const message = renderReply({
      kind: "text",
      text: "Planos",
      buttons: [{ label: "A".repeat(100), url: "https://x.test/" }],
    });
    const button = (message.blocks as AnyBlock[])[1]!.elements![0] as {
      text: { text: string };
      action_id: string;
    };
    expect(button.text.text.length).toBe(75);
    expect(button.action_id).toBe("link_0");
  });
});

describe("splitText", () => {
  it("splits at line breaks under the limit and keeps everything", () => {
    const text = `${"a".repeat(10)}\n${"b".repeat(10)}\n${"c".repeat(10)}`;
    expect(splitText(text, 25)).toEqual([`${"a".repeat(10)}\n${"b".repeat(10)}`, "c".repeat(10)]);
    expect(splitText("x".repeat(60), 25)).toEqual(["x".repeat(25), "x".repeat(25), "x".repeat(10)]);
    expect(splitText("", 25)).toEqual([""]);
  });
});
