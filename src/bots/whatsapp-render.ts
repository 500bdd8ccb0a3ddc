import { type Button, isCommandButton, type LinkButton, type Reply } from "../core/chat/reply.ts";
import { type CommandRefs, encodeCommand } from "./command-refs.ts";

/**
 * Reply → WhatsApp messages. Pure: the sink decides when to send them. WhatsApp markup is `*bold*`; limits
 * are 4096 characters for text, 1024 for captions and interactive bodies, 20 for a button's text.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/text-messages
 */

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const INTERACTIVE_BODY_LIMIT = 1024;
export const BUTTON_TEXT_LIMIT = 20;
/** Reply buttons: at most 3 per message, each `reply.id` ≤ 256 characters.
 * https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages */
export const MAX_REPLY_BUTTONS = 3;
export const REPLY_ID_LIMIT = 256;

type ResultsReply = Extract<Reply, { kind: "results" }>;
type FileReply = Extract<Reply, { kind: "file" }>;

/** One message to send, in order. `document` refers to a file the sink uploads first. */
export type Outgoing =
  | { type: "text"; body: string }
  | { type: "cta"; body: string; displayText: string; url: string }
  /** Interactive reply buttons; `id` is a command payload (see `command-refs.ts`). */
  | { type: "buttons"; body: string; buttons: { id: string; title: string }[] }
  | { type: "document"; file: FileReply; caption?: string };

/** Body of a reply-buttons message whose text went out in text messages just before. */
export const BUTTONS_FALLBACK_BODY = "Toque em um botão abaixo.";

/** Body of a CTA message whose explanation went out in a text message just before. */
export const CTA_FALLBACK_BODY = "Toque no botão abaixo para ver o plano.";

/** `*text*`; asterisks inside would end the bold early, and WhatsApp ignores `* text*`, so both go. */
export function bold(text: string): string {
  const clean = text.replace(/\*/g, "").trim();
  return clean === "" ? "" : `*${clean}*`;
}

/** Cuts `text` to `limit` characters with "…", preferring a line or word boundary near the end. */
export function fitText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const room = text.slice(0, limit - 1);
  const cutAt = Math.max(room.lastIndexOf("\n"), room.lastIndexOf(" "));
  const head = cutAt > limit * 0.6 ? room.slice(0, cutAt) : room;
  return `${head.trimEnd()}…`;
}

/**
 * Splits a long text into messages of at most `limit` characters: at blank lines first, then at line
 * breaks, then at spaces, and only as a last resort inside a word.
 */
export function splitText(text: string, limit = TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit + 1);
    let cutAt = window.lastIndexOf("\n\n");
    if (cutAt < limit * 0.5) cutAt = window.lastIndexOf("\n");
    if (cutAt < limit * 0.5) cutAt = window.lastIndexOf(" ");
    if (cutAt <= 0) cutAt = limit;
    chunks.push(rest.slice(0, cutAt).trimEnd());
    rest = rest.slice(cutAt).trimStart();
  }
  if (rest !== "") chunks.push(rest);
  return chunks;
}

/**
 * A button's label as CTA text (≤ 20 characters): "Assinar Consultor Ágil" becomes "Plano Consultor Ágil",
 * or just the plan name; other long labels are cut.
 */
export function buttonText(label: string): string {
  const clean = label.trim();
  if (clean.length <= BUTTON_TEXT_LIMIT) return clean;
  const plan = /^assinar\s+(.+)$/i.exec(clean)?.[1];
  if (plan) {
    if (plan.length + 6 <= BUTTON_TEXT_LIMIT) return `Plano ${plan}`;
    if (plan.length <= BUTTON_TEXT_LIMIT) return plan;
  }
  return fitText(clean, BUTTON_TEXT_LIMIT);
}

/** Several link buttons as text: WhatsApp allows one URL button per message, and each message costs pacing. */
export function linkList(buttons: LinkButton[]): string {
  return buttons.map((b) => `👉 ${bold(b.label)}\n${b.url}`).join("\n\n");
}

