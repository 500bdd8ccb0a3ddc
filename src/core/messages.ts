import type { ErrorCode } from "./errors.ts";
import { formatBRL, formatDate, formatInt } from "./format.ts";
import type { Plan } from "./ports/store.ts";

/** Facts a message may mention. Every field is optional; each message uses what it needs. */
export interface MessageContext {
  plan?: Plan;
  used?: number;
  quota?: number;
  resetsAt?: Date;
  trialEndsAt?: Date | null;
  retryAfterMs?: number;
  requestedDays?: number;
  upgrade?: Plan | null;
  detail?: string;
  /** When a past-due subscription's grace period ended (PAYMENT_OVERDUE). */
  graceEndsAt?: Date | null;
}

function upgradeSentence(upgrade: Plan | null | undefined, what: string): string {
  if (!upgrade) return "";
  const price = upgrade.priceCents === null ? "" : ` por ${formatBRL(upgrade.priceCents / 100)}/mês`;
  return `\n\n👉 O plano ${upgrade.name}${price} ${what}.`;
}

/**
 * The one place that turns stable error codes into pt-BR text. The switch is exhaustive: a new code
 * without a message fails to compile.
 */
export function errorMessage(code: ErrorCode, ctx: MessageContext = {}): string {
  const planName = ctx.plan?.name ?? "atual";
  switch (code) {
    case "INVALID_QUERY":
      return `Não consegui entender essa busca${ctx.detail ? `: ${ctx.detail}` : "."}\nExemplo: /buscar uniformes SC PR 7d acima de 50 mil`;
    case "INVALID_COMMAND":
      return `Não conheço esse comando${ctx.detail ? ` (${ctx.detail})` : ""}. Envie /ajuda para ver o que eu sei fazer.`;
    case "PNCP_UNAVAILABLE":
      return "O PNCP (Portal Nacional de Contratações Públicas) não está respondendo agora, então não consegui buscar. Esta busca não foi descontada do seu plano.\nTente de novo em alguns minutos, ou com menos estados ou um período menor.";
    case "STORE_UNAVAILABLE":
      // Searches keep working while the account store is down (fail open); plan and subscription cannot.
      return "Nosso sistema de contas está fora do ar neste momento, então não consigo mostrar seu plano nem abrir uma assinatura. As buscas continuam funcionando. Tente de novo em alguns minutos.";
    case "RATE_LIMITED": {
      const seconds = Math.max(1, Math.ceil((ctx.retryAfterMs ?? 60_000) / 1000));
      return `Muitas buscas em pouco tempo: o plano ${planName} permite ${formatInt(ctx.plan?.perMinute ?? 0)} por minuto. Tente de novo em ${seconds} s.${upgradeSentence(ctx.upgrade, `permite ${formatInt(ctx.upgrade?.perMinute ?? 0)} buscas por minuto`)}`;
    }
    case "QUOTA_EXCEEDED": {
      const searches = formatInt(ctx.quota ?? ctx.used ?? 0);
      const upgrade = upgradeSentence(
        ctx.upgrade,
        `tem ${formatInt(ctx.upgrade?.searchesPerMonth ?? 0)} buscas por mês`,
      );
      // The trial's searches are for the whole trial: they do not renew.
      if (ctx.plan?.trialDays != null)
        return `Você usou as ${searches} buscas do seu teste grátis.${upgrade}`;
      return `Você usou as ${searches} buscas do plano ${planName} este mês.${ctx.resetsAt ? ` Elas renovam em ${formatDate(ctx.resetsAt)}.` : ""}${upgrade}`;
    }
    case "TRIAL_EXPIRED":
      return `Seu teste grátis terminou${ctx.trialEndsAt ? ` em ${formatDate(ctx.trialEndsAt)}` : ""}. Para continuar buscando licitações, escolha um plano.${upgradeSentence(ctx.upgrade, `tem ${formatInt(ctx.upgrade?.searchesPerMonth ?? 0)} buscas por mês`)}`;
    case "HISTORY_EXCEEDED":
      return `O plano ${planName} busca até ${formatInt(ctx.plan?.historyDays ?? 0)} dias para trás, e esta busca pede ${formatInt(ctx.requestedDays ?? 0)} dias. Encurte o período (ex.: "${formatInt(ctx.plan?.historyDays ?? 7)}d") ou mude de plano. Esta busca não foi descontada.${upgradeSentence(ctx.upgrade, `busca até ${formatInt(ctx.upgrade?.historyDays ?? 0)} dias`)}`;
    case "PLAN_INACTIVE":
      return `Sua assinatura do plano ${planName} não está ativa. Renove para voltar a buscar.${upgradeSentence(ctx.upgrade, "reativa suas buscas")}`;
    case "PAYMENT_OVERDUE":
      return `O pagamento da assinatura do plano ${planName} está atrasado${ctx.graceEndsAt ? ` e o prazo para regularizar terminou em ${formatDate(ctx.graceEndsAt)}` : ""}, então as buscas estão suspensas. Regularize o pagamento (cartão ou boleto) para voltar a buscar na hora.`;
    case "BILLING_NOT_CONFIGURED":
      return "O pagamento on-line não está configurado neste servidor. Para mudar de plano, fale com o administrador do Smart PNCP (ele muda o plano com o comando smart-pncp plan set).";
    case "BILLING_UNAVAILABLE":
      return "Não consegui falar com o sistema de pagamento agora. Tente o link de novo em alguns minutos.";
    case "PLAN_REQUIRED":
      return `A planilha Excel não faz parte do plano ${planName}.${upgradeSentence(ctx.upgrade, "inclui a planilha Excel com todas as licitações")}`;
    case "LLM_FAILED":
      return "Não consegui gerar o resumo inteligente agora; mostro um resumo automático.";
    case "DELIVERY_FAILED":
      return "Encontrei as licitações, mas não consegui enviar o resultado aqui. A busca foi registrada; tente de novo em instantes ou use /ajuda.";
    case "FILE_DELIVERY_FAILED":
      return "Não consegui enviar a planilha Excel nesta conversa agora. As licitações estão na mensagem acima; se precisar do arquivo, tente a busca de novo em alguns minutos.";
    case "ALERT_LIMIT": {
      const limit = ctx.quota ?? ctx.plan?.alertsLimit ?? 0;
      return `O plano ${planName} permite ${limit === 1 ? "1 alerta" : `${formatInt(limit)} alertas`}, e você já tem ${formatInt(ctx.used ?? limit)}. Remova um com /alerta remover <número> (veja /alertas) ou mude de plano.${upgradeSentence(ctx.upgrade, `permite ${formatInt(ctx.upgrade?.alertsLimit ?? 0)} alertas`)}`;
    }
    case "ALERT_INSTANT_NOT_IN_PLAN":
      return `Alertas na hora não fazem parte do plano ${planName}: seu alerta segue com o resumo diário.${upgradeSentence(ctx.upgrade, "envia os alertas na hora, a cada sincronização com o PNCP")}`;
    case "BUTTON_EXPIRED":
      return "Este botão expirou. Digite o comando de novo, por favor.";
    case "INTERNAL":
      return "Algo deu errado do nosso lado. Já registramos o problema; tente de novo em instantes.";
  }
}
