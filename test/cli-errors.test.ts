import { createServer, type Server } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { describeCliError } from "../src/cli/cli-errors.ts";
import { STATUS_LABEL } from "../src/cli/plan-command.ts";
import { ConfigError } from "../src/config.ts";
import { captureMain, foreignText, runCli } from "./cli-run.testing.ts";

/** A port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let port: number;
beforeAll(async () => {
  port = await closedPort();
});

describe("CLI errors name the setting to fix, in pt-BR", () => {
  it("an unreachable DATABASE_URL names the variable and host:port, never the password or ECONNREFUSED", async () => {
    const env = { DATABASE_URL: `postgres://app:s3cr3t@127.0.0.1:${port}/prod` };
    const result = await runCli(["plan", "show", "cli:ana"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Não foi possível conectar ao banco em DATABASE_URL (127.0.0.1:${port}): verifique se o Postgres está rodando`,
    );
    expect(result.stderr).not.toContain("s3cr3t");
    expect(foreignText(result.stderr)).toEqual([]);
    expect(result.stdout).toBe("");
  });

  it("search --as with the store down says the same, before searching", async () => {
    const result = await captureMain(["search", "SP", "--as", "cli:ana"], {
      DATABASE_URL: `postgres://127.0.0.1:${port}/x`,
      PNCP_BASE_URL: `http://127.0.0.1:${port}/api`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL");
    expect(foreignText(result.stderr)).toEqual([]);
  });

  it("bad environment values list every variable with a pt-BR hint, exit 1", async () => {
    const result = await runCli(["search", "SP"], {
      LOG_LEVEL: "verbose",
      PORT: "abc",
      PNCP_CONCURRENCY: "0",
      PNCP_BASE_URL: "not a url",
      DATABASE_MIGRATE_ON_START: "sim",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Configuração inválida nas variáveis de ambiente:");
    expect(result.stderr).toContain("LOG_LEVEL: use fatal, error, warn, info, debug, trace ou silent");
    expect(result.stderr).toContain("PORT: precisa ser um número inteiro");
    expect(result.stderr).toContain("PNCP_CONCURRENCY: precisa ser um número inteiro maior ou igual a 1");
    expect(result.stderr).toContain("PNCP_BASE_URL: precisa ser uma URL completa");
    expect(result.stderr).toContain("DATABASE_MIGRATE_ON_START: use true ou false");
    expect(foreignText(result.stderr)).toEqual([]);
  });

  it("unknown options, missing values and values given to switches are named in pt-BR", async () => {
    const cases: [string[], string][] = [
      [["search", "SP", "--help-me"], "opção desconhecida: --help-me"],
      [["search", "SP", "--from"], "--from precisa de um valor"],
      [["search", "SP", "--from", "--json"], "--from precisa de um valor"],
      [["search", "SP", "--json=yes"], "--json não recebe valor"],
      [["search", "SP", "--uf", "XX"], '--uf: estado desconhecido "XX"'],
      [["search", "SP", "--sector", "uniformes"], '--sector: setor desconhecido "uniformes"'],
      [["search", "SP", "--modalidades", "6,99"], "--modalidades: códigos inteiros de 1 a 19"],
      [["chat", "extra"], 'argumento inesperado: "extra"'],
      [["migrate", "--force"], "opção desconhecida: --force"],
      [["plan", "show", "cli:ana", "--days", "-3"], "--days precisa de um valor"],
      [["plan", "show", "nope:ana"], 'chave de usuário inválida: "nope:ana"'],
      [["buscar"], "comando desconhecido: buscar"],
    ];
    for (const [argv, expected] of cases) {
      const result = await captureMain(argv, { PNCP_BASE_URL: `http://127.0.0.1:${port}/api` });
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.stderr + result.stdout, argv.join(" ")).toContain(expected);
      expect(foreignText(result.stderr), argv.join(" ")).toEqual([]);
    }
  });

  it("describeCliError reads causes, AggregateErrors and Postgres SQLSTATEs", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6543"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 6543,
    });
    const wrapped = new Error("store unavailable", { cause: new AggregateError([refused], "") });
    const env = { DATABASE_URL: "postgres://u:pw@db.internal:6543/app", REDIS_URL: "redis://cache:6379" };
    expect(describeCliError(wrapped, env)).toBe(
      "Não foi possível conectar ao banco em DATABASE_URL (db.internal:6543): verifique se o Postgres está rodando e se o endereço está certo.",
    );
    const redis = Object.assign(new Error("x"), { code: "ECONNREFUSED", port: 6379 });
    expect(describeCliError(redis, env)).toContain("Redis em REDIS_URL (cache:6379)");
    const auth = Object.assign(new Error('password authentication failed for user "u"'), { code: "28P01" });
    expect(describeCliError(auth, env)).toContain("recusou a conexão: usuário ou senha recusados");
    expect(
      describeCliError(new ConfigError(["PORT: Invalid input: expected number, received NaN"]), {}),
    ).toContain("PORT: precisa ser um número inteiro");
    const supabase = new Error("SUPABASE_URL is set but SUPABASE_SERVICE_ROLE_KEY is missing");
    expect(describeCliError(supabase, { SUPABASE_URL: "https://x.supabase.co" })).toContain(
      "falta SUPABASE_SERVICE_ROLE_KEY",
    );
    const generic = describeCliError(new TypeError("Cannot read properties of undefined (reading 'x')"), {});
    expect(foreignText(generic)).toEqual([]);
    expect(describeCliError(new TypeError("boom"), { LOG_LEVEL: "debug" })).toContain(
      "detalhe técnico: boom",
    );
  });

  it("plan show prints statuses in Portuguese: em teste for a new user, dates dd/mm/aaaa", async () => {
    expect(Object.values(STATUS_LABEL).sort()).toEqual(
      ["ativo", "cancelado", "em teste", "expirado", "pagamento pendente"].sort(),
    );
    const result = await captureMain(["plan", "show", "cli:nova"], { DATA_DIR: "memory://" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Plano: Teste grátis [free_trial] — em teste");
    expect(result.stdout).toMatch(/Fim do teste grátis: \d{2}\/\d{2}\/\d{4}\n/);
    expect(result.stdout).toMatch(/Renova em: \d{2}\/\d{2}\/\d{4}\n/);
    expect(result.stdout).not.toMatch(/trialing|active/);
  }, 120_000);
});
