import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyPlainText } from "./plain-text.ts";

describe("classifyPlainText", () => {
  it.each([
    ["oi", "greeting"],
    ["Olá!", "greeting"],
    ["bom dia", "greeting"],
    ["Boa tarde, tudo bem?", "greeting"],
    ["E aí, bot", "greeting"],
    ["👋", "greeting"],
    ["👋🏽", "greeting"],
    ["obrigado!", "thanks"],
    ["Muito obrigada pela ajuda 🙏", "thanks"],
    ["valeu", "thanks"],
    ["obg", "thanks"],
    ["ok, obrigado", "thanks"],
    ["?", "help"],
    ["ajuda", "help"],
    ["meu plano", "plan"],
    ["setores", "sectors"],
    ["planos", "subscribe"],
    ["👍", "silent"],
    ["🙏🏽🙏🏽", "silent"],
    ["🇧🇷", "silent"],
    ["1️⃣", "silent"],
    ["...", "silent"],
    ["!!!", "silent"],
    ["\u200b", "silent"],
    ["\u200b \u2060\ufeff\u00a0", "silent"],
    ["ok", "silent"],
    ["Beleza 👍", "silent"],
    ["tchau", "silent"],
    ["asdfgh qwerty", "text"],
    ["uniformes SP", "text"],
    ["oi, quero uniformes SP", "text"],
    ["obrigado, agora obras RS", "text"],
    ["123", "text"],
  ])("%j → %s", (text, intent) => {
    expect(classifyPlainText(text)).toBe(intent);
  });

  it("text without a letter or digit is always silent, whatever mix of emoji, marks and symbols", () => {
    const noise = fc.constantFrom(
      ..."👍🙏🏽❤️🔥😂🇧🇷.,;:!?¿¡…—–-()[]{}*#@%&+=~^`'\"\u200b\u200c\u200d\u2060\ufeff\u00a0\u0301 \n\t$€",
    );
    fc.assert(
      fc.property(fc.array(noise, { minLength: 1, maxLength: 40 }), (chars) => {
        const text = chars.join("");
        const intent = classifyPlainText(text);
        const onlyQuestionMark = text.replace(/[\s\p{Cf}\p{Z}]/gu, "") === "?";
        return onlyQuestionMark ? intent === "help" : intent === "silent";
      }),
      { numRuns: 2_000 },
    );
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        expect(typeof classifyPlainText(text)).toBe("string");
      }),
      { numRuns: 2_000 },
    );
  });
});
