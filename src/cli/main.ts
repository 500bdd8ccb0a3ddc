import { ConfigError } from "../config.ts";
import { chatCommand } from "./chat-command.ts";
import { migrateCommand } from "./migrate-command.ts";
import { planCommand } from "./plan-command.ts";
import { searchCommand } from "./search-command.ts";
import { serveCommand } from "./serve-command.ts";

const HELP = `smart-pncp — licitações do PNCP no terminal e nos chats

Uso:
  smart-pncp search [CONSULTA] [--sector ID] [--terms "a b"] [--uf SP,RJ] [--from AAAA-MM-DD]
                    [--to AAAA-MM-DD] [--modalidades 6,8] [--min-value N] [--max-value N] [--open]
                    [--json] [--xlsx ARQUIVO] [--pncp-url URL] [--as USUARIO]
  smart-pncp chat [--as USUARIO] [--out PASTA]
  smart-pncp plan show USUARIO|team:PLATAFORMA:ID | plan set USUARIO|team:PLATAFORMA:ID PLANO [--days N]
  smart-pncp migrate
  smart-pncp serve

Exemplo: smart-pncp search "uniformes SC PR 15d acima de 50 mil"
`;

/** CLI entry: dispatches a subcommand and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "search":
        return await searchCommand(rest);
      case "chat":
        return await chatCommand(rest);
      case "plan":
        return await planCommand(rest);
      case "migrate":
        return await migrateCommand();
      case "serve":
        return await serveCommand();
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(HELP);
        return command === undefined ? 1 : 0;
      default:
        process.stderr.write(`comando desconhecido: ${command}\n\n${HELP}`);
        return 1;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${error.message}\n\n${HELP}`);
      return 1;
    }
    process.stderr.write(`Erro: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
