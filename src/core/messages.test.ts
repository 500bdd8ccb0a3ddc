import { describe, expect, it } from "vitest";
import type { ErrorCode } from "./errors.ts";
import { errorMessage } from "./messages.ts";
import type { Plan } from "./ports/store.ts";

const trial: Plan = {
  id: "free_trial",
  name: "Teste grátis",
  priceCents: null,
  searchesPerMonth: 3,
  historyDays: 7,
  excel: false,
  perMinute: 2,
  team: false,
  trialDays: 7,
  rank: 0,
};
const agil: Plan = {
  ...trial,
  id: "consultor_agil",
  name: "Consultor Ágil",
  priceCents: 29_700,
  searchesPerMonth: 50,
  historyDays: 30,
  perMinute: 10,
  trialDays: null,
  rank: 1,
};
const maquina: Plan = {
  ...agil,
  id: "maquina",
  name: "Máquina",
  priceCents: 59_700,
  searchesPerMonth: 300,
  historyDays: 365,
  excel: true,
  perMinute: 30,
  rank: 2,
};

describe("errorMessage", () => {
  it("says a paid quota renews on the 1st, and a trial's does not", () => {
    expect(
      errorMessage("QUOTA_EXCEEDED", {
        plan: agil,
        quota: 50,
        resetsAt: new Date("2026-12-01T03:00:00Z"),
        upgrade: maquina,
      }),
    ).toBe(
      "Você usou as 50 buscas do plano Consultor Ágil este mês. Elas renovam em 01/12/2026.\n\n👉 O plano Máquina por R$ 597,00/mês tem 300 buscas por mês.",
    );
    const trialText = errorMessage("QUOTA_EXCEEDED", {
      plan: trial,
      quota: 3,
      resetsAt: new Date(),
      upgrade: agil,
    });
    expect(trialText).toBe(
      "Você usou as 3 buscas do seu teste grátis.\n\n👉 O plano Consultor Ágil por R$ 297,00/mês tem 50 buscas por mês.",
    );
  });

  it("suggests a period the plan can actually search", () => {
    const text = errorMessage("HISTORY_EXCEEDED", { plan: trial, requestedDays: 30, upgrade: agil });
    expect(text).toContain('Encurte o período (ex.: "7d")');
    expect(text).toContain("esta busca pede 30 dias");
    expect(text).toContain("Esta busca não foi descontada.");
  });

  it("has pt-BR text for every code", () => {
    const codes: ErrorCode[] = [
      "INVALID_QUERY",
      "INVALID_COMMAND",
      "PNCP_UNAVAILABLE",
      "STORE_UNAVAILABLE",
      "RATE_LIMITED",
      "QUOTA_EXCEEDED",
      "TRIAL_EXPIRED",
      "HISTORY_EXCEEDED",
      "PLAN_INACTIVE",
      "PLAN_REQUIRED",
      "LLM_FAILED",
      "DELIVERY_FAILED",
      "FILE_DELIVERY_FAILED",
      "BUTTON_EXPIRED",
      "INTERNAL",
    ];
    const texts = codes.map((code) => errorMessage(code, { plan: agil, upgrade: maquina }));
    expect(new Set(texts).size).toBe(codes.length);
    for (const [i, text] of texts.entries()) {
      expect(text.length).toBeGreaterThan(30);
      expect(text).not.toContain(codes[i]);
      expect(text).not.toMatch(/\b(error|failed|invalid|undefined|null)\b/i);
    }
  });
});
