/**
 * pt-BR texts of alerts: confirmations, the list, instant messages, digests, change notices and
 * reminders. Every alert message carries a "Silenciar" command button (pauses that alert).
 */
import type { Bid } from "../bid.ts";
import type { CommandButton, Reply } from "../chat/reply.ts";
import { formatDateTime, formatInt, formatValueOrMissing, plural } from "../format.ts";
import type { Alert } from "../ports/alert-store.ts";
import { describeQuery } from "../query/describe-query.ts";
import type { SearchQuery } from "../search-query.ts";
import type { BidChange } from "./bid-changes.ts";

const LABEL_MAX = 80;
/** Bids listed in one instant message / digest. */
export const LISTED_BIDS = 10;

/** The alert as users name it: “uniformes SC”. */
export function alertLabel(alert: Pick<Alert, "queryText">): string {
  const text =
    alert.queryText.length > LABEL_MAX ? `${alert.queryText.slice(0, LABEL_MAX - 1)}…` : alert.queryText;
  return `“${text}”`;
}

function hour(h: number): string {
  return `${String(h).padStart(2, "0")}:00`;
}

/** "Vestuário e Uniformes · SC · Pregão Eletrônico…": how an alert's query was understood, without the period. */
export function describeAlertQuery(query: SearchQuery): string {
  const parts = describeQuery(query).split(" · ");
  parts.splice(2, 1);
  return parts.join(" · ");
}

/** "na hora" / "resumo diário às 08:00", plus the reminder. */
export function scheduleText(alert: Pick<Alert, "mode" | "digestHour" | "reminder">): string {
  const base =
    alert.mode === "instant"
      ? "na hora (a cada sincronização)"
      : `resumo diário às ${hour(alert.digestHour)}`;
  return alert.reminder ? `${base}, com lembrete 2 dias antes do prazo` : base;
}

const STATUS_TEXT: Record<Alert["status"], string> = {
  active: "ativo",
  paused: "pausado",
  unreachable: "pausado (não consegui enviar nesta conversa)",
};

/** The buttons that manage one alert (ids, so a renumbered list never hits the wrong one). */
export function silenceButton(alert: Pick<Alert, "id">): CommandButton {
  return { label: "🔕 Silenciar", command: `/alerta pausar #${alert.id}` };
}

/** Schedule choice after saving (on a plan without instant delivery the tap answers with the upgrade). */
export function scheduleButtons(alert: Pick<Alert, "id" | "mode" | "digestHour">): CommandButton[] {
  const buttons: CommandButton[] = [];
  if (alert.mode !== "instant") {
    buttons.push({
      label: "⚡ Receber na hora",
      command: `/alerta instantaneo #${alert.id}`,
    });
  }
  if (alert.mode !== "daily" || alert.digestHour !== 8)
    buttons.push({ label: "🗓️ Diário às 08:00", command: `/alerta diario #${alert.id} 8h` });
  if (alert.mode !== "daily" || alert.digestHour !== 18)
    buttons.push({ label: "🌆 Diário às 18:00", command: `/alerta diario #${alert.id} 18h` });
  return buttons.slice(0, 3);
}

/** /alertas. */
export function listText(alerts: readonly Alert[], limit: number | null): string {
  if (alerts.length === 0) {
    return "Nenhum alerta nesta conversa. Crie um com /alerta <consulta>, por exemplo: /alerta uniformes SC";
  }
  const lines = [
    `🔔 Alertas desta conversa${limit !== null ? ` (${alerts.length} de ${formatInt(limit)})` : ""}:`,
    "",
  ];
  for (const [i, a] of alerts.entries()) {
    lines.push(`${i + 1}. ${alertLabel(a)}: ${scheduleText(a)} · ${STATUS_TEXT[a.status]}`);
  }
  lines.push(
    "",
    "Para remover: /alerta remover <número>. Pausar/retomar: /alerta pausar <número>, /alerta retomar <número>.",
  );
  return lines.join("\n");
}

