import type { types } from "@slack/bolt";
import {
  type BidLine,
  isCommandButton,
  type LinkButton,
  type Reply,
  type Button as ReplyButton,
} from "../core/chat/reply.ts";
import { type CommandRefs, encodeCommand } from "./command-refs.ts";

/**
 * Reply → Block Kit with a plain-text fallback (used in notifications and by clients without blocks).
 * Limits: 50 blocks per message, 3000 characters per section text, 75 per button label, 3000 per button
 * URL, 255 per action_id, 25 elements per actions block.
 * @see https://docs.slack.dev/reference/block-kit/blocks/section-block
 * @see https://docs.slack.dev/reference/block-kit/block-elements/button-element
 */

type KnownBlock = types.KnownBlock;
type Button = types.Button;

export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_FALLBACK_TEXT = 3000;
const MAX_BUTTON_LABEL = 75;
const MAX_BUTTON_URL = 3000;
const MAX_ACTIONS_ELEMENTS = 25;
/** Slack's cap on a button's `value` (https://docs.slack.dev/reference/block-kit/block-elements/button-element). */
export const MAX_BUTTON_VALUE = 2000;
/** `action_id` prefix of command buttons; the adapter's `app.action(/^cmd_/)` handles their taps. */
export const COMMAND_ACTION_PREFIX = "cmd_";

/** What `chat.postMessage` / `chat.update` / `respond()` take. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Escapes the three characters Slack mrkdwn reserves; the core's texts are plain. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Splits text into pieces of at most `max` characters, preferring line breaks. */
export function splitText(text: string, max = MAX_SECTION_TEXT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = rest.lastIndexOf("\n", max);
    if (at <= 0) at = rest.lastIndexOf(" ", max);
    if (at <= 0) at = max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  if (rest.trim() !== "" || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Sections for mrkdwn text, split at the 3000-character limit. */
function sections(mrkdwn: string): KnownBlock[] {
  return splitText(mrkdwn).map((piece) => ({ type: "section", text: { type: "mrkdwn", text: piece } }));
}

/** A URL button; Slack still sends an interaction for it, acked by the adapter's action handler. */
export function linkButton(button: LinkButton, actionId: string, primary = false): Button {
  return {
    type: "button",
    text: { type: "plain_text", text: cut(button.label, MAX_BUTTON_LABEL), emoji: true },
    url: cut(button.url, MAX_BUTTON_URL),
    action_id: actionId.slice(0, 255),
    ...(primary ? { style: "primary" as const } : {}),
  };
}

/**
 * A button that runs `command` when tapped: `value` carries the command (or a key into `refs` when it is
 * longer than 2000 characters; without `refs` such a button is dropped).
 */
export function commandButton(
  label: string,
  command: string,
  index: number,
  refs: CommandRefs | undefined,
): Button | undefined {
  const value = encodeCommand(command, MAX_BUTTON_VALUE, refs);
  if (value === undefined) return undefined;
  return {
    type: "button",
    text: { type: "plain_text", text: cut(label, MAX_BUTTON_LABEL), emoji: true },
    value,
    action_id: `${COMMAND_ACTION_PREFIX}${index}`,
    ...(index === 0 ? { style: "primary" as const } : {}),
  };
}

function actions(buttons: ReplyButton[] | undefined, prefix: string, refs?: CommandRefs): KnownBlock[] {
  if (!buttons || buttons.length === 0) return [];
  const elements: Button[] = [];
  buttons.slice(0, MAX_ACTIONS_ELEMENTS).forEach((b, i) => {
    const element = isCommandButton(b)
      ? commandButton(b.label, b.command, i, refs)
      : linkButton(b, `${prefix}_${i}`, prefix === "upgrade" && i === 0);
    if (element) elements.push(element);
  });
  return elements.length > 0 ? [{ type: "actions", elements }] : [];
}

/** `<url|label>`, with the characters that would break the link syntax removed. */
function mrkdwnLink(url: string, label: string): string {
  const safeUrl = url.replace(/[<>|\s]/g, encodeURIComponent);
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
}

function bidBlock(bid: BidLine, index: number): KnownBlock {
  const place = `${bid.municipality ? `${bid.municipality}/` : ""}${bid.uf}`;
  const closing = bid.closesAt ? `Propostas até ${bid.closesAt}` : bid.status;
  const text = [
    `*${index + 1}. ${mrkdwnLink(bid.link, bid.title)}*`,
    `${escapeMrkdwn(bid.value)} · ${escapeMrkdwn(bid.agency)} · ${escapeMrkdwn(place)}`,
    escapeMrkdwn(closing),
  ].join("\n");
  return {
    type: "section",
    text: { type: "mrkdwn", text: cut(text, MAX_SECTION_TEXT) },
    accessory: linkButton({ label: "Abrir no PNCP", url: bid.link }, `open_bid_${index}`),
  };
}

function resultsBlocks(reply: Extract<Reply, { kind: "results" }>, refs?: CommandRefs): KnownBlock[] {
  const { summary } = reply;
  const head: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: cut(`📋 ${reply.headline}`, 150), emoji: true } },
  ];
  if (reply.description) {
    head.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: cut(escapeMrkdwn(reply.description), MAX_SECTION_TEXT) }],
    });
  }
  const summaryLines = [summary.text, ...summary.highlights.map((h) => `• ${h}`)];
  if (summary.alert) summaryLines.push("", summary.alert);
  const body: KnownBlock[] = [...sections(escapeMrkdwn(summaryLines.join("\n").trim() || reply.headline))];
  if (reply.bids.length > 0) body.push({ type: "divider" });
  reply.bids.forEach((bid, i) => {
    body.push(bidBlock(bid, i));
  });
  const tail: KnownBlock[] = [];
  if (reply.more > 0) {
    const more = reply.more === 1 ? "Mais 1 licitação" : `Mais ${reply.more} licitações`;
    tail.push({ type: "context", elements: [{ type: "mrkdwn", text: `${more} não listadas aqui.` }] });
  }
  for (const note of reply.notes) tail.push(...sections(escapeMrkdwn(note)));
  tail.push(...actions(reply.buttons, "upgrade", refs));
  return fitBlocks([...head, ...body], tail);
}