/**
 * A text with command buttons (up to 3 reply buttons) and any link buttons written as a list in the body;
 * the body goes in the interactive message when it fits 1024 characters, else as text messages first.
 */
function withCommandButtons(
  text: string,
  commands: { id: string; title: string }[],
  links: LinkButton[],
): Outgoing[] {
  const body = links.length > 0 ? `${text}\n\n${linkList(links)}` : text;
  if (body.length <= INTERACTIVE_BODY_LIMIT) return [{ type: "buttons", body, buttons: commands }];
  return [
    ...splitText(body).map((b): Outgoing => ({ type: "text", body: b })),
    { type: "buttons", body: BUTTONS_FALLBACK_BODY, buttons: commands },
  ];
}

/**
 * A text with its buttons. Command buttons become reply buttons (their command, or a key into `refs` when
 * over 256 characters, in `reply.id`; without `refs` such a button is dropped). Link buttons alone: no
 * button → text messages; one button → a single CTA URL message when the text fits its 1024-character
 * body, else the text then a short CTA; several → one text with a list of links.
 */
export function withButtons(text: string, buttons: Button[] | undefined, refs?: CommandRefs): Outgoing[] {
  const all = buttons ?? [];
  const commands: { id: string; title: string }[] = [];
  for (const b of all) {
    if (!isCommandButton(b) || commands.length >= MAX_REPLY_BUTTONS) continue;
    const id = encodeCommand(b.command, REPLY_ID_LIMIT, refs);
    if (id === undefined || commands.some((c) => c.id === id)) continue;
    // Titles must be unique within a message: a repeated one gets a number.
    let title = buttonText(b.label);
    for (let n = 2; commands.some((c) => c.title === title); n++)
      title = `${fitText(buttonText(b.label), 17)} ${n}`;
    commands.push({ id, title });
  }
  const list = all.filter((b): b is LinkButton => !isCommandButton(b));
  if (commands.length > 0) return withCommandButtons(text, commands, list);
  if (list.length === 0) return splitText(text).map((body) => ({ type: "text", body }));
  if (list.length === 1) {
    const [button] = list as [LinkButton];
    const cta = { type: "cta" as const, displayText: buttonText(button.label), url: button.url };
    const label = buttonText(button.label) === button.label.trim() ? "" : `\n\n👉 ${bold(button.label)}`;
    if (text.length + label.length <= INTERACTIVE_BODY_LIMIT) return [{ ...cta, body: `${text}${label}` }];
    return [
      ...splitText(text).map((body): Outgoing => ({ type: "text", body })),
      { ...cta, body: fitText(`${CTA_FALLBACK_BODY}${label}`, INTERACTIVE_BODY_LIMIT) },
    ];
  }
  return splitText(`${text}\n\n${linkList(list)}`).map((body) => ({ type: "text", body }));
}

function renderWith(results: ResultsReply, bidCount: number, highlights: boolean): string {
  const lines: string[] = [`📋 ${bold(results.headline)}`];
  if (results.description.trim() !== "") lines.push(results.description);
  const { summary } = results;
  if (summary.text.trim() !== "") lines.push("", summary.text);
  if (highlights) for (const h of summary.highlights) lines.push(`• ${h}`);
  if (summary.alert) lines.push("", summary.alert);
  const bids = results.bids.slice(0, bidCount);
  bids.forEach((b, i) => {
    const place = `${b.municipality ? `${b.municipality}/` : ""}${b.uf}`;
    lines.push(
      "",
      bold(`${i + 1}. ${b.title}`),
      `💰 ${b.value} · ${b.agency} · ${place}`,
      b.closesAt ? `⏰ Propostas até ${b.closesAt}` : `📌 ${b.status}`,
      b.link,
    );
  });
  const more = results.more + (results.bids.length - bids.length);
  if (more > 0) lines.push("", `…e mais ${more === 1 ? "1 licitação" : `${more} licitações`}.`);
  if (results.notes.length > 0) lines.push("", ...results.notes);
  return lines.join("\n");
}

