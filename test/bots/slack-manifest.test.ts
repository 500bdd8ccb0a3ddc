import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SLACK_BOT_SCOPES, SLACK_EVENTS_PATH, SLACK_REDIRECT_PATH } from "../../src/bots/slack.ts";
import { parseCommand } from "../../src/core/chat/parse-command.ts";

/** docs/slack-app-manifest.yml must match what the adapter requests and serves. */
const manifest = readFileSync(new URL("../../docs/slack-app-manifest.yml", import.meta.url), "utf8");

/** The `- item` lines right after `key:` (comments stripped). */
function listAfter(key: string): string[] {
  const lines = manifest.split("\n");
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  expect(start, key).toBeGreaterThanOrEqual(0);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^\s*- ([^#]+?)\s*(?:#.*)?$/.exec(line);
    if (!item) break;
    items.push(item[1]!);
  }
  return items;
}

describe("Slack app manifest", () => {
  it("requests exactly the bot scopes the OAuth installer asks for", () => {
    expect(listAfter("bot").sort()).toEqual([...SLACK_BOT_SCOPES].sort());
  });

  it("subscribes to app mentions and DMs", () => {
    expect(listAfter("bot_events").sort()).toEqual(["app_mention", "message.im"]);
  });

  it("declares the five commands, each one the core understands, all pointing at /slack/events", () => {
    const commands = [...manifest.matchAll(/- command: (\/\S+)/g)].map((m) => m[1]!);
    expect(commands).toEqual(["/buscar", "/setores", "/plano", "/assinar", "/ajuda"]);
    for (const command of commands)
      expect(parseCommand(command, false)).not.toMatchObject({ name: "unknown" });
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => m[1]!);
    expect(urls.length).toBe(7);
    for (const url of urls) expect(url).toBe(`https://YOUR_DOMAIN${SLACK_EVENTS_PATH}`);
    expect(manifest).toContain(`- https://YOUR_DOMAIN${SLACK_REDIRECT_PATH}`);
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
  });

  it("names the bot as the invite hint does", () => {
    expect(manifest).toMatch(/bot_user:\n\s+display_name: Smart PNCP/);
  });
});
