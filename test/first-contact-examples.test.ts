import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { HELP_EXAMPLES, sectorExample } from "../src/core/chat/help-texts.ts";
import { FixedClock } from "../src/core/ports/clock.ts";
import { SECTOR_IDS } from "../src/core/sectors.ts";
import { privateCommand, recordingChat, recordingSink, useCore } from "./first-contact-harness.ts";

/**
 * Every example the product shows works on the free trial (3 searches, 7 days of history, 2/min). The
 * examples are not listed here by hand: they are read out of what the chat answers (/ajuda, /start,
 * /setores, /buscar alone), out of every source file under src/ (string literals: adapters' help, the
 * Telegram command list, the Slack install page, WhatsApp hints, CLI help), the README and docs/ (code
 * spans, `smart-pncp search "…"`, the Slack manifest's usage hint). Each one runs, as typed, through the
 * real chat core and entitlement flow (PGlite, the SQL plan rules) as a brand-new trial account, on a
 * fixed date and on today's date: none may be refused.
 */

const ROOT = resolve(import.meta.dirname, "..");

/** An example found somewhere: what to type, whether it is typed after /buscar or as plain text. */
interface Example {
  text: string;
  plain: boolean;
  where: string;
}

const CLOSERS: Record<string, string> = { '"': '"', "'": "'", "`": "`", "*": "*", "<code>": "<", "“": "”" };

function clean(example: string): string | null {
  let text = example.replace(/\s+/g, " ").trim();
  // A line of source read raw: `"/buscar obras SP 7d" },` ends with the literal's closing quote.
  for (const quote of ['"', "'", "`"]) {
    if (text.split(quote).length % 2 === 0)
      text = text.replace(new RegExp(`${quote}[;,)}\\]\\s]*$`), "").trim();
  }
  text = text.replace(/[.,;]$/, "").trim();
  // "(ex.: /buscar uniformes SP 7d)": the parenthesis belongs to the sentence.
  if (text.endsWith(")") && !text.includes("(")) text = text.slice(0, -1).trim();
  if (text === "" || text.startsWith("<") || text.includes("${") || text.startsWith("[")) return null;
  return text;
}

/**
 * `/buscar X` inside quotes, backticks, `*…*` or `<code>…</code>` (X runs to the closer), and `/buscar X`
 * at the start of a line or right after a label ("Exemplo: ", "ex.: ", any "…: "), X running to the end of
 * the line. Prose such as "Digite /buscar seguido do que procura" is not an example.
 */
function buscarExamples(text: string): string[] {
  const found: string[] = [];
  const re = /\/buscar(?:@\w+)?[ \t]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const before = text.slice(Math.max(0, m.index - 6), m.index);
    const opener = before.endsWith("<code>") ? "<code>" : before.slice(-1);
    let end: number;
    if (CLOSERS[opener]) {
      end = text.indexOf(CLOSERS[opener]!, start);
      // Quotes inside the example ("merenda escolar") are balanced; skip over them.
      while (opener === '"' && end >= 0 && text.slice(start, end).split('"').length % 2 === 0) {
        end = text.indexOf('"', end + 1);
      }
    } else {
      const lineStart = text.lastIndexOf("\n", m.index) + 1;
      const lead = text.slice(lineStart, m.index);
      if (!/^[\s•*-]*$/.test(lead) && !/:\s$/.test(lead)) continue;
      end = text.indexOf("\n", start);
    }
    if (end < 0) end = text.length;
    const example = clean(text.slice(start, end));
    if (example) found.push(example);
  }
  return found;
}

