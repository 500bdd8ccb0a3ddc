import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTelegramNotifier } from "../../src/bots/telegram-notifier.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { Notifier } from "../../src/core/ports/notifier.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake-telegram.ts";
import { BILLING_TEXT, results, UPGRADE, xlsx } from "./replies.ts";

/** The Telegram notifier through the real grammY Api against the loopback Bot API. */

let fake: FakeTelegram;
let notifier: Notifier;

beforeAll(async () => {
  fake = await startFakeTelegram();
  notifier = createTelegramNotifier({ token: fake.token, apiRoot: fake.apiRoot, logger: silentLogger() });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const user = { platform: "telegram" as const, chatId: "1001" };
const group = { platform: "telegram" as const, chatId: "-100200300", teamId: "-100200300" };

describe("Telegram notifier", () => {
  it("sends results as HTML and the spreadsheet with sendDocument", async () => {
    const file = xlsx(3000);
    const outcome = await notifier.notify(group, [results(), file], { purpose: "digest" });
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.messageIds).toHaveLength(2);
    const [message, document] = fake.sent;
    expect(message).toMatchObject({ kind: "send", chatId: -100200300 });
    expect(message!.text).toContain("Uniformes escolares");
    expect(fake.callsTo("sendMessage")[0]!.params.parse_mode).toBe("HTML");
    expect(document).toMatchObject({ kind: "document", chatId: -100200300, text: file.caption });
    expect(fake.callsTo("sendDocument")[0]!.files[0]!.data.equals(file.data)).toBe(true);
  });

  it("keeps a forum topic and renders link buttons as an inline keyboard", async () => {
    await notifier.notify({ ...group, threadId: "77" }, [UPGRADE], { purpose: "billing" });
    const call = fake.callsTo("sendMessage")[0]!;
    expect(call.params.message_thread_id).toBe(77);
    expect(fake.sent[0]!.buttons).toEqual([
      { label: "Regularizar pagamento", url: "https://pncp.example.com/upgrade?token=abc" },
    ]);
  });

  it.each([
    [403, "Forbidden: bot was blocked by the user"],
    [403, "Forbidden: bot was kicked from the group chat"],
    [403, "Forbidden: user is deactivated"],
    [400, "Bad Request: chat not found"],
  ])("%i %s → chat_unreachable", async (code, description) => {
    fake.fail("sendMessage", { error_code: code, description });
    const outcome = await notifier.notify(user, [BILLING_TEXT], { purpose: "alert" });
    expect(outcome).toMatchObject({ ok: false, reason: "chat_unreachable" });
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
  });

  it("429 with retry_after → rate_limited at once (no auto-retry)", async () => {
    fake.fail("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 17",
      parameters: { retry_after: 17 },
    });
    const outcome = await notifier.notify(user, [BILLING_TEXT], { purpose: "alert" });
    expect(outcome).toMatchObject({ ok: false, reason: "rate_limited", retryAfterMs: 17_000 });
    expect(fake.callsTo("sendMessage")).toHaveLength(1);
  });

  it("follows a group upgraded to a supergroup to its new id", async () => {
    fake.fail("sendMessage", {
      error_code: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      parameters: { migrate_to_chat_id: -1009998887776 },
    });
    const outcome = await notifier.notify({ platform: "telegram", chatId: "-4455" }, [BILLING_TEXT], {
      purpose: "billing",
    });
    expect(outcome.ok).toBe(true);
    expect(fake.sent.map((m) => m.chatId)).toEqual([-1009998887776]);
  });

  it("a failed document after the results returns the file as pending", async () => {
    fake.fail("sendDocument", { error_code: 500, description: "Internal Server Error" });
    const file = xlsx();
    const outcome = await notifier.notify(user, [results(), file], { purpose: "digest" });
    expect(outcome).toMatchObject({ ok: false, reason: "transient", pending: [file] });
  });

  it("a refused message (bad request) is rejected; a bad chat id never reaches the API", async () => {
    fake.fail("sendMessage", { error_code: 400, description: "Bad Request: message is too long" });
    expect(await notifier.notify(user, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      reason: "rejected",
    });
    fake.reset();
    expect(
      await notifier.notify({ platform: "telegram", chatId: "@canal" }, [BILLING_TEXT], { purpose: "alert" }),
    ).toMatchObject({ reason: "rejected", detail: "bad_chat_id" });
    expect(fake.calls).toHaveLength(0);
  });

  it("an unreachable API is transient", async () => {
    const down = createTelegramNotifier({
      token: fake.token,
      apiRoot: "http://127.0.0.1:9",
      logger: silentLogger(),
    });
    expect(await down.notify(user, [BILLING_TEXT], { purpose: "alert" })).toMatchObject({
      ok: false,
      reason: "transient",
    });
  });
});
