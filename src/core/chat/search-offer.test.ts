import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseQuery } from "../query/parse-query.ts";
import { isCommandButton } from "./reply.ts";
import { searchButtonLabel, searchOffer, shorten } from "./search-offer.ts";

const NOW = new Date("2026-11-10T15:00:00Z");

describe("searchOffer", () => {
  it("offers one tap that runs the exact text as /buscar, with a label that fits WhatsApp", () => {
    const reply = searchOffer("asdfgh qwerty", parseQuery("asdfgh qwerty", { now: NOW }));
    expect(reply.kind).toBe("text");
    if (reply.kind !== "text") return;
    expect(reply.text).toContain(
      "Não reconheci setor, estado, período, valor nem modalidade em “asdfgh qwerty”.",
    );
    expect(reply.text).toContain("todo o Brasil");
    expect(reply.buttons).toHaveLength(1);
    const button = reply.buttons![0]!;
    expect(isCommandButton(button)).toBe(true);
    expect(button).toEqual({ label: "🔎 Buscar “asdfgh…”", command: "/buscar asdfgh qwerty" });
  });

  it("keeps short texts whole", () => {
    expect(searchButtonLabel("notebook")).toBe("🔎 Buscar “notebook”");
  });

  it("labels are at most 20 UTF-16 units and never split a character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }), (text) => {
        const label = searchButtonLabel(text);
        expect(label.length).toBeLessThanOrEqual(20);
        expect(label.startsWith("🔎 Buscar “")).toBe(true);
        expect(label).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("shortens on a word when it can", () => {
    expect(shorten("material de limpeza hospitalar", 12)).toBe("material…");
    expect(shorten("abc", 12)).toBe("abc");
  });
});

describe("searchOffer on a very long text", () => {
  it("keeps the message short while the button still runs the whole text", () => {
    const long = "palavra ".repeat(1_000).trim();
    const reply = searchOffer(long, parseQuery(long, { now: NOW }));
    if (reply.kind !== "text") throw new Error("expected a text reply");
    expect(reply.text.length).toBeLessThan(700);
    expect(reply.buttons?.[0]).toMatchObject({ command: `/buscar ${long}` });
  });
});
