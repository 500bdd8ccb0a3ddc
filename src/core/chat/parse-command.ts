/** Chat commands every platform understands (pt-BR names, plus /start and /help aliases). */
export type CommandName = "buscar" | "setores" | "plano" | "assinar" | "ajuda" | "start";

export type ParsedCommand =
  | { name: CommandName; args: string }
  | { name: "unknown"; command: string }
  /** Plain text in a group: not for us. */
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
};

/**
 * Reads `/buscar uniformes SC`, `/buscar@SmartPncpBot uniformes` (Telegram groups) or, in a private chat,
 * plain text (a search; greetings and "ajuda" get help). Returns null for plain text in a group.
 */
export function parseCommand(text: string, isPrivate: boolean): ParsedCommand {
  const trimmed = text.trim();
  const match = /^\/([\p{L}_]+)(?:@[\w_]+)?(?:\s+([\s\S]*))?$/u.exec(trimmed);
  if (match) {
    const word = match[1]!.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
    const name = ALIASES[word];
    if (!name) return { name: "unknown", command: `/${match[1]}` };
    return { name, args: (match[2] ?? "").trim() };
  }
  if (!isPrivate) return null;
  const lower = trimmed.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
  if (lower === "" || /^(oi|ola|bom dia|boa tarde|boa noite|menu|inicio|comecar)[!. ]*$/.test(lower)) {
    return { name: "start", args: "" };
  }
  if (/^(ajuda|help|\?)$/.test(lower)) return { name: "ajuda", args: "" };
  if (/^(plano|meu plano)$/.test(lower)) return { name: "plano", args: "" };
  if (/^(setores)$/.test(lower)) return { name: "setores", args: "" };
  if (/^(assinar|planos)$/.test(lower)) return { name: "assinar", args: "" };
  return { name: "buscar", args: trimmed };
}
