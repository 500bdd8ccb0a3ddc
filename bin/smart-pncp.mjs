#!/usr/bin/env node
// Entry point of the `smart-pncp` CLI. Runs the compiled JavaScript in dist/ (built by `npm run build`,
// which `npm install` / `npm ci` run through `prepare`) when the build is at least as new as every file in
// src/; otherwise — a fresh edit, or no build — it runs the TypeScript sources through tsx, so the CLI never
// runs stale code. Only this check and one import happen before the command: `--help` loads no SDK.
import { buildIsFresh } from "./build-fresh.mjs";

let main;
if (buildIsFresh()) {
  ({ main } = await import("../dist/cli/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