/** One button per alert action, for the list (platforms cap the count; the text says how to type them). */
export function listButtons(alerts: readonly Alert[]): CommandButton[] {
  const buttons: CommandButton[] = [];
  alerts.forEach((a, i) => {
    buttons.push(
      a.status === "active"
        ? { label: `⏸️ Pausar ${i + 1}`, command: `/alerta pausar #${a.id}` }
        : { label: `▶️ Retomar ${i + 1}`, command: `/alerta retomar #${a.id}` },
      { label: `🗑️ Remover ${i + 1}`, command: `/alerta remover #${a.id}` },
    );
  });
  return buttons;
}

/** One bid in an alert message. */
export function bidLines(bid: Bid, n: number): string[] {
  const place = `${bid.municipality ? `${bid.municipality}/` : ""}${bid.uf ?? "—"}`;
  return [
    `${n}. ${bid.object.length > 160 ? `${bid.object.slice(0, 159)}…` : bid.object}`,
    `   ${formatValueOrMissing(bid.estimatedValue)} · ${bid.agency} · ${place}`,
    `   ${bid.proposalsCloseAt ? `Propostas até ${formatDateTime(bid.proposalsCloseAt)}` : "Sem prazo informado"} · ${bid.link}`,
  ];
}

function listed(bids: readonly Bid[], total: number): string[] {
  const lines: string[] = [];
  bids.slice(0, LISTED_BIDS).forEach((b, i) => {
    lines.push(...bidLines(b, i + 1));
  });
  if (total > Math.min(bids.length, LISTED_BIDS)) {
    lines.push(
      "",
      `…e mais ${plural(total - Math.min(bids.length, LISTED_BIDS), "licitação", "licitações")}.`,
    );
  }
  return lines;
}

/** Instant delivery: the new bids of one alert since the last round. */
export function instantReply(alert: Alert, bids: readonly Bid[]): Reply {
  const head = `🔔 ${plural(bids.length, "nova licitação", "novas licitações")} para o alerta ${alertLabel(alert)}:`;
  return {
    kind: "text",
    text: [head, "", ...listed(bids, bids.length)].join("\n"),
    buttons: [silenceButton(alert)],
  };
}

/** The daily digest's message (the .xlsx, when the plan has Excel, follows as a file). */
export function digestReply(
  alert: Alert,
  bids: readonly Bid[],
  fileFollows: boolean,
  excelNote: string | null,
): Reply {
  const head = `📬 Resumo diário do alerta ${alertLabel(alert)}: ${plural(bids.length, "licitação nova", "licitações novas")}.`;
  const lines = [head, "", ...listed(bids, bids.length)];
  if (fileFollows) lines.push("", "📎 A planilha com todas vem a seguir.");
  else if (excelNote) lines.push("", excelNote);
  return { kind: "text", text: lines.join("\n"), buttons: [silenceButton(alert)] };
}

const CHANGE_TEXT: Record<BidChange["kind"], string> = {
  suspended: "foi suspensa",
  revoked: "foi revogada",
  annulled: "foi anulada",
  resumed: "voltou a andar (suspensão encerrada)",
  rectified: "foi retificada (objeto ou valor mudou)",
  new_closing_date: "tem novo prazo de propostas",
};

/** "⚠️ Licitação X foi suspensa". */
export function changeReply(alert: Alert, bid: Bid, kind: BidChange["kind"]): Reply {
  const lines = [
    `⚠️ Licitação ${bid.id} ${CHANGE_TEXT[kind]}${kind === "new_closing_date" && bid.proposalsCloseAt ? `: ${formatDateTime(bid.proposalsCloseAt)}` : ""}.`,
    `Você a recebeu pelo alerta ${alertLabel(alert)}.`,
    "",
    ...bidLines(bid, 1),
  ];
  return { kind: "text", text: lines.join("\n"), buttons: [silenceButton(alert)] };
}

/** Two days before closing. */
export function reminderReply(alert: Alert, bid: Bid): Reply {
  const lines = [
    `⏰ Lembrete: as propostas da licitação ${bid.id} fecham em ${bid.proposalsCloseAt ? formatDateTime(bid.proposalsCloseAt) : "breve"}.`,
    `Alerta ${alertLabel(alert)}.`,
    "",
    ...bidLines(bid, 1),
  ];
  return { kind: "text", text: lines.join("\n"), buttons: [silenceButton(alert)] };
}
