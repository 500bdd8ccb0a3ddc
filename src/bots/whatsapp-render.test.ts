import { describe, expect, it } from "vitest";
import type { BidLine, Reply } from "../core/chat/reply.ts";
import { XLSX_MIME } from "../core/chat/reply.ts";
import { saveAlertButton } from "../core/chat/save-alert-button.ts";
import {
  bold,
  buttonText,
  CAPTION_LIMIT,
  CTA_FALLBACK_BODY,
  fitText,
  renderReply,
  renderResultsText,
  renderResultsWithFile,
  splitText,
  TEXT_LIMIT,
  withButtons,
} from "./whatsapp-render.ts";

type ResultsReply = Extract<Reply, { kind: "results" }>;

function bid(i: number, title = `Aquisição de uniformes escolares lote ${i}`): BidLine {
  return {
    title,
    value: "R$ 12.345,67",
    agency: "PREFEITURA MUNICIPAL DE CAMPINAS",
    uf: "SP",
    municipality: "Campinas",
    closesAt: i % 2 === 0 ? "28/09/2026 09:00" : null,
    status: "Recebendo propostas",
    link: `https://pncp.gov.br/app/editais/46068425000133/2026/${i}`,
  };
}

function results(bids: BidLine[], extra: Partial<ResultsReply> = {}): ResultsReply {
  const headline = `${bids.length + (extra.more ?? 0)} licitações encontradas · R$ 61.728,35 estimados`;
  return {
    kind: "results",
    text: `📋 ${headline}\nuniformes · SP · últimos 30 dias\n\nResumo.`,
    headline,
    description: "uniformes · SP · últimos 30 dias",
    summary: {
      text: "Cinco pregões de uniformes em SP.",
      highlights: ["Maior: Campinas"],
      alert: null,
      source: "fallback",
    },
    totals: { count: bids.length, totalValue: 61728.35, withValue: bids.length, closingSoon: 1 },
    bids,
    more: 0,
    notes: [],
    partial: false,
    ...extra,
  };
}

const file: Extract<Reply, { kind: "file" }> = {
  kind: "file",
  filename: "licitacoes-2026-09-21.xlsx",
  mimeType: XLSX_MIME,
  data: Buffer.from("xlsx"),
  caption: "📎 Planilha com as 2 licitações",
};

