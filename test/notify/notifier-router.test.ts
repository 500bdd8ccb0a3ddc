import { describe, expect, it } from "vitest";
import { createNotifierRouter } from "../../src/bots/notifier-router.ts";
import type { Reply } from "../../src/core/chat/reply.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import type { ChatAddress, Notifier } from "../../src/core/ports/notifier.ts";
import { BILLING_TEXT } from "./replies.ts";

function recording(): Notifier & { seen: [ChatAddress, Reply[]][] } {
  const seen: [ChatAddress, Reply[]][] = [];
  return {
    seen,
    async notify(to, replies) {
      seen.push([to, replies]);
      return { ok: true, messageIds: [`${to.platform}-1`] };
    },
  };
}

describe("notifier router", () => {
  it("routes by platform and answers unsupported for a platform without a notifier", async () => {
    const slack = recording();
    const router = createNotifierRouter({ slack }, silentLogger());
    expect(router.platforms()).toEqual(["slack"]);
    const to = { platform: "slack" as const, chatId: "C1" };
    expect(await router.notify(to, [BILLING_TEXT], { purpose: "billing" })).toEqual({
      ok: true,
      messageIds: ["slack-1"],
    });
    expect(slack.seen).toEqual([[to, [BILLING_TEXT]]]);
    expect(
      await router.notify({ platform: "telegram", chatId: "1" }, [BILLING_TEXT], { purpose: "billing" }),
    ).toMatchObject({ ok: false, reason: "unsupported" });
    // A platform name from stored data that is an Object.prototype key is still just unsupported.
    expect(
      await router.notify({ platform: "constructor" as never, chatId: "1" }, [BILLING_TEXT], {
        purpose: "alert",
      }),
    ).toMatchObject({ ok: false, reason: "unsupported" });
  });

  it("contains a notifier that throws as transient", async () => {
    const broken: Notifier = {
      notify: async () => {
        throw new Error("bug");
      },
    };
    const router = createNotifierRouter({ whatsapp: broken }, silentLogger());
    expect(
      await router.notify({ platform: "whatsapp", chatId: "55" }, [BILLING_TEXT], { purpose: "alert" }),
    ).toMatchObject({ ok: false, reason: "transient", detail: "notifier_threw" });
  });
});
