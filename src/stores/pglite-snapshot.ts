/**
 * A cached tarball of a freshly migrated in-memory PGlite, so the tests (and the CLI's throwaway
 * `memory://` runs) skip initdb and the migrations: `PGlite.create` without a data directory runs initdb
 * in a second WASM instance (most of the open), then every migration. The file is keyed by the migration
 * files' names and contents, the PGlite version and the extensions, lives under os.tmpdir(), and is
 * written to a temp file then renamed, so parallel test workers never read half a file. Anything wrong
 * with it (missing, unreadable, fails to load) means "migrate from scratch", never an error.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { MIGRATIONS_DIR } from "./migrate.ts";

const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;
/** Bump when the way the snapshot is made changes (not needed for migration edits: those are hashed). */
const FORMAT = "1";

function pgliteVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require("@electric-sql/pglite/package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Hex key of a snapshot: format, PGlite version, extension names, then each migration's name and text. */
export async function snapshotKey(extensions: string[], dir: string = MIGRATIONS_DIR): Promise<string> {
  const files = (await readdir(dir)).filter((name) => FILE_PATTERN.test(name)).sort();
  const hash = createHash("sha256");
  hash.update(
    `format ${FORMAT}\0pglite ${pgliteVersion()}\0extensions ${[...extensions].sort().join(",")}\0`,
  );
  for (const name of files) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(dir, name)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}

const PREFIX = "smart-pncp-pglite-";
/** Snapshots of other migration sets (and temp files of crashed writers) older than this are removed. */
const STALE_MS = 60 * 60 * 1000;

/** Where the snapshot for `key` is cached. */
export function snapshotPath(key: string): string {
  return join(tmpdir(), `${PREFIX}${key}.tar`);
}

/** The cached tarball, or null when there is none (or it cannot be read). */
export async function readSnapshot(path: string): Promise<Blob | null> {
  try {
    const bytes = await readFile(path);
    return bytes.length > 0 ? new Blob([bytes]) : null;
  } catch {
    return null;
  }
}

/** Dumps `db` (uncompressed: loads twice as fast as gzip) and publishes it at `path` atomically. */
export async function writeSnapshot(db: PGlite, path: string): Promise<void> {
  const tarball = await db.dumpDataDir("none");
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, new Uint8Array(await tarball.arrayBuffer()));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await pruneStale(path);
}

/** Each edit of a migration makes a new ~40 MB snapshot: those not written for an hour go (made again when needed). */
async function pruneStale(keep: string): Promise<void> {
  const dir = tmpdir();
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = join(dir, name);
    if (!name.startsWith(PREFIX) || file === keep) continue;
    const info = await stat(file).catch(() => null);
    if (info?.isFile() && now - info.mtimeMs > STALE_MS) await rm(file, { force: true });
  }
}