/**
 * The results as one WhatsApp text within `limit`: bold headline and titles, one block per bid. When too
 * long, bids are dropped from the end (counted in "…e mais"), then highlights, then the text is cut.
 */
export function renderResultsText(results: ResultsReply, limit = TEXT_LIMIT): string {
  for (let n = results.bids.length; n >= 0; n--) {
    const text = renderWith(results, n, true);
    if (text.length <= limit) return text;
  }
  return fitText(renderWith(results, 0, false), limit);
}

/**
 * Results plus the Excel file, paced for WhatsApp's per-user limit: one document whose caption is the
 * summary when it fits 1024 characters, else the summary text then the document with its own caption.
 */
export function renderResultsWithFile(
  results: ResultsReply,
  file: FileReply,
  refs?: CommandRefs,
): Outgoing[] {
  const full = renderResultsText(results);
  const caption = `${full}\n\n${file.caption}`;
  const buttons = results.buttons ?? [];
  if (caption.length <= CAPTION_LIMIT && buttons.length === 0) return [{ type: "document", file, caption }];
  if (caption.length <= CAPTION_LIMIT) {
    // A document carries no buttons, and each extra message costs the user ~6 s of pacing: the commands
    // are written into the caption as what to send ("alerta …"), when they fit; else one buttons message.
    const typed = buttons.map((b) => (isCommandButton(b) ? typedCommand(b) : `👉 ${b.label}: ${b.url}`));
    const withTyped = `${caption}\n\n${typed.join("\n")}`;
    if (withTyped.length <= CAPTION_LIMIT) return [{ type: "document", file, caption: withTyped }];
    return [{ type: "document", file, caption }, ...withButtons(BUTTONS_FALLBACK_BODY, buttons, refs)];
  }
  return [
    ...resultsWithButtons(full, results.buttons, refs),
    { type: "document", file, caption: fitText(file.caption, CAPTION_LIMIT) },
  ];
}

// A command button written as what to send (the command in bold, e.g. "/alerta uniformes SC"), slash
// kept: in a private chat plain "alerta …" would be read as a search.
function typedCommand(button: Button): string {
  return isCommandButton(button) ? `${button.label}: envie ${bold(button.command)}` : "";
}

/**
 * Results with their buttons. A message has either one URL button or reply buttons, not both: when there is
 * a link (the upgrade to the plan with Excel), it keeps its button and the commands ("Salvar como alerta")
 * are written as what to send; without links the commands are reply buttons.
 */
function resultsWithButtons(text: string, buttons: Button[] | undefined, refs?: CommandRefs): Outgoing[] {
  const all = buttons ?? [];
  const links = all.filter((b) => !isCommandButton(b));
  if (links.length === 0) return withButtons(text, all, refs);
  const typed = all.filter(isCommandButton).map(typedCommand);
  return withButtons(typed.length > 0 ? `${text}\n\n${typed.join("\n")}` : text, links, refs);
}

/** Every reply except `file` (which the sink merges with results) as WhatsApp messages. */
export function renderReply(reply: Reply, refs?: CommandRefs): Outgoing[] {
  switch (reply.kind) {
    case "text":
      return withButtons(reply.text, reply.buttons, refs);
    case "searching":
    case "progress":
      return withButtons(reply.text, undefined);
    case "results":
      return resultsWithButtons(renderResultsText(reply), reply.buttons, refs);
    case "upgrade":
      return withButtons(reply.text, reply.buttons);
    case "error":
      return withButtons(reply.text, reply.buttons);
    case "file":
      return [{ type: "document", file: reply, caption: fitText(reply.caption, CAPTION_LIMIT) }];
  }
}

/** Sent for images, audio, stickers…: only text is understood. */
export const ONLY_TEXT_HINT =
  "Por enquanto eu só entendo mensagens de texto. ✍️\nEscreva o que você procura, por exemplo: *uniformes SP 7d*\nPara ver os comandos, envie *ajuda*.";
