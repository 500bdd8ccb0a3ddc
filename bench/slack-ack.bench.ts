/**
 * Slack ack latency: how long `/slack/events` takes to answer a signed slash command (Slack's budget is
 * 3 s) while 50 searches are in flight against a slow PNCP (2 s per page). Prints p50/p99; never asserts.
 * Runs alone: `node bin/run-ts.mjs bench/slack-ack.bench.ts`.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { signSlackRequest } from "../src/bots/slack-verify.ts";
import { startFakePncp } from "../test/fakes/fake-pncp.ts";
import { startFakeSlack } from "../test/fakes/fake-slack.ts";
import { createTestApp, FIXTURE_NOW } from "../test/helpers/test-app.ts";

const SEARCHES = 50;
const PROBES = 200;
const PROBE_CONCURRENCY = 10;
const PNCP_LATENCY_MS = 2000;
const SECRET = "bench-signing-secret";
const TOKEN = "xoxb-bench";

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function describe(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const fmt = (n: number) => `${n.toFixed(1)} ms`;
  return `  ${label.padEnd(28)} n=${sorted.length}  p50 ${fmt(percentile(sorted, 50))}  p99 ${fmt(percentile(sorted, 99))}  max ${fmt(sorted.at(-1) ?? Number.NaN)}`;
}

export async function benchSlackAck(): Promise<void> {
  const pncp = await startFakePncp({ now: FIXTURE_NOW, latencyMs: PNCP_LATENCY_MS });
  const slack = await startFakeSlack({ tokens: [TOKEN] });
  const testApp = await createTestApp({
    pncp,
    env: { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: slack.apiUrl },
  });
  const timestamp = Math.floor(testApp.clock.now().getTime() / 1000);
  let seq = 0;

  async function command(command: string, text: string, userId: string): Promise<number> {
    seq += 1;
    const body = new URLSearchParams({
      team_id: "T0BENCH",
      channel_id: "C0BENCH",
      channel_name: "bench",
      user_id: userId,
      user_name: userId,
      command,
      text,
      response_url: slack.responseUrl(`r${seq}`),
      trigger_id: `bench.${seq}.${Date.now()}`,
    }).toString();
    const started = performance.now();
    const response = await fetch(`${testApp.baseUrl}/slack/events`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": signSlackRequest(SECRET, timestamp, body),
      },
      body,
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`ack status ${response.status}`);
    return elapsed;
  }

  // Warm-up: first requests pay for JIT, connection setup and account creation.
  for (let i = 0; i < 5; i++) await command("/ajuda", "", `U0WARM${i}`);
  const benchStarted = performance.now();
  try {
    // 50 users start a search each (one user per search keeps the trial's per-minute limit out of the way).
    const searchAcks = await Promise.all(
      Array.from({ length: SEARCHES }, (_, i) =>
        command("/buscar", "SP 7d", `U0BENCH${String(i).padStart(3, "0")}`),
      ),
    );
    // Wait until the searches are really running against the slow PNCP.
    for (let i = 0; i < 100 && pncp.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const probeAcks: number[] = [];
    const probeStarted = performance.now();
    for (let done = 0; done < PROBES; done += PROBE_CONCURRENCY) {
      const batch = await Promise.all(
        Array.from({ length: PROBE_CONCURRENCY }, (_, i) =>
          command("/ajuda", "", `U0PROBE${String(done + i).padStart(3, "0")}`),
        ),
      );
      probeAcks.push(...batch);
    }
    const probeSeconds = (performance.now() - probeStarted) / 1000;
    const posted = slack.callsOf("chat.postMessage").length;
    console.log(`slack ack latency (${SEARCHES} searches in flight, fake PNCP ${PNCP_LATENCY_MS} ms/page)`);
    console.log(describe(`/buscar acks (${SEARCHES} at once)`, searchAcks));
    console.log(describe(`/ajuda acks during searches`, probeAcks));
    console.log(
      `  probes ${(PROBES / probeSeconds).toFixed(0)} req/s with ${PROBE_CONCURRENCY} concurrent; ` +
        `PNCP requests so far ${pncp.requests.length} (max in flight ${pncp.maxInFlight}); "Buscando…" posted ${posted}`,
    );
    await testApp.drain();
    const searched = slack.callsOf("chat.update").length;
    console.log(
      `  all searches finished after ${((performance.now() - benchStarted) / 1000).toFixed(1)} s (${searched} message edits)`,
    );
  } finally {
    await testApp.close();
    await pncp.close();
    await slack.close();
  }
}

const entry = process.argv[2];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  await benchSlackAck();
}
