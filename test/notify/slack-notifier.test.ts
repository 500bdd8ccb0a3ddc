import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSlackNotifier } from "../../src/bots/slack-notifier.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Notifier } from "../../src/core/ports/notifier.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/fake-slack.ts";
import { BILLING_TEXT, results, UPGRADE, xlsx } from "./replies.ts";

/** The Slack notifier through the real Bolt WebClient against the loopback Slack Web API. */

let fake: FakeSlack;
let notifier: Notifier;
const installations = new Map<string, unknown>();

beforeAll(async () => {
  fake = await startFakeSlack();
  notifier = createSlackNotifier({
    apiUrl: fake.apiUrl,
    botToken: "xoxb-single-token",
    store: { getInstallation: async (key) => installations.get(key) ?? null },
    logger: silentLogger(),
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.calls.length = 0;
  fake.messages.length = 0;
  fake.uploads.length = 0;
  installations.clear();
});

const channel = { platform: "slack" as const, chatId: "C0ALERTS", teamId: "T0TEAM" };

describe("Slack notifier", () => {
  it("posts results with chat.postMessage and uploads the file into the same channel", async () => {
    const file = xlsx(4096);
    const outcome = await notifier.notify(channel, [results(), file], { purpose: "digest" });
    expect(outcome).toEqual({ ok: true, messageIds: [expect.stringMatching(/^\d+\.\d+$/), "F00000002"] });
    const post = fake.callsOf("chat.postMessage")[0]!;
    expect(post.token).toBe("xoxb-single-token");
    expect(post.params.channel).toBe("C0ALERTS");
    expect(String(post.params.unfurl_links)).toBe("false");
    expect(JSON.stringify(post.params.blocks)).toContain("Uniformes escolares");
    const [upload] = fake.completedUploads();
    expect(upload!.channelId).toBe("C0ALERTS");
    expect(upload!.data.equals(file.data)).toBe(true);
    expect(upload!.initialComment).toBe(file.caption);
  });

  it("posts with the workspace's installation token, in the thread when one is given", async () => {
    installations.set("team:T0TEAM", { bot: { token: "xoxb-installed-T0TEAM" } });
    const outcome = await notifier.notify({ ...channel, threadId: "1767225600.000001" }, [UPGRADE], {
      purpose: "billing",
    });
    expect(outcome.ok).toBe(true);
    const post = fake.callsOf("chat.postMessage")[0]!;
    expect(post.token).toBe("xoxb-installed-T0TEAM");
    expect(post.params.thread_ts).toBe("1767225600.000001");
    expect(JSON.stringify(post.params.blocks)).toContain("https://pncp.example.com/upgrade?token=abc");
  });

  it("finds an org-wide (Enterprise Grid) installation by the enterprise id", async () => {
    installations.set("enterprise:E0ORG", { bot: { token: "xoxb-org-token" } });
    await notifier.notify({ ...channel, teamId: "E0ORG" }, [BILLING_TEXT], { purpose: "billing" });
    expect(fake.callsOf("chat.postMessage")[0]!.token).toBe("xoxb-org-token");
  });

  it.each(["not_in_channel", "channel_not_found", "is_archived"])(
    "%s → chat_unreachable, sent once",
    async (error) => {
      fake.fail("chat.postMessage", error, { times: 1 });
      const outcome = await notifier.notify(channel, [BILLING_TEXT], { purpose: "alert" });
      expect(outcome).toMatchObject({ ok: false, reason: "chat_unreachable", detail: error });
      expect(fake.callsOf("chat.postMessage")).toHaveLength(1);
    },
  );

  it("a 429 comes back at once as rate_limited with Slack's Retry-After (no SDK retry)", async () => {
    fake.rateLimit("chat.postMessage", 7);
    const outcome = await notifier.notify(channel, [BILLING_TEXT], { purpose: "alert" });
    expect(outcome).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 7000 });
    expect(fake.callsOf("chat.postMessage")).toHaveLength(1);
  });

  it("a failure after the first message returns only the replies still to send", async () => {
    fake.fail("files.completeUploadExternal", "not_in_channel", { times: 1 });
    const file = xlsx();
    const outcome = await notifier.notify(channel, [results(), file], { purpose: "digest" });
    expect(outcome).toMatchObject({ ok: false, reason: "chat_unreachable", pending: [file] });
    expect(!outcome.ok && outcome.messageIds).toHaveLength(1);
  });

  it("a refused single bot token is transient (our config), a revoked installation is unreachable", async () => {
    fake.fail("chat.postMessage", "invalid_auth", { times: 1 });
    expect(await notifier.notify(channel, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "transient",
    });
    installations.set("team:T0TEAM", { bot: { token: "xoxb-installed-T0TEAM" } });
    fake.fail("chat.postMessage", "invalid_auth", { times: 1 });
    expect(await notifier.notify(channel, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "chat_unreachable",
    });
  });

  it("invalid blocks are rejected (not retried), a Slack outage is transient", async () => {
    fake.fail("chat.postMessage", "invalid_blocks", { times: 1 });
    expect(await notifier.notify(channel, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "rejected",
    });
    fake.fail("chat.postMessage", "service_unavailable", { times: 1 });
    expect(await notifier.notify(channel, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "transient",
    });
  });

  it("without a token for the workspace the chat is unreachable", async () => {
    const bare = createSlackNotifier({
      apiUrl: fake.apiUrl,
      store: { getInstallation: async () => null },
      logger: silentLogger(),
    });
    expect(await bare.notify(channel, [BILLING_TEXT], { purpose: "billing" })).toMatchObject({
      ok: false,
      reason: "chat_unreachable",
      detail: "no_installation",
    });
    expect(fake.calls).toHaveLength(0);
  });
});
