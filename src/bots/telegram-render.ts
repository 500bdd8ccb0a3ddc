import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import { type BidLine, isCommandButton, type LinkButton, type Reply } from "../core/chat/reply.ts";
import { type CommandRefs, encodeCommand, utf8Bytes } from "./command-refs.ts";

/** Telegram's cap on one message's text (https://core.telegram.org/bots/api#sendmessage). */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's cap on a document caption (https://core.telegram.org/bots/api#senddocument). */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** Telegram's cap on `callback_data`: 1–64 BYTES (https://core.telegram.org/bots/api#inlinekeyboardbutton). */
export const CALLBACK_DATA_LIMIT = 64;

/** An inline button that calls back with `callbackData` (a command button, see `command-refs.ts`). */
export interface CallbackButton {
  label: string;
  callbackData: string;
}

/** A URL button or a callback button. */
export type TelegramButton = LinkButton | CallbackButton;

function isCallbackButton(button: TelegramButton): button is CallbackButton {
  return "callbackData" in button;
}

/** The URL buttons among `buttons` (callback buttons cannot be written as text). */
export function linkButtonsOf(buttons: TelegramButton[]): LinkButton[] {
  return buttons.filter((b): b is LinkButton => !isCallbackButton(b));
}

/** One Telegram message, `parse_mode: "HTML"`, with its buttons (rendered as an inline keyboard). */
export interface TelegramMessage {
  html: string;
  buttons: TelegramButton[];
}

/** Escapes text for Telegram HTML: only `<`, `>` and `&` are special (plus `"` inside attributes). */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeTelegramHtml(text).replace(/"/g, "&quot;");
}

/**
 * Whether Telegram accepts `url` on an inline URL button. It refuses anything but http(s)/tg and hosts
 * without a dot (`http://localhost:3000` → BUTTON_URL_INVALID, rubenlagus/TelegramBots#302); such buttons
 * are shown as text links instead so a dev setup still gets its upgrade link.
 */
export function isButtonUrlAccepted(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "tg:") return true;
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return false;
  return parsed.hostname.includes(".") && !parsed.hostname.endsWith(".");
}

/** Buttons as text lines, for buttons Telegram would refuse. */
export function buttonsAsHtml(buttons: LinkButton[]): string[] {
  return buttons.map((b) => `🔗 ${escapeTelegramHtml(b.label)}: ${escapeTelegramHtml(b.url)}`);
}

/** Buttons as an inline keyboard, one per row; undefined when there are none. */
export function toInlineKeyboard(buttons: TelegramButton[]): InlineKeyboardMarkup | undefined {
  if (buttons.length === 0) return undefined;
  const rows: InlineKeyboardButton[][] = buttons.map((b) =>
    isCallbackButton(b)
      ? [{ text: b.label, callback_data: b.callbackData }]
      : [{ text: b.label, url: b.url }],
  );
  return { inline_keyboard: rows };
}

function link(label: string, url: string): string {
  return /^https?:\/\//i.test(url)
    ? `<a href="${escapeAttribute(url)}">${escapeTelegramHtml(label)}</a>`
    : escapeTelegramHtml(label);
}

function bidLines(bid: BidLine, index: number): string[] {
  const place = `${bid.municipality ? `${bid.municipality}/` : ""}${bid.uf}`;
  return [
    `${index + 1}. ${link(bid.title, bid.link)}`,
    `   💰 ${escapeTelegramHtml(bid.value)} · ${escapeTelegramHtml(bid.agency)} · ${escapeTelegramHtml(place)}`,
    `   ${bid.closesAt ? `⏰ Propostas até ${escapeTelegramHtml(bid.closesAt)}` : escapeTelegramHtml(bid.status)}`,
  ];
}

type Results = Extract<Reply, { kind: "results" }>;

