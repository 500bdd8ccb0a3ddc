import { describe, expect, it } from "vitest";
import { messageWebhook, statusWebhook, textWebhook, WA } from "../../test/fakes/fake-whatsapp.ts";
import { toWebhookEvents, type WebhookEvent, webhookSchema } from "./whatsapp-webhook.ts";

const NOW = new Date("2026-09-21T18:00:00.000Z");

function events(body: unknown, phoneNumberId: string = WA.phoneNumberId): WebhookEvent[] {
  return toWebhookEvents(webhookSchema.parse(body), phoneNumberId, NOW);
}

function command(body: unknown) {
  const [event] = events(body);
  if (event?.kind !== "command") throw new Error(`expected a command, got ${JSON.stringify(event)}`);
  return event.command;
}

describe("toWebhookEvents", () => {
  it("turns a text message into an IncomingCommand keyed by BSUID, replying to the phone", () => {
    const cmd = command(textWebhook("wamid.A1", "uniformes SP 30d", { userId: WA.userId }));
    expect(cmd).toMatchObject({
      platform: "whatsapp",
      userKey: `whatsapp:${WA.userId}`,
      userId: WA.userId,
      teamId: null,
      displayName: WA.name,
      chatId: WA.phone,
      isPrivate: true,
      text: "uniformes SP 30d",
      messageId: "wamid.A1",
      receivedAt: NOW,
    });
  });

  it("falls back to wa_id before the BSUID rollout", () => {
    const cmd = command(textWebhook("wamid.A2", "oi"));
    expect(cmd.userId).toBe(WA.phone);
    expect(cmd.userKey).toBe(`whatsapp:${WA.phone}`);
    expect(cmd.chatId).toBe(WA.phone);
  });

  it("addresses a username user without a phone by BSUID", () => {
    const cmd = command(textWebhook("wamid.A3", "oi", { userId: "BR.99", phone: null }));
    expect(cmd.userId).toBe("BR.99");
    expect(cmd.chatId).toBe("BR.99");
  });

  it("reads button and list replies (a /command id wins over the title)", () => {
    const button = messageWebhook("wamid.B1", {
      type: "interactive",
      interactive: { type: "button_reply", button_reply: { id: "/plano", title: "Meu plano" } },
    });
    expect(command(button).text).toBe("/plano");
    const list = messageWebhook("wamid.B2", {
      type: "interactive",
      interactive: { type: "list_reply", list_reply: { id: "row-3", title: "uniformes SP" } },
    });
    expect(command(list).text).toBe("uniformes SP");
  });

  it("greets on request_welcome", () => {
    expect(command(messageWebhook("wamid.W", { type: "request_welcome" })).text).toBe("/start");
  });

  it("marks media as unsupported (hint) and drops reactions silently", () => {
    const image = events(
      messageWebhook("wamid.I", { type: "image", image: { id: "m1", mime_type: "image/jpeg" } }),
    );
    expect(image).toEqual([
      {
        kind: "unsupported",
        messageType: "image",
        messageId: "wamid.I",
        chatId: WA.phone,
        userKey: `whatsapp:${WA.phone}`,
      },
    ]);
    const reaction = events(
      messageWebhook("wamid.R", { type: "reaction", reaction: { message_id: "x", emoji: "👍" } }),
    );
    expect(reaction).toMatchObject([{ kind: "ignored", reason: "message_type" }]);
  });

  it("ignores status callbacks, other fields, other phone numbers and other objects", () => {
    expect(events(statusWebhook("wamid.S", "read"))).toMatchObject([
      { kind: "ignored", reason: "status", detail: { status: "read" } },
    ]);
    expect(events(textWebhook("wamid.X", "oi"), "another-phone-id")).toMatchObject([
      { kind: "ignored", reason: "other_phone_number" },
    ]);
    const echo = {
      object: "whatsapp_business_account",
      entry: [{ changes: [{ field: "smb_message_echoes", value: {} }] }],
    };
    expect(events(echo)).toMatchObject([{ kind: "ignored", reason: "field" }]);
    expect(events({ object: "page", entry: [] })).toMatchObject([{ kind: "ignored", reason: "object" }]);
  });

  it("keeps the good messages of a batch when one is unreadable", () => {
    const body = textWebhook("wamid.G", "uniformes") as {
      entry: { changes: { value: { messages: unknown[] } }[] }[];
    };
    body.entry[0]!.changes[0]!.value.messages.unshift({ type: "text" });
    const out = events(body);
    expect(out.map((e) => e.kind)).toEqual(["ignored", "command"]);
  });

  it("rejects an envelope without entries at the schema", () => {
    expect(webhookSchema.safeParse({ object: "whatsapp_business_account" }).success).toBe(false);
    expect(webhookSchema.safeParse([1, 2]).success).toBe(false);
  });
});
