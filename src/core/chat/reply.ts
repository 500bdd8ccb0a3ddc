import type { ErrorCode } from "../errors.ts";
import type { SearchTotals, Summary } from "../summary/summarizer.ts";

/** A URL button (upgrade, open bid). */
export interface LinkButton {
  label: string;
  url: string;
}

/**
 * A button that, when tapped, runs a chat command as if the user had typed it (Slack button action,
 * Telegram inline keyboard callback, WhatsApp reply button). Adapters turn the tap into an
 * `IncomingCommand` whose `text` is `command` and whose `messageId` is the tap's own delivery id.
 */
export interface CommandButton {
  label: string;
  /** The full command text, e.g. `/buscar asdfgh qwerty`. May be longer than a platform's payload limit. */
  command: string;
}

export type Button = LinkButton | CommandButton;

export function isCommandButton(button: Button): button is CommandButton {
  return "command" in button;
}

/** One bid as shown in chat, already formatted in pt-BR. */
export interface BidLine {
  title: string;
  /** "R$ 1.234,56" or "Valor não informado". */
  value: string;
  agency: string;
  uf: string;
  municipality: string | null;
  /** "dd/mm/aaaa hh:mm" or null. */
  closesAt: string | null;
  status: string;
  link: string;
}

/**
 * The one outbound union. The core answers with these; each adapter renders them within its platform's
 * limits. Every `text` is plain pt-BR (no markup) so an adapter can send it as is.
 */
export type Reply =
  | { kind: "text"; text: string; buttons?: Button[] }
  /** The immediate "🔎 Buscando…" answer; adapters keep its handle to edit it with progress. */
  | { kind: "searching"; text: string }
  | { kind: "progress"; text: string; pagesDone: number; pagesTotal: number }
  | {
      kind: "results";
      /** Plain-text rendering of everything below, for adapters without rich formatting. */
      text: string;
      headline: string;
      /** One line: how the query was understood (terms, UFs, period, filters). */
      description: string;
      summary: Summary;
      totals: SearchTotals;
      bids: BidLine[];
      /** How many matched bids are not listed in `bids`. */
      more: number;
      notes: string[];
      partial: boolean;
      /** A `file` reply (the Excel) comes right after this one; adapters may merge the two. */
      fileFollows?: boolean;
      /** Upgrade links and command buttons ("Salvar como alerta"). */
      buttons?: Button[];
    }
  | { kind: "file"; filename: string; mimeType: string; data: Buffer; caption: string }
  | { kind: "upgrade"; text: string; buttons: LinkButton[] }
  | { kind: "error"; code: ErrorCode; text: string; buttons?: LinkButton[] };

/** Where the core sends replies for one conversation. Adapters implement it. */
export interface ReplySink {
  send(reply: Reply): Promise<void>;
}

export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
