import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalizePage } from "./normalize.ts";
import { inferStatus, STALE_JUDGING_DAYS, type StatusInput } from "./status.ts";

const DIR = new URL("../../../test/fixtures/pncp/", import.meta.url);
const page = (name: string): unknown[] =>
  (JSON.parse(readFileSync(new URL(name, DIR), "utf8")) as { data: unknown[] }).data;

const NOW = new Date("2026-09-21T20:25:00Z"); // 17:25 in Brasília, when the proposta page was recorded
const base: StatusInput = {
  situationId: 1,
  homologatedValue: null,
  proposalsCloseAt: "2026-09-30T12:00:00.000Z",
  modalityId: 6,
};

describe("inferStatus", () => {
  it("is recebendo_propostas while the closing instant is in the future", () => {
    expect(inferStatus(base, NOW)).toBe("recebendo_propostas");
    expect(inferStatus({ ...base, proposalsCloseAt: "2026-09-21T20:25:01.000Z" }, NOW)).toBe(
      "recebendo_propostas",
    );
  });

  it("is em_julgamento once proposals closed without a result", () => {
    expect(inferStatus({ ...base, proposalsCloseAt: "2026-09-21T20:25:00.000Z" }, NOW)).toBe("em_julgamento");
    expect(inferStatus({ ...base, proposalsCloseAt: "2026-08-01T12:00:00.000Z" }, NOW)).toBe("em_julgamento");
  });

  it(`turns a closed bid without result older than ${STALE_JUDGING_DAYS} days into encerrada`, () => {
    const staleClose = new Date(NOW.getTime() - (STALE_JUDGING_DAYS + 1) * 86_400_000).toISOString();
    const recentClose = new Date(NOW.getTime() - (STALE_JUDGING_DAYS - 1) * 86_400_000).toISOString();
    expect(inferStatus({ ...base, proposalsCloseAt: staleClose }, NOW)).toBe("encerrada");
    expect(inferStatus({ ...base, proposalsCloseAt: recentClose }, NOW)).toBe("em_julgamento");
  });

  it("is encerrada with a homologated value, even before the closing date", () => {
    expect(inferStatus({ ...base, homologatedValue: 100 }, NOW)).toBe("encerrada");
    expect(inferStatus({ ...base, homologatedValue: 0 }, NOW)).toBe("encerrada");
  });

  it("is encerrada for Revogada (2) and Anulada (3) whatever the dates", () => {
    expect(inferStatus({ ...base, situationId: 2 }, NOW)).toBe("encerrada");
    expect(inferStatus({ ...base, situationId: 3 }, NOW)).toBe("encerrada");
  });

  it("is em_julgamento for Suspensa (4), even with a homologated value or an open deadline", () => {
    expect(inferStatus({ ...base, situationId: 4 }, NOW)).toBe("em_julgamento");
    expect(inferStatus({ ...base, situationId: 4, homologatedValue: 114000 }, NOW)).toBe("em_julgamento");
  });

  it("treats a direct hire without dates as encerrada and any other dateless bid as em_julgamento", () => {
    const dateless = { ...base, proposalsCloseAt: null };
    expect(inferStatus({ ...dateless, modalityId: 8 }, NOW)).toBe("encerrada");
    expect(inferStatus({ ...dateless, modalityId: 9 }, NOW)).toBe("encerrada");
    expect(inferStatus({ ...dateless, modalityId: 6, instrumentCode: 3 }, NOW)).toBe("encerrada");
    expect(inferStatus({ ...dateless, modalityId: 6 }, NOW)).toBe("em_julgamento");
  });

  it("gives the real recorded pages the statuses a supplier would expect", () => {
    const ctx = { uf: "SP", modalidade: 6, now: NOW };
    const open = normalizePage(page("contratacoes-proposta-page-mod6-sp-2026-09-21.json"), ctx).bids;
    // Both still listed by /proposta at 17:25; one closes 17:30, the other 23:59.
    expect(open.map((b) => b.status)).toEqual(["recebendo_propostas", "recebendo_propostas"]);
    const later = new Date("2026-09-21T20:31:00Z");
    expect(
      normalizePage(page("contratacoes-proposta-page-mod6-sp-2026-09-21.json"), {
        ...ctx,
        now: later,
      }).bids.map((b) => b.status),
    ).toEqual(["em_julgamento", "recebendo_propostas"]);

    const dispensa = normalizePage(page("contratacoes-publicacao-page-mod8-sp-2026-09-17.json"), {
      ...ctx,
      modalidade: 8,
    }).bids;
    const withDispute = dispensa.find((b) => b.id === "63025530000104-1-003643/2026")!;
    expect(withDispute.status).toBe("recebendo_propostas"); // dispensa com disputa, closes 2026-09-25
    const direct = dispensa.filter((b) => b.id !== withDispute.id);
    expect(direct.every((b) => b.status === "encerrada")).toBe(true);
  });
});
