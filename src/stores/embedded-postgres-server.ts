import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { platform } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Logger } from "../core/ports/logger.ts";
import type { PostgresBinaries } from "./embedded-postgres-binaries.ts";
import { EmbeddedStoreError } from "./embedded-store-error.ts";

const run = promisify(execFile);

/** How our processes reach the server: a unix socket inside the data directory, or loopback TCP. */
export type ServerTransport = "socket" | "tcp";

export interface EmbeddedServerOptions {
  /** Absolute DATA_DIR: the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  binaries: PostgresBinaries;
  logger: Logger;
  /** Default: a unix socket when the platform and the path length allow it, loopback TCP otherwise. */
  transport?: ServerTransport;
  /** How long to wait for a server to start or for a starting/stopping one to settle (default 30 s). */
  timeoutMs?: number;
}

/** Connection parameters of a running server (node-postgres `host` may be a socket directory). */
export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The postmaster's pid. */
  pid: number;
}

/** What `postmaster.pid` says: https://www.postgresql.org/docs/current/server-start.html (lock file lines). */
export interface PostmasterInfo {
  pid: number;
  /** The data directory as that postmaster was given it. */
  dataDir: string;
  port: number;
  socketDir: string;
  listenAddress: string;
  /** `starting`, `ready`, `stopping`, `standby`, or '' while the file is being written. */
  status: string;
}

const SUPERUSER = "postgres";
const DATABASE = "postgres";
// The socket is `<dir>/.s.PGSQL.<port>`; sun_path holds 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100;
const SOCKET_PORT = 5432;

/** `<dataDir>/postgres`: the cluster directory. */
export function clusterDir(dataDir: string): string {
  return join(dataDir, "postgres");
}

function passwordFile(dataDir: string): string {
  return join(dataDir, "postgres.password");
}

function logFile(dataDir: string): string {
  return join(dataDir, "postgres.log");
}