describe("text helpers", () => {
  it("bold wraps trimmed text and drops inner asterisks", () => {
    expect(bold(" Total ")).toBe("*Total*");
    expect(bold("a*b")).toBe("*ab*");
    expect(bold("  ")).toBe("");
  });

  it("fitText cuts at a word near the limit with an ellipsis", () => {
    expect(fitText("curto", 10)).toBe("curto");
    const cut = fitText("uma frase bem comprida para cortar", 20);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut).toBe("uma frase bem…");
  });

  it("splitText keeps paragraphs whole and every chunk within the limit", () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Parágrafo ${i} ${"x".repeat(180)}`);
    const chunks = splitText(paragraphs.join("\n\n"), 1000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1000);
    expect(chunks.join("\n\n")).toBe(paragraphs.join("\n\n"));
    expect(splitText("y".repeat(2500), 1000).map((c) => c.length)).toEqual([1000, 1000, 500]);
  });

  it("buttonText fits WhatsApp's 20-character button", () => {
    expect(buttonText("Assinar Máquina")).toBe("Assinar Máquina");
    expect(buttonText("Assinar Consultor Ágil")).toBe("Plano Consultor Ágil");
    expect(buttonText("Assinar Sala de Guerra")).toBe("Plano Sala de Guerra");
    expect(buttonText("Assinar Plano Empresarial Premium")).toBe("Assinar Plano…");
    expect(buttonText("Abrir o portal de compras").length).toBeLessThanOrEqual(20);
  });
});

describe("withButtons", () => {
  const one = [{ label: "Assinar Consultor Ágil", url: "https://bot.test/upgrade?token=a" }];

  it("a text alone is one text message", () => {
    expect(withButtons("Oi", undefined)).toEqual([{ type: "text", body: "Oi" }]);
  });

  it("one button → one CTA URL message carrying the text and the full label", () => {
    expect(withButtons("Você usou as 3 buscas.", one)).toEqual([
      {
        type: "cta",
        body: "Você usou as 3 buscas.\n\n👉 *Assinar Consultor Ágil*",
        displayText: "Plano Consultor Ágil",
        url: "https://bot.test/upgrade?token=a",
      },
    ]);
  });

  it("a text too long for a CTA body goes first as text, then a short CTA", () => {
    const long = "a ".repeat(700).trim();
    const out = withButtons(long, one);
    expect(out.map((o) => o.type)).toEqual(["text", "cta"]);
    expect(out[1]).toMatchObject({ body: `${CTA_FALLBACK_BODY}\n\n👉 *Assinar Consultor Ágil*` });
  });

  it("several buttons → one text with a list of links (one URL button per message would cost pacing)", () => {
    const out = withButtons("Planos:", [
      { label: "Assinar Máquina", url: "https://bot.test/u?1" },
      { label: "Assinar Sala de Guerra", url: "https://bot.test/u?2" },
    ]);
    expect(out).toEqual([
      {
        type: "text",
        body: "Planos:\n\n👉 *Assinar Máquina*\nhttps://bot.test/u?1\n\n👉 *Assinar Sala de Guerra*\nhttps://bot.test/u?2",
      },
    ]);
  });
});

describe("renderResultsText", () => {
  it("bolds the headline and each title, keeps the query description, value, agency, place, closing and link", () => {
    const text = renderResultsText(results([bid(1), bid(2)]));
    const lines = text.split("\n");
    expect(lines[0]).toBe("📋 *2 licitações encontradas · R$ 61.728,35 estimados*");
    expect(lines[1]).toBe("uniformes · SP · últimos 30 dias");
    expect(text).toContain("*1. Aquisição de uniformes escolares lote 1*");
    expect(text).toContain("💰 R$ 12.345,67 · PREFEITURA MUNICIPAL DE CAMPINAS · Campinas/SP");
    expect(text).toContain("📌 Recebendo propostas");
    expect(text).toContain("⏰ Propostas até 28/09/2026 09:00");
    expect(text).toContain("https://pncp.gov.br/app/editais/46068425000133/2026/2");
    expect(text).toContain("• Maior: Campinas");
  });

  it("counts unlisted bids and shows the notes", () => {
    const text = renderResultsText(results([bid(1)], { more: 7, notes: ["⚠️ Resultado parcial."] }));
    expect(text).toContain("…e mais 7 licitações.");
    expect(text.endsWith("⚠️ Resultado parcial.")).toBe(true);
  });

  it("drops bids from the end to fit a limit, counting them in '…e mais'", () => {
    const many = Array.from({ length: 5 }, (_, i) =>
      bid(i + 1, `Objeto ${i + 1} ${"descrição ".repeat(14)}`),
    );
    const full = renderResultsText(results(many));
    expect(full.length).toBeGreaterThan(CAPTION_LIMIT);
    const short = renderResultsText(results(many), CAPTION_LIMIT);
    expect(short.length).toBeLessThanOrEqual(CAPTION_LIMIT);
    expect(short).toContain("*1. Objeto 1");
    expect(short).toMatch(/…e mais \d licitaç/);
  });

  it("always fits 4096 characters", () => {
    const huge = results([bid(1)], {
      summary: { text: "z".repeat(6000), highlights: [], alert: null, source: "openai" },
    });
    expect(renderResultsText(huge).length).toBeLessThanOrEqual(TEXT_LIMIT);
  });
});

describe("renderResultsWithFile", () => {
  it("merges a short summary into the document caption: one message", () => {
    const out = renderResultsWithFile(results([bid(1), bid(2)]), file);
    expect(out).toHaveLength(1);
    expect(out[0]!.type).toBe("document");
    const caption = (out[0] as { caption: string }).caption;
    expect(caption.length).toBeLessThanOrEqual(CAPTION_LIMIT);
    expect(caption.startsWith("📋 *2 licitações encontradas")).toBe(true);
    expect(caption.endsWith("📎 Planilha com as 2 licitações")).toBe(true);
  });

  it("sends a summary too long for a caption first, then the document with its own caption", () => {
    const many = Array.from({ length: 5 }, (_, i) =>
      bid(i + 1, `Objeto ${i + 1} ${"descrição ".repeat(14)}`),
    );
    const out = renderResultsWithFile(results(many), file);
    expect(out.map((o) => o.type)).toEqual(["text", "document"]);
    expect((out[0] as { body: string }).body).toContain("*5. Objeto 5");
    expect(out[1]).toMatchObject({ caption: "📎 Planilha com as 2 licitações" });
  });
});

describe("renderReply", () => {
  it("renders searching, error and upgrade replies", () => {
    expect(renderReply({ kind: "searching", text: "🔎 Buscando… uniformes" })).toEqual([
      { type: "text", body: "🔎 Buscando… uniformes" },
    ]);
    expect(renderReply({ kind: "error", code: "PNCP_UNAVAILABLE", text: "O PNCP não responde." })).toEqual([
      { type: "text", body: "O PNCP não responde." },
    ]);
    const upgrade = renderReply({
      kind: "upgrade",
      text: "Limite atingido.",
      buttons: [{ label: "Assinar Máquina", url: "https://bot.test/upgrade?token=t" }],
    });
    expect(upgrade).toEqual([
      {
        type: "cta",
        body: "Limite atingido.",
        displayText: "Assinar Máquina",
        url: "https://bot.test/upgrade?token=t",
      },
    ]);
  });

  it("results with an upgrade button (Excel not in plan) become a CTA when short", () => {
    const reply = results([bid(1)], {
      notes: ["A planilha Excel não faz parte do plano Teste grátis."],
      buttons: [{ label: "Assinar Máquina", url: "https://bot.test/upgrade?token=t" }],
    });
    const out = renderReply(reply);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ type: "cta", displayText: "Assinar Máquina" });
    expect((out[0] as { body: string }).body).toContain(
      "A planilha Excel não faz parte do plano Teste grátis.",
    );
  });
});

describe("results with the 'Salvar como alerta' command", () => {
  const save = saveAlertButton("uniformes SC");
  const upgrade = { label: "Assinar o Máquina", url: "https://bot.example.test/upgrade?token=t" };

  it("is a reply button when the results carry no link", () => {
    const out = renderReply({ ...results([bid(1)]), buttons: [save] });
    const last = out.at(-1)!;
    expect(last.type).toBe("buttons");
    expect(last.type === "buttons" && last.buttons.map((b) => b.title)).toEqual([save.label]);
  });

  it("beside an upgrade link keeps the link button and writes the command with its slash", () => {
    const out = renderReply({ ...results([bid(1)]), buttons: [upgrade, save] });
    expect(out.some((m) => m.type === "cta")).toBe(true);
    expect(out.some((m) => m.type === "buttons")).toBe(false);
    const text = out.map((m) => ("body" in m ? m.body : "")).join("\n");
    expect(text).toContain("envie */alerta uniformes SC*");
  });

  it("beside a file goes into the document's caption when it fits (no extra paced message)", () => {
    const out = renderResultsWithFile({ ...results([bid(1)]), buttons: [save] }, file);
    expect(out).toHaveLength(1);
    expect(out[0]!.type === "document" && out[0]!.caption).toContain("envie */alerta uniformes SC*");
  });
});
