import type { LinkButton, Reply } from "../core/chat/reply.ts";
import { formatDate, formatInt } from "../core/format.ts";
import type { AppliedSubscription } from "../core/ports/billing.ts";
import type { Plan } from "../core/ports/store.ts";

/**
 * What the chat where the upgrade started is told about its subscription, in pt-BR. Pure: the handler
 * decides WHEN (once per effect, from `billing_apply_subscription`, or once per invoice/session for
 * event-only notices) and these functions say WHAT.
 */

/** "300 buscas por mês e planilhas Excel". */
export function planCapabilities(plan: Plan): string {
  const searches = `${formatInt(plan.searchesPerMonth)} buscas por mês`;
  const excel = plan.excel ? `${searches} e planilhas Excel` : searches;
  return plan.team ? `${excel}, para a equipe toda` : excel;
}

function until(date: Date | null): string {
  return date ? ` até ${formatDate(date)}` : "";
}

/** Buttons a notice may carry: the portal ("Gerenciar assinatura" / "Regularizar pagamento"), a new checkout. */
export interface NoticeLinks {
  portal: (label: string) => LinkButton;
  /** A fresh checkout for the same plan (after an expired boleto). */
  checkout: () => LinkButton | null;
}

/** The notice for a lifecycle effect, or null when the effect is not worth a message (renewals included). */
export function effectNotice(
  applied: AppliedSubscription,
  plan: Plan,
  previous: Plan | null,
  links: NoticeLinks,
): Reply | null {
  switch (applied.effect) {
    case "activated":
      return {
        kind: "text",
        text: `✅ Plano ${plan.name} ativo${until(applied.periodEnd)} — ${planCapabilities(plan)}.`,
      };
    case "recovered":
      return {
        kind: "text",
        text: `✅ Pagamento confirmado. Plano ${plan.name} ativo${until(applied.periodEnd)} — ${planCapabilities(plan)}.`,
      };
    case "changed":
      return {
        kind: "text",
        text: `🔄 Plano alterado${previous ? ` de ${previous.name}` : ""} para ${plan.name}, ativo${until(applied.periodEnd)} — ${planCapabilities(plan)}.`,
      };
    case "past_due":
      return {
        kind: "text",
        text: `⚠️ Não conseguimos cobrar a assinatura do plano ${plan.name}. As buscas continuam${until(applied.graceEndsAt)}; depois disso ficam suspensas até o pagamento. Atualize o cartão ou pague a fatura em “Regularizar pagamento”.`,
        buttons: [links.portal("Regularizar pagamento")],
      };
    case "cancel_scheduled":
      return {
        kind: "text",
        text: `Assinatura cancelada: o plano ${plan.name} continua ativo${until(applied.periodEnd)} e não será renovado. Mudou de ideia? Toque em “Gerenciar assinatura”.`,
        buttons: [links.portal("Gerenciar assinatura")],
      };
    case "cancel_undone":
      return {
        kind: "text",
        text: `✅ Cancelamento desfeito: o plano ${plan.name} continua ativo e renova${applied.periodEnd ? ` em ${formatDate(applied.periodEnd)}` : " normalmente"}.`,
      };
    case "ended":
      return {
        kind: "text",
        text: `Sua assinatura do plano ${plan.name} terminou. Obrigado por usar o Smart PNCP! Para assinar de novo, envie /assinar.`,
      };
    case "expired":
      return unpaidNotice(plan, links);
    default:
      return null;
  }
}

/** A boleto (or another delayed payment) that was not paid: nothing was activated. */
export function unpaidNotice(plan: Plan, links: NoticeLinks): Reply {
  const button = links.checkout();
  return {
    kind: "text",
    text: `❌ O pagamento do plano ${plan.name} não foi confirmado (boleto vencido ou pagamento recusado), então o plano não foi ativado.${button ? " Para tentar de novo, toque abaixo." : " Para tentar de novo, envie /assinar."}`,
    ...(button ? { buttons: [button] } : {}),
  };
}

/** Checkout completed with a boleto: the plan starts when the bank confirms the payment. */
export function boletoPendingNotice(plan: Plan): Reply {
  return {
    kind: "text",
    text: `🧾 Boleto gerado para o plano ${plan.name}. Assim que o banco confirmar o pagamento (em geral até 3 dias úteis), aviso aqui e o plano é ativado.`,
  };
}

/** The first payment failed (card refused) or needs the customer (3-D Secure): the invoice link fixes it. */
export function paymentProblemNotice(
  plan: Plan,
  kind: "failed" | "action_required",
  invoiceUrl: string | null,
  links: NoticeLinks,
): Reply {
  const button: LinkButton = invoiceUrl
    ? { label: kind === "failed" ? "Pagar fatura" : "Confirmar pagamento", url: invoiceUrl }
    : links.portal("Regularizar pagamento");
  return {
    kind: "text",
    text:
      kind === "failed"
        ? `⚠️ O pagamento do plano ${plan.name} foi recusado. Tente outro cartão ou pague a fatura pelo botão abaixo.`
        : `🔐 Seu banco pediu uma confirmação para o pagamento do plano ${plan.name}. Confirme pelo botão abaixo para ativar o plano.`,
    buttons: [button],
  };
}