/** Reads `<cluster>/postmaster.pid`; null when absent or unreadable. */
export async function readPostmasterPid(dataDir: string): Promise<PostmasterInfo | null> {
  let text: string;
  try {
    text = await readFile(join(clusterDir(dataDir), "postmaster.pid"), "utf8");
  } catch {
    return null;
  }
  const lines = text.split("\n");
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return {
    pid,
    dataDir: (lines[1] ?? "").trim(),
    port: Number(lines[3]) || SOCKET_PORT,
    socketDir: (lines[4] ?? "").trim(),
    listenAddress: (lines[5] ?? "").trim(),
    status: (lines[7] ?? "").trim(),
  };
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True when `pid` is a live postgres process. After a reboot or a container restart the pid in a stale
 * `postmaster.pid` may belong to an unrelated process (containers reuse small pids), which would make
 * Postgres refuse to start forever; on Linux /proc tells them apart. Elsewhere: any live process.
 */
export async function isPostmaster(info: PostmasterInfo): Promise<boolean> {
  if (!processAlive(info.pid)) return false;
  if (platform() !== "linux") return true;
  try {
    // Our postmasters run as `postgres -D <cluster>`, the directory its lock file names.
    const args = (await readFile(`/proc/${info.pid}/cmdline`, "utf8")).split("\0");
    return args.some((a) => /postgres/.test(a)) && (info.dataDir === "" || args.includes(info.dataDir));
  } catch {
    return true;
  }
}

/** Removes the lock files of a server that is verifiably gone (see `isPostmaster`). */
async function removeStaleLocks(dataDir: string, info: PostmasterInfo): Promise<void> {
  await rm(join(clusterDir(dataDir), "postmaster.pid"), { force: true });
  if (info.socketDir) await rm(join(info.socketDir, `.s.PGSQL.${info.port}.lock`), { force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Postgres refuses to run as root. As root we run initdb and the server as the `postgres` system user
 * (what embedded-postgres does too); the cluster directory is then owned by that user.
 */
async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const line = passwd.split("\n").find((l) => l.startsWith(`${SUPERUSER}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  if (uid === undefined || gid === undefined) {
    throw new EmbeddedStoreError(
      "Rodando como root, o Postgres embutido precisa de um usuário de sistema 'postgres' (crie-o com `useradd postgres`) ou use DATABASE_URL.",
      { reason: "no_postgres_user" },
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * As root the server runs as the `postgres` user, which must be able to traverse DATA_DIR and every
 * folder above it. DATA_DIR itself gets o+x (traversal only: its files are 0600/0700); a parent we do
 * not own the layout of (a 0700 home or temp folder) is reported, not changed.
 */
async function ensureTraversable(dataDir: string, user: { uid: number; gid: number }): Promise<void> {
  const mode = (await stat(dataDir)).mode & 0o7777;
  if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o001);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const info = await stat(dir);
    const bit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) {
      throw new EmbeddedStoreError(
        `Rodando como root, o Postgres embutido roda como o usuário 'postgres', que não consegue entrar em ${dir} (acima de DATA_DIR=${dataDir}). Use uma DATA_DIR acessível (por exemplo \`chmod o+x ${dir}\`), rode sem root, ou configure DATABASE_URL.`,
        { reason: "data_dir_not_traversable", folder: dir },
      );
    }
    if (dirname(dir) === dir) return;
  }
}

/** Reads the generated superuser password, creating it (0600) on first use. */
async function ensurePassword(dataDir: string): Promise<string> {
  const file = passwordFile(dataDir);
  try {
    await writeFile(file, `${randomBytes(24).toString("base64url")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return (await readFile(file, "utf8")).trim();
}

/**
 * Creates the cluster once: initdb into a private temporary directory, then an atomic rename, so two
 * processes initialising at once end with one cluster (the loser drops its copy).
 */
export async function ensureCluster(options: EmbeddedServerOptions): Promise<void> {
  const target = clusterDir(options.dataDir);
  if (await exists(join(target, "PG_VERSION"))) return;
  await mkdir(options.dataDir, { recursive: true });
  await ensurePassword(options.dataDir);
  const user = await serverUser();
  if (user) await ensureTraversable(options.dataDir, user);
  const temp = join(options.dataDir, `postgres.init-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(temp, { mode: 0o700 });
  try {
    if (user) {
      await chown(temp, user.uid, user.gid);
      await chown(passwordFile(options.dataDir), user.uid, user.gid);
    }
    const started = performance.now();
    await run(
      options.binaries.initdb,
      [
        `--pgdata=${temp}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile(options.dataDir)}`,
        // Local (socket) connections: only our OS user can reach the 0700 directory. TCP: the password.
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        // Unicode-aware lower()/upper() without depending on the OS's installed locales.
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
        "--locale=C",
      ],
      { ...(user ?? {}), env: serverEnv(), timeout: 120_000 },
    );
    try {
      await rename(temp, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      // Another process initialised first: use theirs.
    }
    options.logger.info({ ms: Math.round(performance.now() - started) }, "embedded_postgres_initialised");
  } catch (error) {
    if (error instanceof EmbeddedStoreError) throw error;
    throw new EmbeddedStoreError(
      `Não consegui criar o banco embutido em ${target}: ${firstLine(error)}. Verifique as permissões de DATA_DIR.`,
      { reason: "initdb_failed", cause: error },
    );
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function serverEnv(): NodeJS.ProcessEnv {
  // PG* variables of the caller (PGPORT, PGDATA…) must not steer our server.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PG")) env[key] = value;
  env.LC_MESSAGES = "C";
  return env;
}

function firstLine(error: unknown): string {
  const err = error as { stderr?: unknown; message?: unknown };
  const text = String(err.stderr || err.message || error).trim();
  return text.split("\n").find((l) => l.trim()) ?? text;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function chooseTransport(options: EmbeddedServerOptions): ServerTransport {
  if (options.transport) return options.transport;
  if (platform() === "win32") return "tcp";
  const socketPath = join(clusterDir(options.dataDir), `.s.PGSQL.${SOCKET_PORT}`);
  return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH ? "socket" : "tcp";
}

type StartOutcome = { started: true } | { started: false; busy: boolean; log: string };

/**
 * Spawns the postmaster detached (its own process group, so Ctrl+C in a terminal reaches only our
 * process, which then stops the server cleanly) and waits until it is ready or exits.
 */
async function startServer(options: EmbeddedServerOptions, deadline: number): Promise<StartOutcome> {
  const cluster = clusterDir(options.dataDir);
  const transport = chooseTransport(options);
  const port = transport === "socket" ? SOCKET_PORT : await freePort();
  const user = await serverUser();
  if (user) await ensureTraversable(options.dataDir, user);
  const settings = [
    `listen_addresses=${transport === "tcp" ? "127.0.0.1" : ""}`,
    `unix_socket_directories=${transport === "socket" ? cluster : ""}`,
    "unix_socket_permissions=0700",
    "max_connections=100",
  ];
  const log = await open(logFile(options.dataDir), "a");
  let child: ChildProcess;
  const logStart = (await log.stat()).size;
  try {
    child = spawn(
      options.binaries.postgres,
      ["-D", cluster, "-p", String(port), ...settings.flatMap((s) => ["-c", s])],
      { detached: true, stdio: ["ignore", log.fd, log.fd], env: serverEnv(), ...(user ?? {}) },
    );
  } finally {
    await log.close();
  }
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.once("error", () => {
    exited = true;
  });
  child.unref();
  while (Date.now() < deadline) {
    if (exited) {
      const tail = await readLogSince(options.dataDir, logStart);
      // Another process started a postmaster on this directory first: wait for it instead.
      return { started: false, busy: /lock file .* already exists/i.test(tail), log: tail };
    }
    const info = await readPostmasterPid(options.dataDir);
    if (info && info.pid === child.pid && info.status === "ready") {
      options.logger.info({ serverPid: child.pid, transport }, "embedded_postgres_started");
      return { started: true };
    }
    await sleep(15);
  }
  return { started: false, busy: true, log: await readLogSince(options.dataDir, logStart) };
}

async function readLogSince(dataDir: string, offset: number): Promise<string> {
  const text = await readFile(logFile(dataDir), "utf8").catch(() => "");
  return text.slice(offset).trim().slice(-2_000);
}

function addressOf(info: PostmasterInfo, password: string): ServerAddress {
  const host = info.socketDir || (info.listenAddress && info.listenAddress !== "*" ? info.listenAddress : "");
  return {
    host: host || "127.0.0.1",
    port: info.port,
    user: SUPERUSER,
    password,
    database: DATABASE,
    pid: info.pid,
  };
}

/**
 * The address of the one server of `dataDir`, starting it when none runs: initdb when needed, reuse of a
 * running (or leftover) server found through `postmaster.pid`, a stale lock file from a crash handled
 * by Postgres itself. Two processes calling this at once end up on the same server.
 */
export async function ensureServer(options: EmbeddedServerOptions): Promise<ServerAddress> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  await ensureCluster(options);
  const password = await ensurePassword(options.dataDir);
  let lastLog = "";
  while (Date.now() < deadline) {
    const info = await readPostmasterPid(options.dataDir);
    if (info && (await isPostmaster(info))) {
      if (info.status === "ready") return addressOf(info, password);
      // starting or stopping: wait for it to settle.
    } else {
      if (info) {
        // Left by a crash: Postgres clears it itself when the pid is dead, not when it was reused.
        options.logger.warn({ serverPid: info.pid }, "embedded_postgres_stale_pid");
        if (processAlive(info.pid)) await removeStaleLocks(options.dataDir, info);
      }
      const outcome = await startServer(options, deadline);
      if (!outcome.started) {
        lastLog = outcome.log;
        if (!outcome.busy) {
          throw new EmbeddedStoreError(
            `O Postgres embutido em ${clusterDir(options.dataDir)} não iniciou: ${lastLog.split("\n").at(-1) ?? ""}. Veja ${logFile(options.dataDir)}.`,
            { reason: "start_failed" },
          );
        }
      }
      continue;
    }
    await sleep(20);
  }
  const info = await readPostmasterPid(options.dataDir);
  throw new EmbeddedStoreError(
    `O banco embutido em ${clusterDir(options.dataDir)} não respondeu a tempo${info ? ` (servidor pid ${info.pid}, estado '${info.status || "?"}')` : ""}. Se nenhum processo do Smart PNCP estiver rodando, pare esse servidor ou apague ${join(clusterDir(options.dataDir), "postmaster.pid")}; ou configure DATABASE_URL.`,
    { reason: "timeout", log: lastLog },
  );
}

/**
 * Fast shutdown of the server (SIGINT: sessions are ended, a checkpoint is written), waiting until the
 * postmaster is gone. Resolves false when it did not stop within `timeoutMs`.
 */
export async function stopServer(pid: number, logger: Logger, timeoutMs = 15_000): Promise<boolean> {
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return true;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) {
      logger.info({ serverPid: pid }, "embedded_postgres_stopped");
      return true;
    }
    await sleep(10);
  }
  logger.warn({ serverPid: pid }, "embedded_postgres_stop_timeout");
  return false;
}
