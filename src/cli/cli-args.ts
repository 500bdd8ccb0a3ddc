import { parseArgs } from "node:util";

/** One flag of a subcommand: `string` takes a value, `boolean` does not. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** The flags read, by name; a string flag given twice keeps the last value. */
export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]?: S[K]["type"] extends "string" ? string : boolean;
};

/** A command line the CLI cannot read; `message` is pt-BR and names the flag. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

/** Every subcommand accepts `--help` / `-h`. */
const HELP_FLAG: FlagSpec = { type: "boolean", short: "h" };

/** Shows a flag the way the user typed it, without control characters or endless text. */
function shown(raw: string): string {
  const clean = raw.replace(/[\p{Cc}\p{Cf}]/gu, "");
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/**
 * Reads argv against `specs` and returns the flags and positionals, or throws `CliUsageError` with a pt-BR
 * message. Node's own `parseArgs` runs in non-strict mode only to split tokens: its English errors never
 * reach the user, and a value that looks like a flag (`--from --json`) counts as missing. User text never
 * becomes an object key (the result has no prototype; unknown names are refused).
 */
export function parseCliArgs<S extends FlagSpecs>(
  argv: string[],
  specs: S,
  { positionals: allowPositionals = true }: { positionals?: boolean } = {},
): { values: FlagValues<S> & { help?: boolean }; positionals: string[] } {
  const all: FlagSpecs = { ...specs, help: HELP_FLAG };
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, spec] of Object.entries(all)) options[name] = { ...spec };
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = Object.create(null);
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      if (!allowPositionals) {
        throw new CliUsageError(
          `argumento inesperado: "${shown(token.value)}" (este comando não recebe texto)`,
        );
      }
      positionals.push(token.value);
      continue;
    }
    const spec = Object.hasOwn(all, token.name) ? all[token.name] : undefined;
    if (!spec) throw new CliUsageError(`opção desconhecida: ${shown(token.rawName)}`);
    const flag = `--${token.name}`;
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw new CliUsageError(`${flag} não recebe valor`);
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith("-") && value !== "-")) {
      throw new CliUsageError(`${flag} precisa de um valor (ex.: ${flag} VALOR)`);
    }
    if (value.trim() === "") throw new CliUsageError(`${flag} precisa de um valor não vazio`);
    values[token.name] = value;
  }
  return { values: values as FlagValues<S> & { help?: boolean }, positionals };
}
