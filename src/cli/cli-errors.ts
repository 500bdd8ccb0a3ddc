/**
 * Turns whatever stopped a CLI command into pt-BR text that names the setting to fix. Node's, zod's and the
 * drivers' English messages (`ECONNREFUSED`, `Invalid option: expected one of…`) and stack traces never
 * reach the terminal; with `LOG_LEVEL=debug` the original message follows as a "detalhe técnico" line.
 */
import { CliUsageError } from "./cli-args.ts";

/** Network failures that mean "nothing is listening / the host does not answer". */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** Postgres SQLSTATEs a wrong DATABASE_URL produces. */
const PG_SETTING_CODES: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  "28P01": "usuário ou senha recusados",
  "28000": "acesso recusado pelo servidor (pg_hba.conf)",
  "3D000": "o banco indicado não existe",
});

interface ErrorLike {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  problems?: unknown;
}

/** The error and its causes (AggregateError members too), nearest first, at most 10. */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 10) {
    const e = queue.shift();
    if (!e || typeof e !== "object") continue;
    const like = e as ErrorLike;
    out.push(like);
    if (like.cause) queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...like.errors);
  }
  return out;
}

/** `host:port` of a URL setting, never its credentials or path. */
function hostPort(value: string | undefined, defaultPort: string): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return `${url.hostname}:${url.port || defaultPort}`;
  } catch {
    return null;
  }
}

function defaultPortOf(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  if (value.startsWith("https:")) return "443";
  if (value.startsWith("http:")) return "80";
  return fallback;
}

interface Target {
  variable: string;
  where: string | null;
  hint: string;
}

/** Which configured service the failed connection was for, by port, else the configured store. */
function connectionTarget(failure: ErrorLike, env: NodeJS.ProcessEnv): Target {
  const store: Target[] = [];
  if (env.DATABASE_URL?.trim())
    store.push({
      variable: "DATABASE_URL",
      where: hostPort(env.DATABASE_URL, "5432"),
      hint: "verifique se o Postgres está rodando e se o endereço está certo",
    });
  if (env.SUPABASE_URL?.trim())
    store.push({
      variable: "SUPABASE_URL",
      where: hostPort(env.SUPABASE_URL, defaultPortOf(env.SUPABASE_URL, "443")),
      hint: "verifique o endereço do projeto Supabase e a sua conexão",
    });
  const others: Target[] = [];
  if (env.REDIS_URL?.trim())
    others.push({
      variable: "REDIS_URL",
      where: hostPort(env.REDIS_URL, "6379"),
      hint: "verifique se o Redis está rodando",
    });
  const candidates = [...store, ...others];
  const port = failure.port === undefined ? null : String(failure.port);
  const byPort = port ? candidates.find((c) => c.where?.endsWith(`:${port}`)) : undefined;
  if (byPort) return byPort;
  if (store[0]) return store[0];
  const where =
    typeof failure.address === "string" && port ? `${failure.address}:${port}` : (others[0]?.where ?? null);
  return others[0] ?? { variable: "a configuração de rede", where, hint: "verifique o endereço configurado" };
}

/** Reads `VAR: zod message` and gives a pt-BR hint for that kind of variable (values never echoed). */
function configProblem(problem: string): string {
  const colon = problem.indexOf(":");
  const variable = colon > 0 ? problem.slice(0, colon).trim() : problem.trim();
  const detail = colon > 0 ? problem.slice(colon + 1) : "";
  if (variable === "LOG_LEVEL") return `${variable}: use fatal, error, warn, info, debug, trace ou silent`;
  if (variable === "DATABASE_MIGRATE_ON_START" || variable === "SYNC_ENABLED")
    return `${variable}: use true ou false`;
  if (variable.endsWith("_MODALIDADES"))
    return `${variable}: use códigos de modalidade separados por vírgula (ex.: 5,7)`;
  if (/_URL$|_ROOT$/.test(variable))
    return `${variable}: precisa ser uma URL completa (http://… ou https://…)`;
  const min = /(?:>=|≥)\s*(\d+)/.exec(detail);
  if (/number|int/i.test(detail))
    return `${variable}: precisa ser um número inteiro${min ? ` maior ou igual a ${min[1]}` : ""}`;
  return `${variable}: valor não aceito`;
}

