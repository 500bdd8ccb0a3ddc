import { describe, expect, it } from "vitest";
import { fromMessageEvent, fromSlashCommand, mentionToCommandText, stripMentions } from "./slack-incoming.ts";

const at = new Date("2026-09-21T18:00:00Z");

describe("fromSlashCommand", () => {
  it("turns /buscar into the core's command text with Slack identity and trigger_id as delivery id", () => {
    const cmd = fromSlashCommand(
      {
        command: "/buscar",
        text: "uniformes SP 30d",
        user_id: "U1",
        user_name: "maria",
        team_id: "T1",
        channel_id: "C1",
        channel_name: "licitacoes",
        trigger_id: "123.456.abc",
        response_url: "https://hooks.slack.com/commands/x",
      },
      at,
    );
    expect(cmd).toEqual({
      platform: "slack",
      userKey: "slack:T1:U1",
      userId: "U1",
      teamId: "T1",
      displayName: "maria",
      chatId: "C1",
      isPrivate: false,
      text: "/buscar uniformes SP 30d",
      messageId: "123.456.abc",
      receivedAt: at,
      raw: { command: "/buscar", channel_id: "C1", user_id: "U1" },
    });
  });

  it("marks a command typed in a DM as private and hashes the body when there is no trigger_id", () => {
    const payload = {
      command: "/ajuda",
      text: "",
      user_id: "U1",
      team_id: "T1",
      channel_id: "D9",
      channel_name: "directmessage",
    };
    const a = fromSlashCommand(payload, at);
    const b = fromSlashCommand({ ...payload }, at);
    expect(a.isPrivate).toBe(true);
    expect(a.text).toBe("/ajuda");
    expect(a.messageId).toMatch(/^body:[0-9a-f]{32}$/);
    expect(b.messageId).toBe(a.messageId);
  });
});

describe("fromMessageEvent", () => {
  const envelope = { event_id: "Ev1", team_id: "T1" };

  it("reads a DM as plain text in a private chat, event_id as delivery id", () => {
    const cmd = fromMessageEvent(
      { type: "message", channel_type: "im", channel: "D1", user: "U1", text: " uniformes SP ", ts: "1.1" },
      envelope,
      at,
    );
    expect(cmd).toMatchObject({
      userKey: "slack:T1:U1",
      teamId: "T1",
      chatId: "D1",
      isPrivate: true,
      text: "uniformes SP",
      messageId: "Ev1",
    });
    expect(cmd!.threadId).toBeUndefined();
  });

  it("answers a mention in a thread under it and reads it as a command", () => {
    const cmd = fromMessageEvent(
      { type: "app_mention", channel: "C1", user: "U1", text: "<@UBOT> uniformes SP 30d", ts: "2.2" },
      envelope,
      at,
    );
    expect(cmd).toMatchObject({
      chatId: "C1",
      threadId: "2.2",
      isPrivate: false,
      text: "/buscar uniformes SP 30d",
    });
    const inThread = fromMessageEvent(
      { type: "app_mention", channel: "C1", user: "U1", text: "<@UBOT> ajuda", ts: "3.3", thread_ts: "2.2" },
      envelope,
      at,
    );
    expect(inThread).toMatchObject({ threadId: "2.2", text: "/ajuda" });
  });

  it("ignores bot messages, subtypes (edits, joins), channel messages and empty text", () => {
    const base = { type: "message", channel_type: "im", channel: "D1", user: "U1", text: "oi", ts: "1.1" };
    expect(fromMessageEvent({ ...base, bot_id: "B1" }, envelope, at)).toBeNull();
    expect(fromMessageEvent({ ...base, subtype: "bot_message" }, envelope, at)).toBeNull();
    expect(fromMessageEvent({ ...base, subtype: "message_changed" }, envelope, at)).toBeNull();
    expect(fromMessageEvent({ ...base, channel_type: "channel" }, envelope, at)).toBeNull();
    expect(fromMessageEvent({ ...base, text: "" }, envelope, at)).toBeNull();
  });

  it("answers a mention inside the bot's DM once (the message.im copy), mention stripped", () => {
    const mention = {
      type: "app_mention",
      channel: "D1",
      user: "U1",
      text: "<@UBOT> uniformes SP",
      ts: "2.1",
    };
    expect(fromMessageEvent(mention, { event_id: "Ev1", team_id: "T1" }, at)).toBeNull();
    const dm = { ...mention, type: "message", channel_type: "im" };
    expect(fromMessageEvent(dm, { event_id: "Ev2", team_id: "T1" }, at)?.text).toBe("uniformes SP");
  });

  it("decodes Slack's &amp; &lt; &gt; so the user's own characters reach the search", () => {
    const dm = {
      type: "message",
      channel_type: "im",
      channel: "D1",
      user: "U1",
      text: "P&amp;D &lt;SP&gt;",
      ts: "3.1",
    };
    expect(fromMessageEvent(dm, envelope, at)?.text).toBe("P&D <SP>");
  });

  it("takes the team from authorizations when the envelope has no team_id", () => {
    const cmd = fromMessageEvent(
      { type: "message", channel_type: "im", channel: "D1", user: "U1", text: "oi", ts: "1.1" },
      { event_id: "Ev2", authorizations: [{ team_id: "T9" }] },
      at,
    );
    expect(cmd?.userKey).toBe("slack:T9:U1");
  });
});

describe("mention text", () => {
  it("strips mentions and maps command words through the core's parser", () => {
    expect(stripMentions("<@U0BOT|smart>  oi <@U2> ")).toBe("oi");
    expect(mentionToCommandText("<@UBOT> /plano")).toBe("/plano");
    expect(mentionToCommandText("<@UBOT> setores")).toBe("/setores");
    expect(mentionToCommandText("<@UBOT>")).toBe("/start");
    expect(mentionToCommandText("<@UBOT> obras de pavimentação RS")).toBe("/buscar obras de pavimentação RS");
    expect(mentionToCommandText("<@UBOT> oi")).toBe("/start");
    // Nothing to answer: never a (charged) search.
    expect(mentionToCommandText("<@UBOT> 👍")).toBeNull();
  });
});
