import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack.ts";

/**
 * The Slack fake refuses what the Web API refuses, so the adapter's tests cannot pass on calls Slack would
 * reject. Driven through the real WebClient (the one Bolt and the sink use): each refusal is a platform
 * error with Slack's own code.
 */
const TOKEN = "xoxb-strict-test";

let fake: FakeSlack;
let client: webApi.WebClient;
beforeAll(async () => {
  fake = await startFakeSlack();
  client = new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await fake.close();
});

async function slackError(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e as { code?: string; data?: { error?: string } },
  );
  expect(error?.code, "expected a platform error").toBe("slack_webapi_platform_error");
  return String(error?.data?.error);
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

describe("fake Slack Web API: as strict as the real one", () => {
  it("answers unknown_method for a method it does not implement", async () => {
    expect(await slackError(client.apiCall("chat.postMesage", { channel: "C1", text: "x" }))).toBe(
      "unknown_method",
    );
  });

  it("answers channel_not_found without a channel or for a deleted one, not_in_channel where the bot was removed", async () => {
    expect(await slackError(client.chat.postMessage({ channel: "", text: "oi" }))).toBe("channel_not_found");
    fake.deleteChannel("CGONE");
    expect(await slackError(client.chat.postMessage({ channel: "CGONE", text: "oi" }))).toBe(
      "channel_not_found",
    );
    fake.removeBotFrom("CKICK");
    expect(await slackError(client.chat.postMessage({ channel: "CKICK", text: "oi" }))).toBe(
      "not_in_channel",
    );
    expect((await client.chat.postMessage({ channel: "COK", text: "oi" })).ok).toBe(true);
  });

  it("answers message_not_found for chat.update of a ts never posted in that channel", async () => {
    const posted = await client.chat.postMessage({ channel: "CUPD", text: "🔎 Buscando…" });
    expect((await client.chat.update({ channel: "CUPD", ts: posted.ts!, text: "pronto" })).ok).toBe(true);
    expect(await slackError(client.chat.update({ channel: "CUPD", ts: "1.000001", text: "x" }))).toBe(
      "message_not_found",
    );
    expect(await slackError(client.chat.update({ channel: "COTHER", ts: posted.ts!, text: "x" }))).toBe(
      "message_not_found",
    );
  });

  it("answers invalid_blocks over 50 blocks or a section over 3,000 characters; no_text and msg_too_long", async () => {
    const blocks = (n: number, text = "x") => Array.from({ length: n }, () => section(text));
    expect((await client.chat.postMessage({ channel: "CB", text: "t", blocks: blocks(50) })).ok).toBe(true);
    expect(await slackError(client.chat.postMessage({ channel: "CB", text: "t", blocks: blocks(51) }))).toBe(
      "invalid_blocks",
    );
    expect(
      (await client.chat.postMessage({ channel: "CB", text: "t", blocks: blocks(1, "a".repeat(3000)) })).ok,
    ).toBe(true);
    expect(
      await slackError(
        client.chat.postMessage({ channel: "CB", text: "t", blocks: blocks(1, "a".repeat(3001)) }),
      ),
    ).toBe("invalid_blocks");
    expect(await slackError(client.chat.postMessage({ channel: "CB", text: " " }))).toBe("no_text");
    expect(await slackError(client.chat.postMessage({ channel: "CB", text: "a".repeat(40_001) }))).toBe(
      "msg_too_long",
    );
    // Nothing refused reached the conversation.
    expect(fake.messages.filter((m) => m.channel === "CB")).toHaveLength(2);
  });
});