/** The pt-BR text for an error that ended a CLI command (`command` names the subcommand, if any). */
export function describeCliError(
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
  command?: string,
): string {
  if (error instanceof CliUsageError) {
    return `${error.message}\nVeja: smart-pncp ${command ? `${command} ` : ""}--help`;
  }
  const errors = chain(error);
  const config = errors.find((e) => (e as Error).name === "ConfigError" && Array.isArray(e.problems));
  if (config) {
    const problems = (config.problems as unknown[]).map((p) => `  - ${configProblem(String(p))}`);
    return `Configuração inválida nas variáveis de ambiente:\n${problems.join("\n")}\nCorrija os valores (veja .env.example e docs/setup.md).`;
  }
  let text: string;
  // Errors written for the operator in pt-BR, naming what to fix (the embedded store's start-up).
  const operator = errors.find(
    (e) => (e as Error).name === "EmbeddedStoreError" && typeof e.message === "string",
  );
  const network = errors.find((e) => typeof e.code === "string" && CONNECTION_CODES.has(e.code));
  const pg = errors.find((e) => typeof e.code === "string" && e.code in PG_SETTING_CODES);
  const timeout = errors.find(
    (e) => typeof e.message === "string" && /timeout.*connect|connection timeout/i.test(e.message),
  );
  const denied = errors.find((e) => e.code === "EACCES" || e.code === "EPERM" || e.code === "EROFS");
  const supabaseKey = env.SUPABASE_URL?.trim() && !env.SUPABASE_SERVICE_ROLE_KEY?.trim();
  if (operator) {
    text = String(operator.message);
  } else if (supabaseKey && errors.some((e) => String(e.message).includes("SUPABASE_SERVICE_ROLE_KEY"))) {
    text =
      "SUPABASE_URL está definida mas falta SUPABASE_SERVICE_ROLE_KEY (Supabase → Project Settings → API keys): defina as duas, ou nenhuma.";
  } else if (network || timeout) {
    const target = connectionTarget(network ?? timeout!, env);
    const where = target.where ? ` (${target.where})` : "";
    text = `Não foi possível conectar ao banco em ${target.variable}${where}: ${target.hint}.`;
    if (target.variable === "REDIS_URL")
      text = `Não foi possível conectar ao Redis em REDIS_URL${where}: ${target.hint}.`;
  } else if (pg) {
    const where = hostPort(env.DATABASE_URL, "5432");
    text = `O Postgres em DATABASE_URL${where ? ` (${where})` : ""} recusou a conexão: ${PG_SETTING_CODES[String(pg.code)]}. Corrija DATABASE_URL.`;
  } else if (denied) {
    text = `Sem permissão para gravar em DATA_DIR (${env.DATA_DIR ?? "./data"}): escolha uma pasta gravável em DATA_DIR.`;
  } else {
    text =
      "Algo deu errado ao executar o comando. Rode de novo com LOG_LEVEL=debug para ver o detalhe técnico.";
  }
  const debug = env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "trace";
  const first = errors[0];
  if (debug && first && typeof first.message === "string") {
    text += `\ndetalhe técnico: ${first.message.split("\n")[0]}`;
  }
  return text;
}

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/**
 * The log level of a CLI command: `LOG_LEVEL` when set, else `silent` — the terminal gets the pt-BR
 * messages, not JSON log lines with English error text (`LOG_LEVEL=debug` shows them, on stderr).
 */
export function cliLogLevel(env: NodeJS.ProcessEnv): string {
  const level = env.LOG_LEVEL?.trim();
  return level && LEVELS.has(level) ? level : "silent";
}
