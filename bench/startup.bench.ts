/**
 * CLI start-up: cold `smart-pncp --help` and a cold small search (`search SP … --json` against the
 * loopback fake PNCP, no store) as new processes, each as a ratio to bare `node -e 0` measured in the same
 * run, with peak RSS (`/usr/bin/time -f %M` when present). Runs are interleaved so machine noise hits all
 * three alike. Aims (issue 7): `--help` ≤ 2× bare node, small search ≤ 0.5 s. Prints; never asserts.
 * Run alone: `node bin/run-ts.mjs bench/startup.bench.ts`; `bench/run.ts` imports `benchStartup`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildIsFresh } from "../bin/build-fresh.mjs";
import { startFakePncp } from "../test/fakes/fake-pncp.ts";

const RUNS = 7;
const BIN = fileURLToPath(new URL("../bin/smart-pncp.mjs", import.meta.url));
const TIME = "/usr/bin/time";

interface Sample {
  ms: number;
  rssKiB: number | null;
}

/** Runs `node …args` once; wall time from spawn to exit, peak RSS from /usr/bin/time when available. */
function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const timed = existsSync(TIME);
  const [cmd, argv] = timed
    ? [TIME, ["-f", "RSS_KIB=%M", process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr.slice(-500)}`));
        return;
      }
      const rss = /RSS_KIB=(\d+)/.exec(stderr);
      resolvePromise({ ms, rssKiB: rss ? Number(rss[1]) : null });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function line(label: string, samples: Sample[], bareMs: number): string {
  const ms = median(samples.map((s) => s.ms));
  const rss = samples.map((s) => s.rssKiB).filter((r): r is number => r !== null);
  const rssText = rss.length > 0 ? `peak RSS ${(Math.max(...rss) / 1024).toFixed(0)} MiB` : "peak RSS n/a";
  return `  ${label.padEnd(22)} median ${ms.toFixed(0).padStart(5)} ms  ${(ms / bareMs).toFixed(2)}× bare node  ${rssText}`;
}

/** Runs the start-up benchmark and prints its figures with console.log. */
export async function benchStartup(): Promise<void> {
  // Measure what a user runs after `npm install`: the compiled build (the launcher would fall back to tsx
  // on a stale one, which is what we would measure otherwise).
  if (!buildIsFresh()) {
    console.log("  dist/ missing or older than src/: npm run build");
    const root = fileURLToPath(new URL("..", import.meta.url));
    spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  }
  const pncp = await startFakePncp({ now: "2026-09-21T15:00:00-03:00" });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
  const search = [
    BIN,
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
  ];
  const bare: Sample[] = [];
  const help: Sample[] = [];
  const small: Sample[] = [];
  try {
    // One warm-up of each so the file-system cache is not what we measure.
    await runNode(["-e", "0"], env);
    await runNode([BIN, "--help"], env);
    await runNode(search, env);
    for (let i = 0; i < RUNS; i++) {
      bare.push(await runNode(["-e", "0"], env));
      help.push(await runNode([BIN, "--help"], env));
      small.push(await runNode(search, env));
    }
  } finally {
    await pncp.close();
  }
  const bareMs = median(bare.map((s) => s.ms));
  const mode = buildIsFresh()
    ? "ran the compiled dist/"
    : "dist/ went stale or failed to build: ran src/ through tsx";
  console.log(
    [
      `  ${RUNS} interleaved runs each; ${mode}`,
      line("node -e 0", bare, bareMs),
      line("smart-pncp --help", help, bareMs),
      line("small search (--json)", small, bareMs),
      `  aims: --help ≤ 2.00× bare node; small search ≤ 500 ms (got ${median(small.map((s) => s.ms)).toFixed(0)} ms)`,
    ].join("\n"),
  );
}

const entry = process.argv[2];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  await benchStartup();
}