/** Keeps the head and the tail (notes, buttons) and drops middle blocks past the 50-block limit. */
function fitBlocks(main: KnownBlock[], tail: KnownBlock[]): KnownBlock[] {
  const room = MAX_BLOCKS - tail.length;
  if (main.length <= room) return [...main, ...tail];
  const dropped: KnownBlock = {
    type: "context",
    elements: [{ type: "mrkdwn", text: "… mensagem encurtada pelo limite do Slack." }],
  };
  return [...main.slice(0, Math.max(0, room - 1)), dropped, ...tail].slice(0, MAX_BLOCKS);
}

/**
 * Renders any reply except `file` (uploaded, not posted). `refs` holds command-button commands too long
 * for a button's value.
 */
export function renderReply(reply: Exclude<Reply, { kind: "file" }>, refs?: CommandRefs): SlackMessage {
  const text = cut(reply.text, MAX_FALLBACK_TEXT);
  switch (reply.kind) {
    case "results":
      return { text, blocks: resultsBlocks(reply, refs) };
    case "progress":
      return { text, blocks: sections(escapeMrkdwn(reply.text)) };
    case "searching":
      return { text, blocks: sections(escapeMrkdwn(reply.text)) };
    case "text":
      return {
        text,
        blocks: fitBlocks(sections(escapeMrkdwn(reply.text)), actions(reply.buttons, "link", refs)),
      };
    case "upgrade":
      return {
        text,
        blocks: fitBlocks(sections(escapeMrkdwn(reply.text)), actions(reply.buttons, "upgrade")),
      };
    case "error":
      return {
        text,
        blocks: fitBlocks(sections(escapeMrkdwn(reply.text)), actions(reply.buttons, "upgrade")),
      };
  }
}

/** A plain message with no buttons (invite hints, adapter notices). */
export function plainMessage(text: string): SlackMessage {
  return { text: cut(text, MAX_FALLBACK_TEXT), blocks: sections(escapeMrkdwn(text)) };
}