/** Single-line string literals of a TypeScript file, unescaped (what the code will print). */
function stringLiterals(source: string): string[] {
  const literals: string[] = [];
  for (const m of source.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\\n]|\\.)*`/g)) {
    literals.push(
      m[0]
        .slice(1, -1)
        .replace(/\\n/g, "\n")
        .replace(/\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})/g, (_, a, b) =>
          String.fromCodePoint(Number.parseInt(a ?? b, 16)),
        )
        .replace(/\\(.)/g, "$1"),
    );
  }
  return literals;
}

/** Examples in one file's text (source or docs). */
function examplesInFile(path: string, text: string): Example[] {
  const where = relative(ROOT, path);
  const out: Example[] = [];
  const add = (t: string | null, plain = false) => {
    if (t) out.push({ text: t, plain, where });
  };
  const pieces = path.endsWith(".ts") ? [text, ...stringLiterals(text)] : [text];
  for (const piece of pieces) {
    for (const example of buscarExamples(piece)) add(example);
    for (const m of piece.matchAll(/smart-pncp search \\?"((?:[^"\\\n]|\\.)*?)\\?"/g)) add(clean(m[1]!));
    // WhatsApp and chat hints: "por exemplo: *uniformes SP 7d*" is typed as plain text.
    for (const m of piece.matchAll(/exemplo:\s*\*([^*\n]+)\*/gi)) add(clean(m[1]!), true);
  }
  if (path.endsWith(".yml") || path.endsWith(".yaml")) {
    for (const m of text.matchAll(/usage_hint:\s*["']?([^"'\n]+)["']?/g)) add(clean(m[1]!));
  }
  if (path.endsWith(".md")) {
    // "Query language (what follows `/buscar`): `a`, `b`…": each code span of that sentence.
    const lead = text.indexOf("what follows `/buscar`):");
    if (lead >= 0) {
      const sentence = text.slice(lead + "what follows `/buscar`):".length, text.indexOf("`. ", lead) + 1);
      for (const m of sentence.matchAll(/`([^`]+)`/g)) add(clean(m[1]!));
    }
  }
  const unique = new Map(out.map((e) => [`${e.plain}:${e.text}`, e]));
  return [...unique.values()];
}

function walk(dir: string, keep: (path: string) => boolean): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path, keep));
    else if (keep(path)) files.push(path);
  }
  return files;
}

/** Every file whose text a user can read: sources (not tests), the README, docs. */
function productFiles(): string[] {
  // The sector catalogue lists candidate examples; /setores shows one per sector, checked below as shown.
  const catalogue = /src\/core\/filter\/sector-data-[^/]+\.ts$/;
  return [
    ...walk(join(ROOT, "src"), (p) => p.endsWith(".ts") && !p.endsWith(".test.ts") && !catalogue.test(p)),
    join(ROOT, "README.md"),
    ...walk(join(ROOT, "docs"), (p) => /\.(md|ya?ml)$/.test(p)),
  ];
}

const FIXED_NOW = new Date("2026-09-21T15:00:00-03:00");
const core = useCore(FIXED_NOW);

/** Runs `example` as a new trial user at `now`; returns the kinds of replies and whether a search was queued. */
async function runAsNewTrialUser(example: Example, now: Date) {
  const { chat, queue } = recordingChat(core(), { clock: new FixedClock(now) });
  const sink = recordingSink();
  await chat.handle(privateCommand(example.plain ? example.text : `/buscar ${example.text}`, { now }), sink);
  return { replies: sink.replies, queued: queue.jobs.length };
}

/** What the chat itself answers, read for examples. */
async function chatTexts(): Promise<Example[]> {
  const { chat } = recordingChat(core());
  const out: Example[] = [];
  for (const command of ["/ajuda", "/start", "/setores", "/buscar", "oi"]) {
    const sink = recordingSink();
    await chat.handle(privateCommand(command), sink);
    for (const reply of sink.replies) {
      if ("text" in reply) {
        for (const text of buscarExamples(reply.text))
          out.push({ text, plain: false, where: `chat ${command}` });
      }
    }
  }
  return out;
}

/** Each distinct example once, `where` listing every place it appears. */
async function allExamples(): Promise<Example[]> {
  const found = [...(await chatTexts())];
  for (const path of productFiles()) found.push(...examplesInFile(path, readFileSync(path, "utf8")));
  const unique = new Map<string, Example>();
  for (const e of found) {
    const key = `${e.plain}:${e.text}`;
    const seen = unique.get(key);
    unique.set(key, seen ? { ...seen, where: `${seen.where}, ${e.where}` } : e);
  }
  return [...unique.values()];
}

describe("every example the product shows works on the free trial", () => {
  it("finds the examples of /ajuda, /setores, /buscar, the README and the adapters", async () => {
    const examples = await allExamples();
    const texts = new Set(examples.map((e) => e.text));
    for (const help of HELP_EXAMPLES) expect(texts).toContain(help.replace(/^\/buscar /, ""));
    for (const id of SECTOR_IDS)
      expect(texts).toContain(sectorExample(id, FIXED_NOW).replace(/^\/buscar /, ""));
    const places = new Set(examples.flatMap((e) => e.where.split(", ").map((w) => w.split(" ")[0])));
    expect(places).toContain("chat");
    expect(places).toContain("README.md");
    expect(places).toContain("src/bots/telegram.ts");
    expect(places).toContain("docs/slack-app-manifest.yml");
    expect(examples.length).toBeGreaterThanOrEqual(20);
  });

  it("none is refused for a brand-new trial account, on a fixed date or today", async () => {
    const examples = await allExamples();
    const refused: string[] = [];
    for (const example of examples) {
      for (const now of [FIXED_NOW, new Date()]) {
        const { replies, queued } = await runAsNewTrialUser(example, now);
        if (replies[0]?.kind !== "searching" || queued !== 1) {
          const text = replies[0] && "text" in replies[0] ? replies[0].text.split("\n")[0] : "(no reply)";
          refused.push(`${example.where}: ${example.plain ? "" : "/buscar "}${example.text} → ${text}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it("would catch a 30-day example anywhere it can be written", async () => {
    const planted = [
      ...examplesInFile("src/x.ts", 'const help = "Exemplo: /buscar obras SP 30d";'),
      ...examplesInFile("src/y.ts", "lines.push('/buscar \"merenda escolar\" MG 30d');"),
      ...examplesInFile("README.md", "Try `/buscar uniformes SC últimos 30 dias` now."),
      ...examplesInFile("docs/m.yml", "      usage_hint: uniformes SP 30d"),
      ...examplesInFile("src/z.ts", "  text: 'Escreva, por exemplo: *uniformes SP 30d*',"),
    ];
    expect(planted.map((e) => e.text)).toEqual([
      "obras SP 30d",
      '"merenda escolar" MG 30d',
      "uniformes SC últimos 30 dias",
      "uniformes SP 30d",
      "uniformes SP 30d",
    ]);
    for (const example of planted) {
      const { replies, queued } = await runAsNewTrialUser(example, FIXED_NOW);
      expect(replies.map((r) => r.kind)).toEqual(["upgrade"]);
      expect(queued).toBe(0);
    }
  });

  it("does not mistake prose for an example", () => {
    expect(buscarExamples("Digite /buscar seguido do que procura")).toEqual([]);
    expect(buscarExamples("/buscar <consulta>: busca licitações")).toEqual([]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a line of source code, read as text
    expect(buscarExamples("return `/buscar ${stripped}`.trim();")).toEqual([]);
  });
});
