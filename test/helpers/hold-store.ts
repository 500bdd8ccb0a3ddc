/**
 * A `serve`-like process for multi-process store tests: builds the real app from env (`createApp`,
 * `DATA_DIR` chooses the store, PORT=0), prints one JSON line `{ "ready": true, "url": … }`, then answers
 * one JSON request per stdin line with one JSON line, querying through ITS store:
 *   {"op":"status","userKey":"cli:ana"}  → {"planId","used","accountId"}
 *   {"op":"secret"}                      → {"secret"} (the upgrade-link secret this process signs with)
 *   {"op":"hit","key":"k","limit":2}     → the rate limiter's result
 *   {"op":"link","userKey":"cli:ana"}    → {"path"}: an upgrade link signed like `/assinar` signs it
 * Closes the app (and its store) when stdin ends or on SIGTERM, then prints {"closed":true}.
 * Run: `node bin/run-ts.mjs test/helpers/hold-store.ts`.
 */
import { createInterface } from "node:readline";
import { parseAccountKey } from "../../src/cli/user-key.ts";
import { loadConfig } from "../../src/config.ts";
import { createUpgradeToken } from "../../src/core/upgrade-token.ts";
import { createApp, createLogger } from "../../src/main.ts";

const app = await createApp(loadConfig({ ...process.env, PORT: "0" }), {
  logger: createLogger(process.env.LOG_LEVEL ?? "error"),
});
const url = await app.start(0);
const { store, limiter, upgrade, clock } = app.core.deps;
process.stdout.write(`${JSON.stringify({ ready: true, url, pid: process.pid })}\n`);

async function answer(request: { op: string; userKey?: string; key?: string; limit?: number }) {
  switch (request.op) {
    case "status": {
      const key = parseAccountKey(request.userKey ?? "");
      const accountId =
        key.kind === "team"
          ? await store.resolveTeam(key.platform, key.teamId)
          : await store.resolveIdentity(key.identity, clock.now());
      const status = await store.getAccountStatus(accountId, clock.now());
      return { accountId, planId: status.plan.id, used: status.used };
    }
    case "secret":
      return { secret: upgrade.secret };
    case "link": {
      const key = parseAccountKey(request.userKey ?? "");
      if (key.kind !== "user") throw new Error("link needs a user key");
      const accountId = await store.resolveIdentity(key.identity, clock.now());
      const token = createUpgradeToken(
        {
          accountId,
          planId: "maquina",
          notify: { platform: key.identity.platform, chatId: key.identity.userId },
        },
        { secret: upgrade.secret, now: clock.now(), ttlHours: upgrade.ttlHours },
      );
      return { path: `/upgrade?token=${encodeURIComponent(token)}` };
    }
    case "hit":
      return limiter.hit(request.key ?? "k", request.limit ?? 1, clock.now());
    default:
      return { error: `unknown op ${request.op}` };
  }
}

let closing: Promise<void> | null = null;
const close = () => {
  closing ??= app.stop().then(() => {
    process.stdout.write(`${JSON.stringify({ closed: true })}\n`);
  });
  return closing;
};
process.on("SIGTERM", () => void close());
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  try {
    process.stdout.write(`${JSON.stringify(await answer(JSON.parse(line)))}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  }
}
await close();
