import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CORE = fileURLToPath(new URL("../src/core/", import.meta.url));
const FORBIDDEN = [
  "@slack/",
  "grammy",
  "@grammyjs/",
  "stripe",
  "@supabase/",
  "ioredis",
  "pg",
  "@electric-sql/",
];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => join(e.parentPath, e.name));
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(
    /(?:import|export)[^"'`]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
  )) {
    specifiers.push((m[1] ?? m[2])!);
  }
  return specifiers;
}

describe("import boundary", () => {
  it("src/core imports no platform SDK, database driver or payment SDK", async () => {
    const files = await sourceFiles(CORE);
    expect(files.length).toBeGreaterThan(20);
    const violations: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(await readFile(file, "utf8"))) {
        if (
          FORBIDDEN.some(
            (f) =>
              spec === f || spec.startsWith(f.endsWith("/") ? f : `${f}/`) || spec === f.replace(/\/$/, ""),
          )
        ) {
          violations.push(`${file}: ${spec}`);
        }
        if (spec.startsWith(".") && /\/(bots|stores|billing|server|cli)\//.test(join(file, "..", spec))) {
          violations.push(`${file}: ${spec} (core must not import outer layers)`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("the checker itself sees a forbidden import", () => {
    expect(importsOf('import { App } from "@slack/bolt";\nconst x = await import("ioredis");')).toEqual([
      "@slack/bolt",
      "ioredis",
    ]);
  });
});
