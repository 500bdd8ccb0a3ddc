/**
 * `smart-pncp index status` in pt-BR: rows, freshness, disk, stale tags and coverage per modalidade as day
 * ranges. Pure (the CLI prints it).
 */
import { formatDateTime, formatInt, formatIsoDate, plural } from "../format.ts";
import { modalidadeName } from "../modalidades.ts";
import type { IndexStatus } from "../ports/bid-index.ts";
import { agoText } from "./freshness.ts";

/** "1,2 GB", "340 MB", "12 kB" (pt-BR decimal comma). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value < 10 && unit > 0 ? 1 : 0;
  return `${value.toLocaleString("pt-BR", { maximumFractionDigits: digits })} ${units[unit]}`;
}

function when(at: Date | null, now: Date): string {
  return at ? `${formatDateTime(at)} (${agoText(at, now)})` : "nunca";
}

function range(r: { from: string; to: string }): string {
  return r.from === r.to ? formatIsoDate(r.from) : `${formatIsoDate(r.from)} a ${formatIsoDate(r.to)}`;
}

/** The status as an operator reads it. */
export function indexStatusText(status: IndexStatus, now: Date): string {
  const lines = [
    "Índice local do PNCP",
    `Licitações guardadas: ${formatInt(status.rows)}`,
    `Última página gravada: ${when(status.freshAt, now)}`,
    `Última rodada de sincronização: ${when(status.lastRoundAt, now)}`,
    `Tamanho em disco: ${status.diskBytes === null ? "—" : formatBytes(status.diskBytes)}`,
    status.staleTagRows > 0
      ? `Etiquetas de setor a recalcular: ${formatInt(status.staleTagRows)} (rode smart-pncp index retag)`
      : "Etiquetas de setor: em dia",
    "",
  ];
  if (status.coverage.length === 0) {
    lines.push("Cobertura: nenhuma janela sincronizada ainda (rode smart-pncp sync --once).");
    return lines.join("\n");
  }
  lines.push("Cobertura (dias de publicação com todas as páginas):");
  for (const c of status.coverage) {
    const ranges = c.ranges.length > 0 ? c.ranges.map(range).join(", ") : "nenhum dia completo";
    const partial =
      c.partialWindows > 0 ? `; ${plural(c.partialWindows, "dia parcial", "dias parciais")}` : "";
    lines.push(`• ${c.modalidade} ${modalidadeName(c.modalidade)}: ${ranges}${partial}`);
  }
  return lines.join("\n");
}
