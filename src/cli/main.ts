import { parseCliArgs } from "./cli-args.ts";
import { describeCliError } from "./cli-errors.ts";
import { COMMAND_HELP, MAIN_HELP } from "./help-texts.ts";

/** A subcommand: argv after its name (and the environment) → exit code. */
type Command = (argv: string[], env: NodeJS.ProcessEnv) => Promise<number>;

/** A subcommand that takes no arguments besides `--help`. */
function noArgs(run: (env: NodeJS.ProcessEnv) => Promise<number>): Command {
  return async (argv, env) => {
    parseCliArgs(argv, {}, { positionals: false });
    return run(env);
  };
}

/** The command's module is not there (yet): `sync` and `index` are written separately. */
class CommandUnavailable extends Error {}

/**
 * Loads a subcommand whose module may not exist in this checkout. The specifier is a variable so the CLI
 * compiles without the file; only "this very module is missing" counts as unavailable — an error inside
 * the module propagates.
 */
async function optionalCommand(specifier: string, exportName: string): Promise<Command> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const stem = specifier.replace(/^\.\//, "").replace(/\.ts$/, "");
    if (code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(stem)) {
      throw new CommandUnavailable(stem);
    }
    throw error;
  }
  const command = mod[exportName];
  if (typeof command !== "function") throw new CommandUnavailable(specifier);
  // `syncCommand(argv, env?)` / `indexCommand(argv, env?)`: the environment is passed when they take it.
  return (argv, env) => (command as (argv: string[], env?: NodeJS.ProcessEnv) => Promise<number>)(argv, env);
}

/**
 * Each subcommand is imported only when it runs, so `--help` loads no SDK and `search` loads neither Bolt
 * nor grammY (null prototype: user text is looked up here).
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = Object.assign(Object.create(null), {
  search: async (): Promise<Command> => (await import("./search-command.ts")).searchCommand,
  chat: async (): Promise<Command> => (await import("./chat-command.ts")).chatCommand,
  plan: async (): Promise<Command> => (await import("./plan-command.ts")).planCommand,
  billing: async (): Promise<Command> => (await import("./billing-command.ts")).billingCommand,
  migrate: async () => noArgs((await import("./migrate-command.ts")).migrateCommand),
  serve: async () => noArgs((await import("./serve-command.ts")).serveCommand),
  backup: async (): Promise<Command> => (await import("./backup-command.ts")).backupCommand,
  restore: async (): Promise<Command> => (await import("./backup-command.ts")).restoreCommand,
  worker: async (): Promise<Command> => (await import("./worker-command.ts")).workerCommand,
  sync: () => optionalCommand("./sync-command.ts", "syncCommand"),
  index: () => optionalCommand("./index-command.ts", "indexCommand"),
  sectors: async (): Promise<Command> => (await import("./sectors-command.ts")).sectorsCommand,
});

/** `--help` / `-h` before a `--` terminator. */
function wantsHelp(argv: string[]): boolean {
  for (const arg of argv) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

function shown(text: string): string {
  const clean = text.replace(/[\p{Cc}\p{Cf}]/gu, "");
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** Prints a subcommand's usage; `sync`/`index` print their own (their module handles `--help`). */
async function printHelp(name: string, env: NodeJS.ProcessEnv): Promise<number> {
  const text = COMMAND_HELP[name];
  if (text !== undefined) {
    process.stdout.write(text);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`comando desconhecido: ${shown(name)}\n\n${MAIN_HELP}`);
    return 1;
  }
  return (await load())(["--help"], env);
}

async function dispatch(
  command: string | undefined,
  rest: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  switch (command) {
    case undefined:
      process.stdout.write(MAIN_HELP);
      return 1;
    case "help":
    case "--help":
    case "-h":
      if (rest[0] !== undefined) return printHelp(rest[0], env);
      process.stdout.write(MAIN_HELP);
      return 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`comando desconhecido: ${shown(command)}\n\n${MAIN_HELP}`);
    return 1;
  }
  if (wantsHelp(rest) && COMMAND_HELP[command] !== undefined) return printHelp(command, env);
  return (await load())(rest, env);
}

/** CLI entry: dispatches a subcommand and returns the exit code; every failure is pt-BR text on stderr. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    return await dispatch(command, rest, env);
  } catch (error) {
    if (error instanceof CommandUnavailable) {
      process.stderr.write(
        `O comando "${command}" está indisponível nesta instalação (ainda não disponível nesta versão).\n`,
      );
      return 1;
    }
    process.stderr.write(`${describeCliError(error, env, command)}\n`);
    return 1;
  }
}
