import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import type { Reply, ReplySink } from "../core/chat/reply.ts";
import { createCore, createLogger } from "../main.ts";
import { parseUserKey } from "./user-key.ts";

/** Renders replies for a terminal; files are written to `outDir` and their path printed. */
export function terminalSink(write: (text: string) => void, outDir: string): ReplySink {
  return {
    async send(reply: Reply) {
      switch (reply.kind) {
        case "file": {
          const path = resolve(outDir, reply.filename);
          await writeFile(path, reply.data);
          write(`${reply.caption}: ${path}`);
          return;
        }
        case "results":
        case "text":
        case "upgrade":
        case "error": {
          const buttons = reply.buttons ?? [];
          write([reply.text, ...buttons.map((b) => `🔗 ${b.label}: ${b.url}`)].join("\n"));
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
  const { values } = parseArgs({
    args: argv,
    options: { as: { type: "string" }, out: { type: "string" } },
    allowPositionals: false,
  });
  const identity = parseUserKey(values.as ?? "cli:local");
  const logger = createLogger(env.LOG_LEVEL ?? "error");
  const core = await createCore(loadConfig(env), { logger });
  const interactive = Boolean(process.stdin.isTTY);
  const sink = terminalSink((text) => process.stdout.write(`${text}\n\n`), values.out ?? process.cwd());
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
