import { createHash } from "node:crypto";
import type { IncomingCommand } from "../core/chat/incoming-command.ts";
import { parseCommand } from "../core/chat/parse-command.ts";

/**
 * Slack payload → `IncomingCommand`. Identity: `slack:<team>:<user>`, team id as the team context (a
 * workspace on a team plan covers all its members), delivery id = `event_id` for events and
 * `trigger_id` for slash commands.
 */

/** The fields of a slash-command payload we read. */
export interface SlashCommandPayload {
  command: string;
  text: string;
  user_id: string;
  user_name?: string;
  team_id: string;
  enterprise_id?: string;
  channel_id: string;
  channel_name?: string;
  trigger_id?: string;
  response_url?: string;
}

/** The fields of a message / app_mention event we read. */
export interface MessageEventPayload {
  type: string;
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  channel: string;
  channel_type?: string;
  ts: string;
  thread_ts?: string;
}

/** The Events API envelope. */
export interface EventEnvelope {
  event_id?: string;
  team_id?: string;
  enterprise_id?: string;
  authorizations?: { team_id?: string | null; user_id?: string }[];
}

/** `slack:<team>:<user>`. */
export function slackUserKey(teamId: string, userId: string): string {
  return `slack:${teamId}:${userId}`;
}

function bodyHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

/** `/buscar uniformes SP` arrives as command `/buscar` + text `uniformes SP`; the core reads it whole. */
export function fromSlashCommand(payload: SlashCommandPayload, receivedAt: Date): IncomingCommand {
  const isPrivate = payload.channel_name === "directmessage" || payload.channel_id.startsWith("D");
  return {
    platform: "slack",
    userKey: slackUserKey(payload.team_id, payload.user_id),
    userId: payload.user_id,
    teamId: payload.team_id,
    displayName: payload.user_name ?? null,
    chatId: payload.channel_id,
    isPrivate,
    text: `${payload.command} ${decodeSlackEntities(payload.text ?? "")}`.trim(),
    // Slack does not retry slash commands; trigger_id is unique per invocation.
    messageId: payload.trigger_id ?? `body:${bodyHash(payload)}`,
    receivedAt,
    raw: { command: payload.command, channel_id: payload.channel_id, user_id: payload.user_id },
  };
}

/** Messages the bot must not answer: other bots (itself included), edits, joins and other subtypes. */
export function isIgnorableMessage(event: MessageEventPayload): boolean {
  return Boolean(event.bot_id) || event.subtype !== undefined || !event.user || !event.text;
}

/** Slack escapes `&`, `<` and `>` in message text; the user typed the characters themselves. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Removes `<@U…>` mentions (the bot's own and others') from an app_mention text. */
export function stripMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A mention is addressed to the bot, so `@Smart PNCP uniformes SP` reads like plain text in a DM:
 * the core's own parser (private-chat rules) turns it into the explicit command for a channel. A bare
 * mention greets (`/start`); one with nothing to answer (👍, "ok", invisible characters) is null and
 * ignored; other text is an explicit search request (`/buscar …`), since it was addressed to the bot.
 */
export function mentionToCommandText(text: string): string | null {
  const stripped = stripMentions(text);
  if (stripped.startsWith("/")) return stripped;
  if (stripped === "") return "/start";
  const parsed = parseCommand(stripped, true);
  if (parsed === null) return null;
  if (parsed.name === "unknown" || parsed.name === "buscar") return `/buscar ${stripped}`.trim();
  return `/${parsed.name} ${parsed.args}`.trim();
}

function teamOf(envelope: EventEnvelope): string {
  return envelope.team_id ?? envelope.authorizations?.[0]?.team_id ?? envelope.enterprise_id ?? "unknown";
}

/**
 * A DM (`message.im`) or an `app_mention`; null when it is not for us. Mentions are answered in a
 * thread under the mention; DMs in the conversation (or the thread the user wrote in).
 */
export function fromMessageEvent(
  event: MessageEventPayload,
  envelope: EventEnvelope,
  receivedAt: Date,
): IncomingCommand | null {
  if (isIgnorableMessage(event)) return null;
  const isMention = event.type === "app_mention";
  const isPrivate = event.channel_type === "im";
  if (!isMention && !isPrivate) return null;
  // A mention inside the bot's DM arrives twice (app_mention + message.im, different event ids):
  // answer the DM copy only, so one message is never searched or charged twice.
  if (isMention && event.channel.startsWith("D")) return null;
  const teamId = teamOf(envelope);
  const userId = event.user!;
  const typed = isMention ? mentionToCommandText(event.text!) : stripMentions(event.text!);
  if (typed === null) return null;
  const text = decodeSlackEntities(typed);
  const threadId = isMention ? (event.thread_ts ?? event.ts) : event.thread_ts;
  return {
    platform: "slack",
    userKey: slackUserKey(teamId, userId),
    userId,
    teamId,
    displayName: null,
    chatId: event.channel,
    ...(threadId ? { threadId } : {}),
    isPrivate,
    text,
    messageId: envelope.event_id ?? `body:${bodyHash({ event })}`,
    receivedAt,
    raw: { type: event.type, channel: event.channel, ts: event.ts },
  };
}

/** The fields of a `block_actions` interaction we read (checked by `slack-payload.ts` before Bolt). */
export interface BlockActionPayload {
  user: { id: string; team_id?: string };
  team?: { id: string } | null;
  channel?: { id: string } | null;
  container?: { channel_id?: string; thread_ts?: string };
  trigger_id?: string;
}

/**
 * A command-button tap as the command it carries, in the channel of the message the button is on, with
 * the same identity as a slash command. Delivery id: the interaction's `trigger_id` (unique per tap), else
 * user + `action_ts`. Null when the tap has no channel (a button outside a conversation).
 */
export function fromBlockAction(
  payload: BlockActionPayload,
  actionTs: string | undefined,
  command: string,
  receivedAt: Date,
): IncomingCommand | null {
  const channel = payload.channel?.id ?? payload.container?.channel_id;
  if (!channel) return null;
  const teamId = payload.team?.id ?? payload.user.team_id ?? "unknown";
  const userId = payload.user.id;
  const threadId = payload.container?.thread_ts;
  return {
    platform: "slack",
    userKey: slackUserKey(teamId, userId),
    userId,
    teamId,
    displayName: null,
    chatId: channel,
    ...(threadId ? { threadId } : {}),
    isPrivate: channel.startsWith("D"),
    text: command,
    messageId: payload.trigger_id
      ? `action:${payload.trigger_id}`
      : `action:${teamId}:${userId}:${actionTs ?? bodyHash(payload)}`,
    receivedAt,
    raw: { type: "block_actions", channel, user_id: userId },
  };
}
