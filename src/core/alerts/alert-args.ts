/**
 * Reads what follows `/alerta`: a management subcommand (`remover 2`, `pausar #17`, `retomar 1`,
 * `instantaneo 1`, `diario 1 18h`, `lembrete 1`) or a query to save, with its schedule words taken out
 * (`instantâneo`, `na hora`, `diário 18h`, `às 7h`, `lembrete`). Pure; never throws. `#17` is an alert id
 * (buttons), a bare number the position in `/alertas`.
 */
import type { AlertMode } from "../ports/alert-store.ts";
import { normalizeText } from "../text-fold.ts";

export type AlertRef = { kind: "id"; id: string } | { kind: "position"; n: number };

export type AlertAction = "remove" | "pause" | "resume" | "instant" | "daily" | "reminder" | "no_reminder";

export type AlertArgs =
  | { kind: "empty" }
  | { kind: "manage"; action: AlertAction; ref: AlertRef | null; digestHour: number | null }
  | { kind: "create"; text: string; mode: AlertMode | null; digestHour: number | null; reminder: boolean };

const ACTIONS: ReadonlyMap<string, AlertAction> = new Map([
  ["remover", "remove"],
  ["apagar", "remove"],
  ["excluir", "remove"],
  ["deletar", "remove"],
  ["pausar", "pause"],
  ["silenciar", "pause"],
  ["retomar", "resume"],
  ["reativar", "resume"],
  ["ativar", "resume"],
  ["instantaneo", "instant"],
  ["diario", "daily"],
  ["lembrete", "reminder"],
  ["semlembrete", "no_reminder"],
]);

const HOUR = /^(?:[àa]s\s+)?(\d{1,2})(?:\s*h(?:oras?)?(?:\s*\d{2})?|:\d{2})$/iu;

/** "18h", "18:00", "7h30", "às 18h" → 18; null when not an hour of the day. */
export function readHour(text: string): number | null {
  const m = HOUR.exec(text.trim());
  return m && Number(m[1]) <= 23 ? Number(m[1]) : null;
}

function readRef(word: string | undefined): AlertRef | null {
  if (!word) return null;
  const id = /^#(\d{1,18})$/.exec(word);
  if (id) return { kind: "id", id: id[1]! };
  const n = /^(\d{1,4})$/.exec(word);
  return n ? { kind: "position", n: Number(n[1]) } : null;
}

// Schedule words in a query text, matched on the raw text (accents optional), removed before parsing.
const INSTANT = /(?:^|\s)(?:instant[aâ]neo|imediato|na\s+hora)(?=\s|$)/giu;
const DAILY =
  /(?:^|\s)(?:resumo\s+)?di[aá]rio(?:\s+(?:[àa]s\s+)?(\d{1,2})(?:\s*h(?:oras?)?|:\d{2})(?:\s*\d{2})?)?(?=\s|$)/giu;
const AT_HOUR = /(?:^|\s)[àa]s\s+(\d{1,2})(?:\s*h(?:oras?)?|:\d{2})(?=\s|$)/giu;
const REMINDER = /(?:^|\s)(?:com\s+)?lembretes?(?=\s|$)/giu;

/** Reads `/alerta` arguments. */
export function readAlertArgs(args: string): AlertArgs {
  const text = args.trim();
  if (text === "") return { kind: "empty" };
  const words = text.split(/\s+/);
  const action = ACTIONS.get(normalizeText(words[0]!).replace(/\s+/g, ""));
  const ref = readRef(words[1]);
  if (action && (ref || words.length === 1)) {
    const rest = words.slice(2).join(" ");
    return { kind: "manage", action, ref, digestHour: rest ? readHour(rest) : null };
  }
  let mode: AlertMode | null = null;
  let digestHour: number | null = null;
  let reminder = false;
  let rest = text.replace(INSTANT, () => {
    mode = "instant";
    return " ";
  });
  rest = rest.replace(DAILY, (_all, hour: string | undefined) => {
    mode = "daily";
    if (hour !== undefined && Number(hour) <= 23) digestHour = Number(hour);
    return " ";
  });
  rest = rest.replace(AT_HOUR, (all, hour: string) => {
    if (Number(hour) > 23) return all;
    digestHour = Number(hour);
    mode ??= "daily";
    return " ";
  });
  rest = rest.replace(REMINDER, () => {
    reminder = true;
    return " ";
  });
  return { kind: "create", text: rest.replace(/\s+/g, " ").trim(), mode, digestHour, reminder };
}
