import type { CommandButton } from "./reply.ts";

/**
 * The "Salvar como alerta" button under search results: one tap saves the same query as an alert
 * (`/alerta <query>`; its period is ignored there, alerts are about new bids). Kept apart from the alert
 * commands so the search flow does not import them (they import the search flow's query reading).
 */
export function saveAlertButton(queryText: string): CommandButton {
  // 18 characters: whole within WhatsApp's 20-character reply-button title.
  return { label: "Salvar como alerta", command: `/alerta ${queryText.trim()}` };
}
