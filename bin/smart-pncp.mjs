#!/usr/bin/env node
// Entry point of the `smart-pncp` CLI. Runs the compiled JavaScript in dist/ (built by `npm run build`,
// which `npm install` / `npm ci` run through `prepare`) when the build is at least as new as every file in
// src/; otherwise — a fresh edit, or no build — it runs the TypeScript sources through tsx, so the CLI never
// runs stale code. Only this check and one import happen before the command: `--help` loads no SDK.
import module from "node:module";
import { buildIsFresh } from "./build-fresh.mjs";

// Node ≥ 22.1 keeps compiled module code on disk between runs (a no-op on Node 20).
module.enableCompileCache?.();

let main;
if (buildIsFresh()) {
  ({ main } = await import("../dist/cli/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The work is done and awaited (stores closed, files written): exit once stdout and stderr are flushed,
// instead of waiting for idle keep-alive sockets (fetch keeps one open for a while after the last request).
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
