import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { loadConfig } from "../config.ts";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import { isCommandButton, type Reply, type ReplySink } from "../core/chat/reply.ts";
import { createCore, createLogger } from "../main.ts";
import { CliUsageError, parseCliArgs } from "./cli-args.ts";
import { cliLogLevel } from "./cli-errors.ts";
import { parseUserKey } from "./user-key.ts";
import { fileErrorMessage } from "./xlsx-target.ts";

/**
 * Renders replies for a terminal; files are written to `outDir` (created when missing) and their path
 * printed. A file that cannot be written is reported in pt-BR; the results were already printed.
 */
export function terminalSink(write: (text: string) => void, outDir: string): ReplySink {
  return {
    async send(reply: Reply) {
      switch (reply.kind) {
        case "file": {
          const path = resolve(outDir, reply.filename);
          try {
            await mkdir(outDir, { recursive: true });
            await writeFile(path, reply.data);
            write(`${reply.caption}: ${path}`);
          } catch (error) {
            write(fileErrorMessage(path, error));
          }
          return;
        }
        case "results":
        case "text":
        case "upgrade":
        case "error": {
          const buttons = reply.buttons ?? [];
          const lines = buttons.map((b) =>
            isCommandButton(b) ? `👉 ${b.label}: digite ${b.command}` : `🔗 ${b.label}: ${b.url}`,
          );
          write([reply.text, ...lines].join("\n"));
          return;
        }
        case "searching":
        case "progress":
          write(reply.text);
          return;
      }
    },
  };
}

/**
 * `smart-pncp chat [--as <userKey>] [--out DIR]`: the chat commands in a terminal, interactive or with
 * stdin piped (one command per line; each finishes before the next is read).
 */
export async function chatCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCliArgs(
    argv,
    { as: { type: "string" }, out: { type: "string" } },
    { positionals: false },
  );
  let identity: ReturnType<typeof parseUserKey>;
  try {
    identity = parseUserKey(values.as ?? "cli:local");
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const outDir = resolve(values.out ?? process.cwd());
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new CliUsageError(
      `--out: não foi possível criar a pasta "${outDir}" (${(error as { code?: string }).code ?? "erro"})`,
    );
  }
  const logger = createLogger(cliLogLevel(env));
  const core = await createCore(loadConfig(env), { logger });
  const interactive = Boolean(process.stdin.isTTY);
  const sink = terminalSink((text) => process.stdout.write(`${text}\n\n`), outDir);
  const rl = createInterface({ input: process.stdin, terminal: interactive });
  if (interactive) {
    process.stdout.write("Smart PNCP — digite /ajuda para ver os comandos, /sair para sair.\n> ");
  }
  try {
    for await (const line of rl) {
      const text = line.trim();
      if (text === "/sair" || text === "/exit") break;
      if (text !== "") {
        const cmd: IncomingCommand = {
          platform: identity.platform,
          userKey: values.as ?? "cli:local",
          userId: identity.userId,
          teamId: identity.teamId,
          displayName: identity.displayName,
          chatId: "terminal",
          isPrivate: true,
          text,
          messageId: randomUUID(),
          receivedAt: new Date(),
        };
        await core.chat.handle(cmd, sink);
        await core.deps.queue.drain(10 * 60_000);
      }
      if (interactive) process.stdout.write("> ");
    }
  } finally {
    rl.close();
    await core.close();
  }
  return 0;
}
