import { loadConfig } from "../config.ts";
import { formatDate } from "../core/format.ts";
import { createCore, createLogger, openBillingStore } from "../main.ts";
import { CliUsageError, parseCliArgs } from "./cli-args.ts";
import { cliLogLevel } from "./cli-errors.ts";
import { STATUS_LABEL } from "./plan-command.ts";
import { parseAccountKey } from "./user-key.ts";

/**
 * `smart-pncp billing setup` (creates the paid plans' products and monthly prices in the Stripe account
 * of STRIPE_SECRET_KEY, idempotently) and `smart-pncp billing status CHAVE` (an account's Stripe customer,
 * subscription and period, as the webhook left them). pt-BR output; `--json` for scripts.
 */

export const BILLING_USAGE =
  "uso: smart-pncp billing setup | smart-pncp billing status CHAVE [--json] (CHAVE: telegram:123, slack:TEAM:USER, team:slack:TEAM…)";

/** Stripe's status words as an operator reads them. */
const STRIPE_STATUS: Readonly<Record<string, string>> = {
  active: "ativa",
  trialing: "em teste",
  past_due: "pagamento atrasado",
  unpaid: "não paga",
  incomplete: "aguardando o primeiro pagamento",
  incomplete_expired: "expirou sem pagamento",
  canceled: "cancelada",
  paused: "pausada",
};

export async function billingCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, { json: { type: "boolean" } });
  const [action, key] = positionals;
  if (
    !(
      (action === "setup" && positionals.length === 1) ||
      (action === "status" && key && positionals.length === 2)
    )
  ) {
    process.stderr.write(`${BILLING_USAGE}\n`);
    return 1;
  }
  const config = loadConfig(env);
  const logger = createLogger(cliLogLevel(env));
  if (action === "setup") {
    if (!config.stripe.secretKey) {
      process.stderr.write(
        "STRIPE_SECRET_KEY não está definido: use a chave secreta da conta Stripe (sk_test_… para o modo de teste).\n",
      );
      return 1;
    }
    const core = await createCore(config, { logger });
    try {
      const { setupBilling, describeSetup } = await import("../billing/billing-setup.ts");
      const { createStripeClient } = await import("../billing/stripe-client.ts");
      const stripe = createStripeClient({ secretKey: config.stripe.secretKey, apiUrl: config.stripe.apiUrl });
      const plans = await core.deps.store.listPlans();
      const lines = await setupBilling(stripe, plans);
      if (values.json) process.stdout.write(`${JSON.stringify(lines, null, 2)}\n`);
      else process.stdout.write(describeSetup(lines, plans));
      for (const name of Object.keys(config.stripe.priceOverrides)) {
        process.stderr.write(
          `Aviso: STRIPE_PRICE_* define o preço ${name}; ele vale mais que o preço por lookup key.\n`,
        );
      }
      return 0;
    } finally {
      await core.close();
    }
  }
  let account: ReturnType<typeof parseAccountKey>;
  try {
    account = parseAccountKey(key as string);
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const core = await createCore(config, { logger });
  try {
    const { store, clock } = core.deps;
    const accountId =
      account.kind === "team"
        ? await store.resolveTeam(account.platform, account.teamId)
        : await store.resolveIdentity(account.identity, clock.now());
    const billingStore = await openBillingStore(config, store);
    const [billing, status] = await Promise.all([
      billingStore.getAccountBilling(accountId),
      store.getAccountStatus(
        accountId,
        clock.now(),
        account.kind === "user" ? account.identity.teamId : undefined,
      ),
    ]);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ key, accountId, plan: status.plan.id, billing }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Conta: ${key} (${accountId})`,
      `Plano: ${status.plan.name} [${status.plan.id}] — ${STATUS_LABEL[status.subscriptionStatus] ?? status.subscriptionStatus}`,
    ];
    if (!billing?.customerId && !billing?.subscriptionId) {
      lines.push(
        config.stripe.enabled
          ? "Stripe: nenhuma assinatura paga on-line para esta conta."
          : "Stripe: não configurado (STRIPE_SECRET_KEY); o plano muda com smart-pncp plan set.",
      );
    } else {
      lines.push(`Cliente Stripe: ${billing.customerId ?? "—"}`);
      if (billing.subscriptionId) {
        lines.push(
          `Assinatura: ${billing.subscriptionId} [${billing.planId}] — ${STRIPE_STATUS[billing.stripeStatus ?? ""] ?? billing.stripeStatus}`,
        );
      }
      if (billing.periodEnd) lines.push(`Período atual até: ${formatDate(billing.periodEnd)}`);
      if (billing.cancelAtPeriodEnd) lines.push("Cancelamento agendado para o fim do período.");
      if (billing.pastDueSince) {
        lines.push(
          `Pagamento atrasado desde ${formatDate(billing.pastDueSince)}${billing.graceEndsAt ? `; buscas até ${formatDate(billing.graceEndsAt)}` : ""}.`,
        );
      }
      if (billing.notify) lines.push(`Avisos para: ${billing.notify.platform} ${billing.notify.chatId}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    await core.close();
  }
}
