import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { childEnv } from "../helpers/child-processes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** One notification a worker child posted. */
export interface Notified {
  chatId: string;
  pid: number;
  kinds: string[];
  texts: string[];
  /** When this process read the line (Date.now()). */
  at: number;
}

/** A running `test/queue/worker-child.ts`. */
export interface WorkerChild {
  child: ChildProcess;
  pid: number;
  /** Every notification it printed so far. */
  notified: Notified[];
  /** Graceful stop (stdin closed). */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing is closed. */
  crash(): Promise<void>;
}

/** Starts worker children with `env` and waits for all of them to consume. */
export async function startWorkerChildren(
  count: number,
  env: Record<string, string>,
): Promise<WorkerChild[]> {
  return Promise.all(Array.from({ length: count }, () => startWorkerChild(env)));
}

export async function startWorkerChild(env: Record<string, string>): Promise<WorkerChild> {
  const child = spawn(process.execPath, ["bin/run-ts.mjs", "test/queue/worker-child.ts"], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const notified: Notified[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      let parsed: { ready?: number; notify?: Omit<Notified, "at"> };
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (parsed.ready) resolve(parsed.ready);
      if (parsed.notify) notified.push({ ...parsed.notify, at: Date.now() });
    });
    void exited.then(() => reject(new Error(`worker exited before ready: ${stderr.slice(-2000)}`)));
  });
  return {
    child,
    pid,
    notified,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      await exited;
    },
    async crash() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}
