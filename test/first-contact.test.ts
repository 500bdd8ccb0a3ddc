import { describe, expect, it } from "vitest";
import { THANKS_TEXT } from "../src/core/chat/chat-service.ts";
import { isCommandButton, type Reply } from "../src/core/chat/reply.ts";
import { privateCommand, recordingChat, recordingSink, useCore, usedBy } from "./first-contact-harness.ts";

/** A new user's first minutes in a private chat, through the real chat core (PGlite, SQL plan rules). */
const NOW = new Date("2026-11-10T12:00:00-03:00");
const core = useCore(NOW);

function kinds(replies: Reply[]): string[] {
  return replies.map((r) => r.kind);
}

describe("a refusal costs nothing, the per-minute allowance included", () => {
  it("three refused searches (history) do not lock a trial user out: the next two run", async () => {
    const { chat, queue } = recordingChat(core());
    const userId = "refused-then-ok";
    for (const text of ["/buscar obras SP 30d", "/buscar obras SP 15d", "/buscar obras SP últimos 60 dias"]) {
      const sink = recordingSink();
      await chat.handle(privateCommand(text, { userId }), sink);
      expect(kinds(sink.replies)).toEqual(["upgrade"]);
      expect((sink.replies[0] as { text: string }).text).toContain("Esta busca não foi descontada.");
    }
    for (const text of ["/buscar obras SP 7d", "/buscar uniformes SC"]) {
      const sink = recordingSink();
      const cmd = privateCommand(text, { userId });
      await chat.handle(cmd, sink);
      expect(kinds(sink.replies)).toEqual(["searching"]);
    }
    expect(queue.jobs).toHaveLength(2);
    expect(await usedBy(core(), privateCommand("", { userId }))).toBe(2);
    // The third allowed search in the same minute is the one the limit refuses.
    const third = recordingSink();
    await chat.handle(privateCommand("/buscar merenda MG", { userId }), third);
    expect(kinds(third.replies)).toEqual(["upgrade"]);
    expect((third.replies[0] as { text: string }).text).toMatch(/^Muitas buscas em pouco tempo/);
  });

  it("a search whose 'Buscando…' reply cannot be sent gives its per-minute slot back too", async () => {
    const { chat, queue } = recordingChat(core());
    const userId = "ack-fails";
    const failing = { send: async () => Promise.reject(new Error("bot blocked")) };
    for (let i = 0; i < 3; i++) await chat.handle(privateCommand("/buscar obras SP", { userId }), failing);
    const sink = recordingSink();
    await chat.handle(privateCommand("/buscar obras SP", { userId }), sink);
    expect(kinds(sink.replies)).toEqual(["searching"]);
    expect(queue.jobs).toHaveLength(1);
    expect(await usedBy(core(), privateCommand("", { userId }))).toBe(1);
  });
});

describe("plain text in a private chat is a search only when it reads as one", () => {
  it("greetings get the welcome with examples, thanks a short 'de nada': nothing charged", async () => {
    const { chat, queue } = recordingChat(core());
    for (const [text, expected] of [
      ["oi", "Olá! 👋"],
      ["Olá!", "Olá! 👋"],
      ["bom dia", "Olá! 👋"],
      ["Boa tarde, tudo bem?", "Olá! 👋"],
      ["obrigado!", THANKS_TEXT],
      ["valeu", THANKS_TEXT],
      ["obg 🙏", THANKS_TEXT],
    ] as const) {
      const sink = recordingSink();
      const cmd = privateCommand(text);
      await chat.handle(cmd, sink);
      expect(kinds(sink.replies), text).toEqual(["text"]);
      expect((sink.replies[0] as { text: string }).text.startsWith(expected), text).toBe(true);
      expect(await usedBy(core(), cmd)).toBe(0);
    }
    expect(queue.jobs).toHaveLength(0);
  });

  it("emoji, punctuation, invisible characters and 'ok' get no search and no chatter", async () => {
    const { chat, queue } = recordingChat(core());
    for (const text of ["👍", "🙏🏽", "...", "!!!", "\u200b", "\u200b\u2060\ufeff", "ok", "beleza 👍"]) {
      const sink = recordingSink();
      const cmd = privateCommand(text);
      await chat.handle(cmd, sink);
      expect(sink.replies, JSON.stringify(text)).toEqual([]);
      expect(await usedBy(core(), cmd)).toBe(0);
    }
    expect(queue.jobs).toHaveLength(0);
  });

  it("words the grammar does not recognise get a one-tap button that runs them, charged only when tapped", async () => {
    const { chat, queue } = recordingChat(core());
    const userId = "one-tap";
    const sink = recordingSink();
    await chat.handle(privateCommand("asdfgh qwerty", { userId }), sink);
    expect(kinds(sink.replies)).toEqual(["text"]);
    const offer = sink.replies[0] as Extract<Reply, { kind: "text" }>;
    expect(offer.text).toContain("“asdfgh qwerty”");
    expect(offer.buttons).toHaveLength(1);
    const button = offer.buttons![0]!;
    expect(isCommandButton(button) && button).toEqual({
      label: "🔎 Buscar “asdfgh…”",
      command: "/buscar asdfgh qwerty",
    });
    expect(queue.jobs).toHaveLength(0);
    expect(await usedBy(core(), privateCommand("", { userId }))).toBe(0);

    // The adapter turns the tap into a command with the button's text and the tap's own delivery id.
    const tap = recordingSink();
    await chat.handle(privateCommand(isCommandButton(button) ? button.command : "", { userId }), tap);
    expect(kinds(tap.replies)).toEqual(["searching"]);
    expect(queue.jobs).toHaveLength(1);
    expect(await usedBy(core(), privateCommand("", { userId }))).toBe(1);
  });

  it("text with a sector, UF, period, value or 'abertas' searches at once; /buscar always searches", async () => {
    const { chat, queue } = recordingChat(core());
    for (const text of [
      "uniformes SP",
      "obras acima de 1 milhão",
      "abertas informática",
      "medicamentos 5d",
      "/buscar asdfgh qwerty",
      "/buscar obrigado",
    ]) {
      const sink = recordingSink();
      await chat.handle(privateCommand(text), sink);
      expect(kinds(sink.replies), text).toEqual(["searching"]);
    }
    expect(queue.jobs).toHaveLength(6);
  });
});
