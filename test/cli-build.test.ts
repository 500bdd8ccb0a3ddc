import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIsFresh } from "../bin/build-fresh.mjs";
import { CLI_BIN } from "./cli-run.testing.ts";
import { type FakePncp, startFakePncp } from "./fakes/fake-pncp.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** SDKs no CLI command may load unless it uses them (issue 7: Bolt, grammY, exceljs, ioredis, openai…). */
const SDKS = [
  "@slack/",
  "grammy",
  "exceljs",
  "ioredis",
  "openai",
  "@supabase/",
  "/pg/",
  "@electric-sql/",
  "stripe",
];

let dir: string;
let pncp: FakePncp;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smart-pncp-build-"));
  pncp = await startFakePncp({ now: "2026-09-21T15:00:00-03:00" });
  // A module-resolution hook that prints every package the process loads.
  await writeFile(
    join(dir, "hooks.mjs"),
    'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("LOADED " + r.url + "\\n"); return r; }\n',
  );
  await writeFile(
    join(dir, "register.mjs"),
    `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`,
  );
});
afterAll(async () => {
  await pncp.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with the hook; returns the exit code and the URLs of every module loaded. */
function loadedBy(args: string[]): Promise<{ code: number; urls: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", join(dir, "register.mjs"), CLI_BIN, ...args],
      { env: { PATH: process.env.PATH ?? "" }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        const urls = [...stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
        resolve({ code: error ? Number(error.code ?? 1) : 0, urls });
      },
    );
  });
}

describe("start-up loads only what a command uses", () => {
  it("--help loads no SDK, no zod, no pino (compiled dist/ when fresh, else src/ through tsx)", async () => {
    const { code, urls } = await loadedBy(["--help"]);
    expect(code).toBe(0);
    const packages = urls.filter((u) => u.includes("/node_modules/"));
    expect(packages.filter((u) => SDKS.some((s) => u.includes(s)) || /\/(zod|pino)\//.test(u))).toEqual([]);
    if (buildIsFresh()) {
      expect(urls.some((u) => u.endsWith("/dist/cli/main.js"))).toBe(true);
      expect(packages).toEqual([]);
    } else {
      expect(urls.some((u) => u.endsWith("/src/cli/main.ts"))).toBe(true);
    }
  });

  it("a small search without --as or --xlsx loads no SDK (only zod and pino)", async () => {
    const { code, urls } = await loadedBy([
      "search",
      "SP",
      "--from",
      "2026-09-17",
      "--to",
      "2026-09-17",
      "--modalidades",
      "8",
      "--json",
      "--pncp-url",
      pncp.url,
    ]);
    expect(code).toBe(0);
    expect(urls.some((u) => u.includes("/zod/"))).toBe(true); // the hook sees packages
    expect(urls.filter((u) => SDKS.some((s) => u.includes(s)))).toEqual([]);
  });
});

describe("the compiled build", () => {
  it("dist/ sits beside src/ so supabase/migrations resolves from the compiled store", async () => {
    // tsconfig.build.json keeps rootDir src → dist/stores/migrate.js is as deep as src/stores/migrate.ts.
    const built = join(ROOT, "dist", "stores", "migrate.js");
    if (!existsSync(built)) {
      expect(buildIsFresh()).toBe(false);
      return;
    }
    const { MIGRATIONS_DIR } = (await import(pathToFileURL(built).href)) as { MIGRATIONS_DIR: string };
    expect(MIGRATIONS_DIR.replace(/\/$/, "")).toBe(join(ROOT, "supabase", "migrations"));
    expect(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).length).toBeGreaterThan(0);
  });

  it("the launcher trusts dist/ only when its stamp is not older than any file in src/", async () => {
    const root = join(dir, "pkg");
    await mkdir(join(root, "bin"), { recursive: true });
    await mkdir(join(root, "src", "cli"), { recursive: true });
    await mkdir(join(root, "dist"), { recursive: true });
    await copyFile(join(ROOT, "bin", "build-fresh.mjs"), join(root, "bin", "build-fresh.mjs"));
    const { buildIsFresh: fresh } = (await import(
      pathToFileURL(join(root, "bin", "build-fresh.mjs")).href
    )) as {
      buildIsFresh: () => boolean;
    };
    const source = join(root, "src", "cli", "main.ts");
    const stamp = join(root, "dist", ".build-stamp");
    await writeFile(source, "export {};\n");
    expect(fresh()).toBe(false); // no build yet
    await writeFile(stamp, "built");
    const t = Date.now() / 1000;
    await utimes(source, t - 60, t - 60);
    await utimes(stamp, t - 30, t - 30);
    expect(fresh()).toBe(true);
    await utimes(source, t, t); // edited after the build
    expect(fresh()).toBe(false);
    await utimes(source, t - 30, t - 30); // a packed install: equal mtimes
    expect(fresh()).toBe(true);
  });
});
