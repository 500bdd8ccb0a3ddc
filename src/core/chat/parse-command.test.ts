import { describe, expect, it } from "vitest";
import { parseCommand } from "./parse-command.ts";

describe("parseCommand", () => {
  it.each([
    ["/buscar uniformes SC PR 15d", true, { name: "buscar", args: "uniformes SC PR 15d" }],
    ["/buscar@SmartPncpBot merenda MG", false, { name: "buscar", args: "merenda MG" }],
    ["  /BUSCAR   abertas SP  ", false, { name: "buscar", args: "abertas SP" }],
    ["/buscar", true, { name: "buscar", args: "" }],
    ["/setores", false, { name: "setores", args: "" }],
    ["/plano", false, { name: "plano", args: "" }],
    ["/assinar", false, { name: "assinar", args: "" }],
    ["/ajuda", false, { name: "ajuda", args: "" }],
    ["/help", false, { name: "ajuda", args: "" }],
    ["/start", true, { name: "start", args: "" }],
    ["/início", true, { name: "start", args: "" }],
    ["/buscar linha 1\nlinha 2", true, { name: "buscar", args: "linha 1\nlinha 2" }],
  ])("%j (private=%s)", (text, isPrivate, expected) => {
    expect(parseCommand(text, isPrivate)).toEqual(expected);
  });

  it("reports unknown commands with what was typed", () => {
    expect(parseCommand("/comprar algo", true)).toEqual({ name: "unknown", command: "/comprar" });
  });

  it("treats plain text as a search only in private chats", () => {
    expect(parseCommand("uniformes SP", true)).toEqual({ name: "buscar", args: "uniformes SP", plain: true });
    expect(parseCommand("uniformes SP", false)).toBeNull();
  });

  it("greets, helps and shows the plan for the usual plain words in private", () => {
    expect(parseCommand("Oi!", true)).toEqual({ name: "start", args: "" });
    expect(parseCommand("Olá", true)).toEqual({ name: "start", args: "" });
    expect(parseCommand("ajuda", true)).toEqual({ name: "ajuda", args: "" });
    expect(parseCommand("meu plano", true)).toEqual({ name: "plano", args: "" });
  });

  it("thanks get their own answer, typed or as a command", () => {
    expect(parseCommand("obrigado!", true)).toEqual({ name: "obrigado", args: "" });
    expect(parseCommand("Valeu pela ajuda 🙏", true)).toEqual({ name: "obrigado", args: "" });
    expect(parseCommand("/obrigado", false)).toEqual({ name: "obrigado", args: "" });
  });

  it("emoji, punctuation, invisible characters and acknowledgements are not for us", () => {
    for (const text of ["👍", "🙏🏽", "...", "!!", "\u200b", "\u200b\u2060\ufeff", "ok", "Beleza!", ""]) {
      expect(parseCommand(text, true), JSON.stringify(text)).toBeNull();
    }
  });

  it("reads user words as words, never as object keys", () => {
    for (const word of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      expect(parseCommand(`/${word}`, true)).toEqual({ name: "unknown", command: `/${word}` });
      expect(parseCommand(word, true)).toEqual({ name: "buscar", args: word, plain: true });
    }
  });
});
