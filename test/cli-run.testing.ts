import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The `smart-pncp` binary as a user runs it. */
export const CLI_BIN = fileURLToPath(new URL("../bin/smart-pncp.mjs", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in a child process with a minimal environment plus `env`; never rejects. */
export function runCli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/**
 * English text from Node, zod or drivers that must never reach a CLI user (issue 7), and the shape of a
 * stack trace line.
 */
export const FOREIGN_PHRASES = [
  "Invalid option",
  "expected one of",
  "Unknown option",
  "Unexpected argument",
  "argument missing",
  "argument is ambiguous",
  "does not take an argument",
  "ECONNREFUSED",
  "ENOTFOUND",
  "Invalid configuration",
  "TypeError",
  "Cannot read properties",
  "is not a function",
  "ERR_",
  "Error:",
  "Invalid input",
  "Too small",
  "Too big",
  "undefined",
  "[object Object]",
];

/** The foreign phrases found in `text`, plus "stack trace" when a stack frame line is there. */
export function foreignText(text: string): string[] {
  const found = FOREIGN_PHRASES.filter((p) => text.includes(p));
  if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(text)) found.push("stack trace");
  return found;
}

/**
 * Runs the CLI's `main` in this process with stdout/stderr captured (fast enough for property tests).
 * Commands that would wait forever (`serve`, interactive `chat`) must not be passed.
 */
export async function captureMain(argv: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { main } = await import("../src/cli/main.ts");
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv, { PATH: process.env.PATH ?? "", ...env });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
