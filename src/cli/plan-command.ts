import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { formatDate, formatInt } from "../core/format.ts";
import type { PlanId } from "../core/ports/store.ts";
import { createCore, createLogger } from "../main.ts";
import { parseAccountKey } from "./user-key.ts";

const USAGE =
  "uso: smart-pncp plan show <userKey|team:PLATAFORMA:ID> [--json] | smart-pncp plan set <userKey|team:PLATAFORMA:ID> <planId> [--days N]";

/** `smart-pncp plan show <userKey>` and `smart-pncp plan set <userKey> <planId> [--days N]` (admin). */
export async function planCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { days: { type: "string" }, json: { type: "boolean" } },
    allowPositionals: true,
  });
  const [action, userKey, planId] = positionals;
  if (!userKey || (action !== "show" && action !== "set") || (action === "set" && !planId)) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const logger = createLogger(env.LOG_LEVEL ?? "error");
  const core = await createCore(loadConfig(env), { logger });
  try {
    const { store, clock } = core.deps;
    const key = parseAccountKey(userKey);
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
      const days = values.days ? Number(values.days) : null;
      if (days !== null && (!Number.isInteger(days) || days <= 0)) {
        process.stderr.write("--days precisa ser um inteiro positivo\n");
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
      `Plano: ${status.plan.name} [${status.plan.id}] — ${status.subscriptionStatus}`,
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