function resultsLines(reply: Results): string[] {
  const lines = [`📋 <b>${escapeTelegramHtml(reply.headline)}</b>`];
  const description = reply.description;
  if (description) lines.push(`<i>${escapeTelegramHtml(description)}</i>`);
  const { summary } = reply;
  if (summary.text) lines.push("", escapeTelegramHtml(summary.text));
  for (const h of summary.highlights) lines.push(`• ${escapeTelegramHtml(h)}`);
  if (summary.alert) lines.push("", `<b>${escapeTelegramHtml(summary.alert)}</b>`);
  if (reply.bids.length > 0) {
    lines.push("", `<b>${reply.more > 0 ? `As ${reply.bids.length} primeiras:` : "Licitações:"}</b>`);
    reply.bids.forEach((bid, i) => {
      lines.push(...bidLines(bid, i));
    });
    if (reply.more > 0)
      lines.push(`… e mais ${reply.more === 1 ? "1 licitação" : `${reply.more} licitações`}.`);
  }
  if (reply.notes.length > 0) lines.push("", ...reply.notes.map(escapeTelegramHtml));
  return lines;
}

/** Back from an HTML line to its text (tags dropped, entities decoded). */
function htmlToText(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** Cuts one over-long line of plain text into escaped pieces that each fit; walks code points, so no
 * entity or surrogate pair is ever split. */
function splitLongLine(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const char of text) {
    const escaped = escapeTelegramHtml(char);
    if (current.length + escaped.length > limit) {
      pieces.push(current);
      current = "";
    }
    current += escaped;
  }
  pieces.push(current);
  return pieces;
}

/**
 * Packs lines (each a balanced HTML fragment) into messages of at most `limit` characters, breaking only
 * between lines so no tag is ever split. The HTML length is measured, which over-counts what Telegram
 * counts (text after entity parsing), so every chunk is accepted.
 */
export function chunkLines(lines: string[], limit = TELEGRAM_TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim() !== "") chunks.push(current.replace(/\n+$/, ""));
    current = "";
  };
  for (const line of lines) {
    const pieces = line.length > limit ? splitLongLine(htmlToText(line), limit) : [line];
    for (const piece of pieces) {
      const next = current === "" ? piece : `${current}\n${piece}`;
      if (next.length > limit) {
        flush();
        current = piece;
      } else {
        current = next;
      }
    }
  }
  flush();
  return chunks.length > 0 ? chunks : [""];
}

/** Plain pt-BR text (no markup) as escaped HTML lines. */
function plainLines(text: string): string[] {
  return text.split("\n").map(escapeTelegramHtml);
}

/**
 * Renders a reply as Telegram HTML messages within the 4,096-character limit. Buttons ride on the last
 * message; URL buttons Telegram would refuse (see `isButtonUrlAccepted`) become text lines. Command
 * buttons become callback buttons whose data is the command, or a key into `refs` when the command is
 * over 64 bytes (without `refs` such a button is dropped). `file` replies are not messages (see
 * `renderCaption`).
 */
export function renderReply(reply: Exclude<Reply, { kind: "file" }>, refs?: CommandRefs): TelegramMessage[] {
  const lines = reply.kind === "results" ? resultsLines(reply) : plainLines(reply.text);
  const buttons = "buttons" in reply && reply.buttons ? reply.buttons : [];
  const accepted: TelegramButton[] = [];
  const refused: LinkButton[] = [];
  for (const b of buttons) {
    if (isCommandButton(b)) {
      const callbackData = encodeCommand(b.command, CALLBACK_DATA_LIMIT, refs, utf8Bytes);
      if (callbackData !== undefined) accepted.push({ label: b.label, callbackData });
    } else if (isButtonUrlAccepted(b.url)) accepted.push(b);
    else refused.push(b);
  }
  if (refused.length > 0) lines.push("", ...buttonsAsHtml(refused));
  const chunks = chunkLines(lines);
  return chunks.map((html, i) => ({ html, buttons: i === chunks.length - 1 ? accepted : [] }));
}

/** A document caption: escaped HTML, cut to Telegram's 1,024 characters. */
export function renderCaption(caption: string): string {
  const html = escapeTelegramHtml(caption);
  if (html.length <= TELEGRAM_CAPTION_LIMIT) return html;
  return `${splitLongLine(caption, TELEGRAM_CAPTION_LIMIT - 1)[0]}…`;
}
