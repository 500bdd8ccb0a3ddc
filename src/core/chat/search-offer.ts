import { describeQuery } from "../query/describe-query.ts";
import type { ParsedQuery } from "../search-query.ts";
import type { Reply } from "./reply.ts";

/** WhatsApp reply-button titles hold 20 characters; the longest common limit, so every adapter can show it. */
const LABEL_MAX = 20;
const LABEL_HEAD = "🔎 Buscar “";
const LABEL_TAIL = "”";

const graphemes = new Intl.Segmenter("pt-BR", { granularity: "grapheme" });

/** `text` with whitespace collapsed, cut at a character (grapheme) boundary to `max` UTF-16 units, with "…". */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  let out = "";
  for (const { segment } of graphemes.segment(flat)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  // Prefer ending at a word when that keeps most of the room.
  const space = out.lastIndexOf(" ");
  if (space >= Math.floor((max - 1) / 2)) out = out.slice(0, space);
  return `${out.trimEnd()}…`;
}

/** `🔎 Buscar “<text>”`, shortened to fit a 20-character button title. */
export function searchButtonLabel(text: string): string {
  return `${LABEL_HEAD}${shorten(text, LABEL_MAX - LABEL_HEAD.length - LABEL_TAIL.length)}${LABEL_TAIL}`;
}

/**
 * Plain text in which the grammar recognised nothing ("asdfgh qwerty", "tchau pessoal"): say how it would
 * be searched and offer one tap that runs `/buscar <text>`. Nothing is charged until the tap.
 */
export function searchOffer(text: string, grammar: ParsedQuery): Reply {
  return {
    kind: "text",
    text: [
      `Não reconheci setor, estado, período, valor nem modalidade em “${shorten(text, 80)}”.`,
      `Se quiser, busco essas palavras: ${shorten(describeQuery(grammar.query), 300)}.`,
      "Toque no botão para buscar (conta como 1 busca), ou veja exemplos em /ajuda.",
    ].join("\n"),
    buttons: [{ label: searchButtonLabel(text), command: `/buscar ${text.trim()}` }],
  };
}
