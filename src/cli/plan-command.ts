import { loadConfig } from "../config.ts";
import { formatDate, formatInt } from "../core/format.ts";
import type { AccountStatus, PlanId } from "../core/ports/store.ts";
import { createCore, createLogger } from "../main.ts";
import { CliUsageError, parseCliArgs } from "./cli-args.ts";
import { cliLogLevel } from "./cli-errors.ts";
import { parseAccountKey } from "./user-key.ts";

const USAGE =
  "uso: smart-pncp plan show CHAVE [--json] | smart-pncp plan set CHAVE PLANO [--days N] (CHAVE: cli:ana, telegram:123, team:slack:TEAM…)";

/** The subscription status as an operator reads it. */
export const STATUS_LABEL: Readonly<Record<AccountStatus["subscriptionStatus"], string>> = {
  active: "ativo",
  trialing: "em teste",
  canceled: "cancelado",
  expired: "expirado",
  past_due: "pagamento pendente",
};

/** `smart-pncp plan show <userKey>` and `smart-pncp plan set <userKey> <planId> [--days N]` (admin). */
export async function planCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCliArgs(argv, { days: { type: "string" }, json: { type: "boolean" } });
  const [action, userKey, planId] = positionals;
  if (
    !userKey ||
    (action !== "show" && action !== "set") ||
    (action === "set" && !planId) ||
    positionals.length > (action === "set" ? 3 : 2)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const days = values.days === undefined ? null : Number(values.days);
  if (days !== null && (!Number.isInteger(days) || days <= 0 || days > 36_500)) {
    process.stderr.write("--days precisa ser um inteiro positivo (até 36500)\n");
    return 1;
  }
  let key: ReturnType<typeof parseAccountKey>;
  try {
    key = parseAccountKey(userKey);
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const logger = createLogger(cliLogLevel(env));
  const core = await createCore(loadConfig(env), { logger });
  try {
    const { store, clock } = core.deps;
    const accountId =
      key.kind === "team"
        ? await store.resolveTeam(key.platform, key.teamId)
        : await store.resolveIdentity(key.identity, clock.now());
    if (action === "set") {
      const plans = await store.listPlans();
      const plan = plans.find((p) => p.id === planId);
      if (!plan) {
        process.stderr.write(
          `plano desconhecido: ${planId} (planos: ${plans.map((p) => p.id).join(", ")})\n`,
        );
        return 1;
      }
      if (plan.team && key.kind !== "team") {
        process.stderr.write(
          `${plan.name} é um plano de equipe: use team:slack:TEAM ou team:telegram:GRUPO\n`,
        );
        return 1;
      }
      const until = days === null ? null : new Date(clock.now().getTime() + days * 86_400_000);
      await store.setPlan(accountId, planId as PlanId, until);
    }
    const status = await store.getAccountStatus(
      accountId,
      clock.now(),
      key.kind === "user" ? key.identity.teamId : undefined,
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ userKey, ...status }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Usuário: ${userKey} (conta ${accountId})`,
      `Plano: ${status.plan.name} [${status.plan.id}] — ${STATUS_LABEL[status.subscriptionStatus] ?? status.subscriptionStatus}`,
      `Uso no mês: ${formatInt(status.used)} de ${formatInt(status.plan.searchesPerMonth)} (restam ${formatInt(status.remaining)})`,
      `Renova em: ${formatDate(status.resetsAt)}`,
    ];
    if (status.plan.trialDays !== null && status.trialEndsAt) {
      lines.push(`Fim do teste grátis: ${formatDate(status.trialEndsAt)}`);
    }
    if (status.periodEnd) lines.push(`Válido até: ${formatDate(status.periodEnd)}`);
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  } finally {
    await core.close();
  }
}
