import { classifyPlainText, type PlainIntent } from "./plain-text.ts";

/** Chat commands every platform understands (pt-BR names, plus /start and /help aliases). */
export type CommandName =
  | "buscar"
  | "setores"
  | "plano"
  | "assinar"
  | "ajuda"
  | "start"
  | "obrigado"
  | "alerta"
  | "alertas";

export type ParsedCommand =
  /**
   * `plain`: typed as plain text in a private chat (no `/buscar`), so it is searched only when the query
   * grammar recognises something in it; otherwise the user gets a one-tap "🔎 Buscar …" button.
   */
  | { name: CommandName; args: string; plain?: true }
  | { name: "unknown"; command: string }
  /** Plain text in a group (not for us), or nothing to answer (👍, "ok", invisible characters). */
  | null;

const ALIASES: Record<string, CommandName> = {
  buscar: "buscar",
  busca: "buscar",
  procurar: "buscar",
  setores: "setores",
  setor: "setores",
  plano: "plano",
  planos: "plano",
  assinar: "assinar",
  assinatura: "assinar",
  upgrade: "assinar",
  ajuda: "ajuda",
  help: "ajuda",
  start: "start",
  inicio: "start",
  obrigado: "obrigado",
  obrigada: "obrigado",
  alerta: "alerta",
  alertas: "alertas",
  valeu: "obrigado",
};

const PLAIN_COMMANDS: Record<Exclude<PlainIntent, "silent" | "text">, CommandName> = {
  greeting: "start",
  thanks: "obrigado",
  help: "ajuda",
  plan: "plano",
  sectors: "setores",
  subscribe: "assinar",
};

/**
 * Reads `/buscar uniformes SC`, `/buscar@SmartPncpBot uniformes` (Telegram groups) or, in a private chat,
 * plain text: greetings, thanks and the usual command words become those commands, emoji/punctuation/
 * invisible-only text and acknowledgements are null (see `classifyPlainText`), anything else is a
 * `plain` search candidate. Returns null for plain text in a group.
 */
export function parseCommand(text: string, isPrivate: boolean): ParsedCommand {
  const trimmed = text.trim();
  const match = /^\/([\p{L}_]+)(?:@[\w_]+)?(?:\s+([\s\S]*))?$/u.exec(trimmed);
  if (match) {
    const word = match[1]!.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
    // Own keys only: "/constructor" or "/__proto__" are unknown commands, not Object.prototype members.
    const name = Object.hasOwn(ALIASES, word) ? ALIASES[word] : undefined;
    if (!name) return { name: "unknown", command: `/${match[1]}` };
    return { name, args: (match[2] ?? "").trim() };
  }
  if (!isPrivate) return null;
  const intent = classifyPlainText(trimmed);
  if (intent === "silent") return null;
  if (intent === "text") return { name: "buscar", args: trimmed, plain: true };
  return { name: PLAIN_COMMANDS[intent], args: "" };
}
