import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { findPostgresBinaries, hydrateSymlinks } from "../../src/stores/embedded-postgres-binaries.ts";
import { requireService } from "../helpers/services.ts";

const run = promisify(execFile);
const found = await findPostgresBinaries();
const available = requireService("embedded-postgres binaries", found.ok);

describe.skipIf(!available)("embedded-postgres binaries", () => {
  it("are found for this platform and run", async () => {
    if (!found.ok) return;
    const { stdout } = await run(found.binaries.postgres, ["--version"]);
    expect(stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);
  });

  it("run after an install that skipped the package's postinstall (its shared-library links are recreated)", async () => {
    if (!found.ok) return;
    const packageRoot = dirname(dirname(dirname(found.binaries.postgres)));
    const copy = await mkdtemp(join(tmpdir(), "smart-pncp-binaries-"));
    try {
      await cp(join(packageRoot, "native"), join(copy, "native"), {
        recursive: true,
        verbatimSymlinks: true,
      });
      const links: { target: string }[] = JSON.parse(
        await readFile(join(copy, "native", "pg-symlinks.json"), "utf8"),
      );
      if (links.length === 0) return; // nothing to recreate on this platform
      for (const link of links) await unlink(join(copy, link.target)).catch(() => undefined);
      const postgres = join(copy, "native", "bin", "postgres");
      await expect(run(postgres, ["--version"])).rejects.toThrow(/shared librar/);
      await hydrateSymlinks(copy);
      await hydrateSymlinks(copy); // idempotent
      expect((await run(postgres, ["--version"])).stdout).toMatch(/PostgreSQL/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
