import { createServer } from "node:net";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { captureMain, foreignText, runCli } from "./cli-run.testing.ts";

/** A port with nothing listening: PNCP and Postgres both refuse at once, so no case waits on a network. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let env: Record<string, string>;
beforeAll(async () => {
  const port = await closedPort();
  env = {
    DATABASE_URL: `postgres://app:pw@127.0.0.1:${port}/db`,
    PNCP_BASE_URL: `http://127.0.0.1:${port}/api/consulta`,
    PNCP_MAX_RETRIES: "0",
  };
});

// `serve` and `sync` run until a signal, `index` may rebuild the index, `chat --out` creates folders: they are
// left out of the random commands (their --help is in cli-help.test.ts).
const COMMANDS = ["search", "plan", "migrate", "help", "--help", "-h", "chat", "", "buscar"];
const FLAGS = [
  "--sector",
  "--terms",
  "--uf",
  "--from",
  "--to",
  "--modalidades",
  "--min-value",
  "--max-value",
  "--open",
  "--json",
  "--xlsx",
  "--pncp-url",
  "--as",
  "--days",
  "--constructor",
  "--__proto__",
  "--toString",
  "-x",
  "--",
  "-",
  "---",
  "--=",
  "--json=1",
  "--from=",
  "show",
  "set",
];
const VALUES = [
  "SP",
  "XX",
  "cli:ana",
  "team:slack:T1",
  "nope:x",
  "maquina",
  "2026-02-30",
  "2026-09-15",
  "12/9999",
  "-5",
  "1e999",
  "6,99",
  "saude",
  "uniformes",
  "/nao/existe/x.xlsx",
  "http://",
  "ftp://x",
  "0",
];

const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FLAGS) },
  { weight: 3, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => `--${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
);
const argv = fc
  .tuple(fc.constantFrom(...COMMANDS), fc.array(token, { maxLength: 8 }))
  .map(([cmd, rest]) => (cmd === "" ? rest : [cmd, ...rest]));

describe("any argv (property)", () => {
  it("exits 0 or 1 with pt-BR text: no Node/zod English, no stack trace", async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        // `chat` with valid flags would read stdin after the store opened; the store refuses first.
        const result = await captureMain(args, env);
        expect([0, 1]).toContain(result.code);
        expect(foreignText(result.stderr)).toEqual([]);
        expect(foreignText(result.stdout)).toEqual([]);
        if (result.code === 1) expect(result.stderr.length + result.stdout.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  }, 300_000);

  it("the real binary too, for a few hostile command lines (logs included)", async () => {
    for (const args of [
      ["search", "--from"],
      ["search", "SP", "--zzz", "--json"],
      ["plan", "set", "cli:ana", "maquina", "--days", "abc"],
      ["search", "SP", "--as", "cli:ana", "--json"],
      ["--constructor"],
    ]) {
      const result = await runCli(args, env);
      expect([0, 1], args.join(" ")).toContain(result.code);
      expect(foreignText(result.stderr), args.join(" ")).toEqual([]);
      expect(result.stderr.trim().length, args.join(" ")).toBeGreaterThan(0);
    }
  }, 120_000);
});
