/**
 * PNCP modalidade de contratação codes (manual v1.0 §5.2 plus the 2026 additions 14–19).
 * Key everything on the id: PNCP's names drift (8 is "Dispensa de Licitação" or "Dispensa").
 */
export const MODALIDADES: Readonly<Record<number, string>> = {
  1: "Leilão - Eletrônico",
  2: "Diálogo Competitivo",
  3: "Concurso",
  4: "Concorrência - Eletrônica",
  5: "Concorrência - Presencial",
  6: "Pregão - Eletrônico",
  7: "Pregão - Presencial",
  8: "Dispensa",
  9: "Inexigibilidade",
  10: "Manifestação de Interesse",
  11: "Pré-qualificação",
  12: "Credenciamento",
  13: "Leilão - Presencial",
  14: "Inaplicabilidade da Licitação",
  15: "Chamada Pública",
  16: "Concorrência - Eletrônica Internacional",
  17: "Concorrência - Presencial Internacional",
  18: "Pregão - Eletrônico Internacional",
  19: "Pregão - Presencial Internacional",
};

/** Name of a modalidade id, or "Modalidade N" for an unknown one. */
export function modalidadeName(id: number): string {
  return MODALIDADES[id] ?? `Modalidade ${id}`;
}
