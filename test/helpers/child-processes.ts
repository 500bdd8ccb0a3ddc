import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { promisify } from "node:util";

const exec = promisify(execFile);
/** Repository root (cwd of the test run). */
const ROOT = new URL("../../", import.meta.url).pathname;

// Settings that would pick another store, limiter or secret than the test means: unset unless given.
const ISOLATED = [
  "DATABASE_URL",
  "SUPABASE_URL",
  "SUPABASE_SERVICE_ROLE_KEY",
  "REDIS_URL",
  "UPGRADE_TOKEN_SECRET",
];

/** `process.env` without the ISOLATED settings, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "error" };
  for (const key of ISOLATED) delete base[key];
  return { ...base, ...env };
}

/** A running `test/helpers/hold-store.ts` process, talked to over JSON lines. */
export interface StoreHolder {
  child: ChildProcess;
  /** The first line it printed (`{ ready, url, pid }`). */
  ready: { url: string; pid: number };
  /** Sends one request and waits for its one-line JSON answer. */
  ask<T = Record<string, unknown>>(request: Record<string, unknown>): Promise<T>;
  /** Ends stdin and waits for the process to close its app and exit. */
  close(): Promise<void>;
  /** Kills it with SIGKILL (a crash: nothing is closed). */
  crash(): Promise<void>;
}

/** Starts a holder with `env` (DATA_DIR…) and waits for its ready line (or its death). */
export async function startStoreHolder(env: Record<string, string>): Promise<StoreHolder> {
  const child = spawn(process.execPath, ["bin/run-ts.mjs", "test/helpers/hold-store.ts"], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  const waiters: ((line: string | null) => void)[] = [];
  lines.on("line", (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then(() => {
    for (const waiter of waiters.splice(0)) waiter(null);
  });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const line = queue.shift();
      if (line !== undefined) return resolve(line);
      if (child.exitCode !== null) return reject(new Error(`holder exited: ${stderr}`));
      waiters.push((l) => (l === null ? reject(new Error(`holder exited: ${stderr}`)) : resolve(l)));
    });
  const ready = JSON.parse(await next()) as { url: string; pid: number };
  return {
    child,
    ready,
    async ask<T>(request: Record<string, unknown>): Promise<T> {
      child.stdin!.write(`${JSON.stringify(request)}\n`);
      return JSON.parse(await next()) as T;
    },
    async close() {
      child.stdin!.end();
      await exited;
    },
    async crash() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Runs `node bin/smart-pncp.mjs …args` with `env`; resolves with its exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["bin/smart-pncp.mjs", ...args], {
      cwd: ROOT,
      env: childEnv(env),
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const err = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === "number" ? err.code : 1,
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
    };
  }
}
