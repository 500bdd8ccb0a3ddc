import type Stripe from "stripe";
import { formatBRL } from "../core/format.ts";
import type { Plan } from "../core/ports/store.ts";
import { lookupKey } from "./price-catalog.ts";

/**
 * `smart-pncp billing setup`: makes a Stripe account (test mode for a newcomer) sell the paid plans of the
 * `plans` table, idempotently. Each plan gets a product with a fixed id (`smart_pncp_<plan id>`, so a
 * second run finds it instead of creating a duplicate) and a monthly BRL price with the lookup key
 * `<plan id>_monthly`. A price whose amount no longer matches the table is replaced by a new one that
 * takes over the lookup key (`transfer_lookup_key`; Stripe prices are immutable) and the old one is
 * archived, so the app picks the new amount up by lookup key; existing subscribers keep their price.
 * Yearly prices are not in the table: create them in the dashboard with the key `<plan id>_yearly`.
 */

export type SetupAction = "created" | "updated" | "unchanged" | "replaced";

export interface SetupLine {
  planId: string;
  productId: string;
  product: SetupAction;
  priceId: string;
  price: SetupAction;
  lookupKey: string;
  amountCents: number;
}

export function productIdOf(planId: string): string {
  return `smart_pncp_${planId}`;
}

function isMissing(error: unknown): boolean {
  const e = error as { statusCode?: unknown; code?: unknown };
  return e?.statusCode === 404 || e?.code === "resource_missing";
}

function describeProduct(plan: Plan): string {
  return `${plan.searchesPerMonth} buscas por mês, ${plan.historyDays} dias de histórico${plan.excel ? ", planilha Excel" : ""}${plan.team ? ", para a equipe toda" : ""}`;
}

async function ensureProduct(stripe: Stripe, plan: Plan): Promise<{ id: string; action: SetupAction }> {
  const id = productIdOf(plan.id);
  const name = `Smart PNCP — ${plan.name}`;
  const description = describeProduct(plan);
  try {
    const product = await stripe.products.retrieve(id);
    if (
      product.name === name &&
      product.description === description &&
      product.metadata?.plan_id === plan.id
    ) {
      return { id, action: "unchanged" };
    }
    await stripe.products.update(id, { name, description, metadata: { plan_id: plan.id } });
    return { id, action: "updated" };
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  await stripe.products.create({ id, name, description, metadata: { plan_id: plan.id } });
  return { id, action: "created" };
}

function matches(price: Stripe.Price, plan: Plan, productId: string): boolean {
  const product = typeof price.product === "string" ? price.product : price.product?.id;
  return (
    price.active &&
    price.currency === "brl" &&
    price.unit_amount === plan.priceCents &&
    price.recurring?.interval === "month" &&
    (price.recurring?.interval_count ?? 1) === 1 &&
    product === productId
  );
}

export async function setupBilling(stripe: Stripe, plans: Plan[]): Promise<SetupLine[]> {
  const paid = plans
    .filter((p) => p.priceCents !== null && p.trialDays === null)
    .sort((a, b) => a.rank - b.rank);
  const keys = paid.map((p) => lookupKey(p.id, "monthly"));
  const existing = new Map<string, Stripe.Price>();
  if (keys.length > 0) {
    const list = await stripe.prices.list({ lookup_keys: keys, limit: 100 });
    for (const price of list.data) if (price.lookup_key) existing.set(price.lookup_key, price);
  }
  const lines: SetupLine[] = [];
  for (const plan of paid) {
    const product = await ensureProduct(stripe, plan);
    const key = lookupKey(plan.id, "monthly");
    const current = existing.get(key);
    let priceId: string;
    let action: SetupAction;
    if (current && matches(current, plan, product.id)) {
      priceId = current.id;
      action = "unchanged";
    } else {
      const created = await stripe.prices.create({
        product: product.id,
        currency: "brl",
        unit_amount: plan.priceCents ?? 0,
        recurring: { interval: "month" },
        lookup_key: key,
        transfer_lookup_key: true,
        nickname: `${plan.name} mensal`,
        metadata: { plan_id: plan.id },
      });
      if (current?.active) await stripe.prices.update(current.id, { active: false });
      priceId = created.id;
      action = current ? "replaced" : "created";
    }
    lines.push({
      planId: plan.id,
      productId: product.id,
      product: product.action,
      priceId,
      price: action,
      lookupKey: key,
      amountCents: plan.priceCents ?? 0,
    });
  }
  return lines;
}

const ACTION_TEXT: Record<SetupAction, string> = {
  created: "criado",
  updated: "atualizado",
  unchanged: "já estava pronto",
  replaced: "substituído (valor novo; o antigo foi arquivado)",
};

/** The pt-BR report of a setup run. */
export function describeSetup(lines: SetupLine[], plans: Plan[]): string {
  const name = (id: string) => plans.find((p) => p.id === id)?.name ?? id;
  const out = lines.map(
    (l) =>
      `${name(l.planId)}: produto ${l.productId} ${ACTION_TEXT[l.product]}; preço mensal ${formatBRL(l.amountCents / 100)} (${l.lookupKey}) ${ACTION_TEXT[l.price]}: ${l.priceId}`,
  );
  const changed = lines.some((l) => l.product !== "unchanged" || l.price !== "unchanged");
  out.push(
    changed
      ? "Pronto: a conta Stripe vende os planos pagos."
      : "Nada a fazer: a conta Stripe já vende os planos pagos.",
  );
  return `${out.join("\n")}\n`;
}
