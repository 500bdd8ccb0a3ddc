import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Reply } from "../src/core/chat/reply.ts";
import { privateCommand, recordingChat, recordingSink, useCore, usedBy } from "./first-contact-harness.ts";

/**
 * Whatever a person types in a private chat — emoji, invisible characters, punctuation, greetings,
 * random words, real queries, object-key words — the chat core never throws, charges only when a search
 * was really started (acknowledged and queued), and handles a duplicate delivery once.
 */
const NOW = new Date("2026-11-10T12:00:00-03:00");
const core = useCore(NOW);

const emoji = fc.constantFrom("👍", "🙏🏽", "👋", "❤️", "🔥", "🇧🇷", "😂", "1️⃣", "👨‍👩‍👧");
const invisible = fc.constantFrom(
  "\u200b",
  "\u200c",
  "\u200d",
  "\u2060",
  "\ufeff",
  "\u00a0",
  "\u202e",
  "\u0000",
);
const punctuation = fc.constantFrom(
  ".",
  "...",
  "!",
  "?",
  "??",
  ",",
  ";",
  "—",
  "*",
  "#",
  "@",
  "$",
  "%",
  "(",
  ")",
);
const courtesy = fc.constantFrom(
  "oi",
  "Olá",
  "bom dia",
  "boa tarde",
  "obrigado",
  "valeu",
  "obg",
  "ok",
  "beleza",
  "tchau",
);
const queryWords = fc.constantFrom(
  "uniformes",
  "SP",
  "RJ",
  "7d",
  "5 dias",
  "esta semana",
  "abertas",
  "acima de 50 mil",
  "pregão",
  "setor:saude",
  "obras",
  "merenda",
  '"material escolar"',
  "brasil",
  "até 01/01/0000",
  "12/9999",
  "1e999",
  "-5d",
  "30d",
);
const oddWords = fc.constantFrom(
  "constructor",
  "__proto__",
  "toString",
  "/constructor",
  "/__proto__",
  "asdfgh",
  "qwerty",
  "<b>x</b>",
  "*negrito*",
);
const piece = fc.oneof(
  emoji,
  invisible,
  punctuation,
  courtesy,
  queryWords,
  oddWords,
  fc.string({ unit: "grapheme", maxLength: 12 }),
);
const text = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(" ")),
  fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("")),
  fc.string({ unit: "grapheme", maxLength: 60 }),
);

function started(replies: Reply[]): number {
  return replies.filter((r) => r.kind === "searching").length;
}

describe("private chat, any text", () => {
  it("never throws, never charges without a started search, and runs a duplicate delivery once", async () => {
    const { chat, queue } = recordingChat(core());
    let searches = 0;
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (typed, duplicate) => {
        const cmd = privateCommand(typed);
        const sinks = duplicate ? [recordingSink(), recordingSink()] : [recordingSink()];
        const jobsBefore = queue.jobs.length;
        await Promise.all(sinks.map((sink) => chat.handle(cmd, sink)));
        const replies = sinks.flatMap((s) => s.replies);
        const queued = queue.jobs.length - jobsBefore;
        searches += queued;
        // Only one of the copies answered, and at most one search was started.
        expect(sinks.filter((s) => s.replies.length > 0).length).toBeLessThanOrEqual(1);
        expect(queued).toBeLessThanOrEqual(1);
        expect(started(replies)).toBe(queued);
        // A surprise inside the core would surface as the generic error reply.
        expect(replies.filter((r) => r.kind === "error" && r.code === "INTERNAL")).toEqual([]);
        // Charged exactly when a search was started.
        expect(await usedBy(core(), cmd)).toBe(queued);
        for (const reply of replies) {
          if ("text" in reply) expect(reply.text).not.toMatch(/undefined|NaN|Invalid Date|\[object /);
        }
      }),
      { numRuns: 300 },
    );
    // The generator reaches both sides: some texts searched, most did not.
    expect(searches).toBeGreaterThan(0);
    expect(searches).toBeLessThan(300);
  });
});
