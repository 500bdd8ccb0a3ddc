import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Reply } from "../core/chat/reply.ts";
import { createCommandRefs, decodeCommand, encodeCommand, utf8Bytes } from "./command-refs.ts";
import { COMMAND_ACTION_PREFIX, MAX_BUTTON_VALUE, renderReply as renderSlack } from "./slack-render.ts";
import { CALLBACK_DATA_LIMIT, renderReply as renderTelegram } from "./telegram-render.ts";
import { BUTTON_TEXT_LIMIT, REPLY_ID_LIMIT, renderReply as renderWhatsApp } from "./whatsapp-render.ts";

/** Command buttons through each renderer: within the platform's payload limit, and read back whole. */

const command = fc
  .oneof(
    fc.string({ unit: "grapheme", maxLength: 3000 }),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom("/buscar asdfgh qwerty", `/buscar ${"ção 🇧🇷 ".repeat(40)}`, "/buscar"),
  )
  .filter((c) => c.trim() !== "");

const reply = (cmd: string): Reply => ({
  kind: "text",
  text: "Não entendi a busca.",
  buttons: [
    { label: `🔎 Buscar “${cmd.slice(0, 40)}”`, command: cmd },
    { label: "Ver planos", url: "https://bot.example.test/upgrade" },
  ],
});

describe("command buttons", () => {
  it("Slack: value ≤ 2000 characters, action_id cmd_…, and the command comes back whole", () => {
    const refs = createCommandRefs();
    fc.assert(
      fc.property(command, (cmd) => {
        const { blocks } = renderSlack(reply(cmd) as Exclude<Reply, { kind: "file" }>, refs);
        const elements = blocks.flatMap((b) => (b.type === "actions" ? b.elements : [])) as {
          action_id: string;
          value?: string;
        }[];
        const button = elements.find((e) => e.action_id.startsWith(COMMAND_ACTION_PREFIX))!;
        expect(button.value!.length).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
        expect(decodeCommand(button.value, refs)).toEqual({ ok: true, command: cmd });
        expect(elements.some((e) => e.action_id === "link_1")).toBe(true);
      }),
    );
  });

  it("Telegram: callback_data ≤ 64 bytes, and the command comes back whole", () => {
    const refs = createCommandRefs();
    fc.assert(
      fc.property(command, (cmd) => {
        const messages = renderTelegram(reply(cmd) as Exclude<Reply, { kind: "file" }>, refs);
        const last = messages.at(-1)!;
        const callback = last.buttons.find((b) => "callbackData" in b) as { callbackData: string };
        expect(utf8Bytes(callback.callbackData)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
        expect(decodeCommand(callback.callbackData, refs)).toEqual({ ok: true, command: cmd });
      }),
    );
  });

  it("WhatsApp: one reply button (id ≤ 256, title ≤ 20), links in the body, and the command back whole", () => {
    const refs = createCommandRefs();
    fc.assert(
      fc.property(command, (cmd) => {
        const out = renderWhatsApp(reply(cmd), refs);
        const buttons = out.find((m) => m.type === "buttons");
        if (buttons?.type !== "buttons") throw new Error("no reply buttons");
        expect(buttons.buttons).toHaveLength(1);
        const [b] = buttons.buttons;
        expect(b!.id.length).toBeLessThanOrEqual(REPLY_ID_LIMIT);
        expect(b!.title.length).toBeLessThanOrEqual(BUTTON_TEXT_LIMIT);
        expect(buttons.body).toContain("https://bot.example.test/upgrade");
        expect(decodeCommand(b!.id, refs)).toEqual({ ok: true, command: cmd });
      }),
    );
  });

  it("WhatsApp: at most 3 reply buttons, titles unique", () => {
    const out = renderWhatsApp({
      kind: "text",
      text: "Escolha:",
      buttons: ["a", "b", "c", "d"].map((x) => ({ label: "🔎 Buscar de novo", command: `/buscar ${x}` })),
    });
    const buttons = out.find((m) => m.type === "buttons");
    if (buttons?.type !== "buttons") throw new Error("no reply buttons");
    expect(buttons.buttons).toHaveLength(3);
    expect(new Set(buttons.buttons.map((b) => b.title)).size).toBe(3);
  });

  it("without a refs map, a command too long for the payload drops only its button", () => {
    const long = `/buscar ${"x".repeat(3000)}`;
    const { blocks } = renderSlack(reply(long) as Exclude<Reply, { kind: "file" }>);
    const elements = blocks.flatMap((b) => (b.type === "actions" ? b.elements : [])) as {
      action_id: string;
    }[];
    expect(elements.map((e) => e.action_id)).toEqual(["link_1"]);
    expect(encodeCommand(long, MAX_BUTTON_VALUE, undefined)).toBeUndefined();
  });
});

describe("createCommandRefs", () => {
  it("keeps at most `max` commands, dropping the least recently used", () => {
    const refs = createCommandRefs(3);
    const a = refs.put("/buscar a");
    const b = refs.put("/buscar b");
    const c = refs.put("/buscar c");
    expect(refs.get(a)).toBe("/buscar a"); // a is now the most recent
    refs.put("/buscar d");
    expect(refs.size).toBe(3);
    expect(refs.get(b)).toBeUndefined();
    expect(refs.get(a)).toBe("/buscar a");
    expect(refs.get(c)).toBe("/buscar c");
  });

  it("reads unknown keys as expired and anything else as malformed", () => {
    const refs = createCommandRefs();
    expect(decodeCommand("k:nope", refs)).toEqual({ ok: false, reason: "expired" });
    expect(decodeCommand("k:nope", undefined)).toEqual({ ok: false, reason: "expired" });
    for (const odd of [undefined, null, 5, "", "x", "c:", "c:   "])
      expect(decodeCommand(odd, refs)).toEqual({ ok: false, reason: "malformed" });
  });
});
