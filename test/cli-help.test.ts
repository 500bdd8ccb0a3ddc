import { describe, expect, it } from "vitest";
import { captureMain, foreignText, runCli } from "./cli-run.testing.ts";

const SUBCOMMANDS = ["search", "chat", "plan", "migrate", "serve"] as const;

describe("help", () => {
  it("the real binary prints pt-BR usage for `search --help` and `--help`, exit 0, nothing on stderr", async () => {
    const search = await runCli(["search", "--help"]);
    expect(search).toMatchObject({ code: 0, stderr: "" });
    expect(search.stdout).toContain("Uso: smart-pncp search [CONSULTA] [opções]");
    expect(search.stdout).toContain("--xlsx ARQUIVO|PASTA");
    const top = await runCli(["--help"]);
    expect(top).toMatchObject({ code: 0, stderr: "" });
    expect(top.stdout).toContain("smart-pncp search [CONSULTA]");
    expect(top.stdout).toContain("smart-pncp help COMANDO");
  });

  for (const command of SUBCOMMANDS) {
    it(`${command}: --help, -h and \`help ${command}\` print the same pt-BR usage, exit 0`, async () => {
      const long = await captureMain([command, "--help"]);
      const short = await captureMain([command, "-h"]);
      const viaHelp = await captureMain(["help", command]);
      expect(long.code).toBe(0);
      expect(long.stdout).toMatch(/^Uso:/);
      expect(long.stdout).toContain(command);
      expect(short).toEqual(long);
      expect(viaHelp).toEqual(long);
      expect(long.stderr).toBe("");
      expect(foreignText(long.stdout)).toEqual([]);
    });
  }

  it("--help wins over other flags, even unknown ones, and a `--` terminator ends flag reading", async () => {
    const mixed = await captureMain(["search", "--zzz", "SP", "--help"]);
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toContain("Uso: smart-pncp search");
    const literal = await captureMain(["search", "--", "--help"], {
      PNCP_BASE_URL: "http://127.0.0.1:9/api",
      PNCP_MAX_RETRIES: "0",
    });
    expect(literal.stdout).not.toContain("Uso:");
  });

  it("help for an unknown command says so in pt-BR and exits 1", async () => {
    const result = await captureMain(["help", "buscar"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("comando desconhecido: buscar");
    expect(result.stderr).toContain("Uso:");
  });

  it("sync and index are listed, and without their modules say the command is unavailable", async () => {
    const top = await captureMain(["help"]);
    expect(top.stdout).toContain("smart-pncp sync");
    expect(top.stdout).toContain("smart-pncp index");
    for (const command of ["sync", "index"]) {
      const result = await captureMain([command, "--help"]);
      // Once the module exists it prints its own usage; until then, a pt-BR "unavailable" line.
      if (result.code === 0) expect(result.stdout.length).toBeGreaterThan(0);
      else expect(result.stderr).toContain(`O comando "${command}" está indisponível`);
      expect(foreignText(result.stdout + result.stderr)).toEqual([]);
    }
  });
});
