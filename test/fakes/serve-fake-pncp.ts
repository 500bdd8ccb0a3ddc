/**
 * Runs the fake PNCP as a standalone local stand-in (README "Pointing the app at a local PNCP stand-in"):
 *   node bin/run-ts.mjs test/fakes/serve-fake-pncp.ts [--port 8787] [--latency-ms 300] [--now 2026-09-21T15:00:00-03:00]
 */
import { parseArgs } from "node:util";
import { startFakePncp } from "./fake-pncp.ts";

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: { port: { type: "string" }, "latency-ms": { type: "string" }, now: { type: "string" } },
});
const pncp = await startFakePncp({
  port: Number(values.port ?? 8787),
  latencyMs: Number(values["latency-ms"] ?? 0),
  now: values.now,
});
console.log(`Fake PNCP serving ${pncp.records.length} real fixture records at ${pncp.url}`);
console.log("Press Ctrl+C to stop.");
process.on("SIGINT", () => void pncp.close().then(() => process.exit(0)));
