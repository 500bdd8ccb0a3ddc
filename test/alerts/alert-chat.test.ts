/**
 * `/alerta` and `/alertas` through the chat core built by the composition root (createCore, PGlite in
 * memory, the index holding the real fixture records): the confirmation says how the query was read and
 * how many bids of the last 7 days it would have matched; plan limits and instant delivery come from the
 * plans table, with the pt-BR refusal and upgrade button; a group's alerts belong to the group; list,
 * pause, resume, re-schedule and remove by number or by button.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import type { Reply, ReplySink } from "../../src/core/chat/reply.ts";
import { filterBids } from "../../src/core/filter/filter.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { type Core, createCore } from "../../src/main.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import { fixtureIndexedRecords } from "../index/index-fixtures.ts";

let pncp: FakePncp;
let core: Core;
let n = 0;

beforeAll(async () => {
  pncp = await startFakePncp({ now: FIXTURE_NOW });
  const config = loadConfig({ DATA_DIR: "memory://", PNCP_BASE_URL: pncp.url, UPGRADE_TOKEN_SECRET: "s" });
  core = await createCore(config, { clock: new FixedClock(FIXTURE_NOW), logger: silentLogger() });
  // The real records of the preview's week are enough (tagging every record costs seconds).
  const week = FIXTURE_NOW.getTime() - 8 * 86_400_000;
  const recent = fixtureIndexedRecords(FIXTURE_NOW).filter(
    (r) => Date.parse(r.bid.publishedAt ?? "") >= week,
  );
  await core.deps.index!.upsertBids(recent, FIXTURE_NOW);
}, 120_000);
afterAll(async () => {
  await core?.close();
  await pncp?.close();
});

function command(text: string, who: { userId: string; chatId?: string; group?: string }): IncomingCommand {
  n++;
  return {
    platform: "telegram",
    userKey: `telegram:${who.userId}`,
    userId: who.userId,
    teamId: who.group ?? null,
    displayName: null,
    chatId: who.group ?? who.chatId ?? who.userId,
    isPrivate: !who.group,
    text,
    messageId: `alert-${n}`,
    receivedAt: FIXTURE_NOW,
  };
}

async function send(text: string, who: Parameters<typeof command>[1]): Promise<Reply[]> {
  const replies: Reply[] = [];
  const sink: ReplySink = { send: async (reply) => void replies.push(reply) };
  await core.chat.handle(command(text, who), sink);
  return replies;
}

const textOf = (reply: Reply | undefined) => (reply && "text" in reply ? reply.text : "");
const commands = (reply: Reply | undefined) =>
  reply && "buttons" in reply
    ? (reply.buttons ?? []).flatMap((b) => ("command" in b ? [b.command] : []))
    : [];

describe("/alerta in chat", () => {
  it("saves a daily alert by default, with how it was read and the last 7 days' count", async () => {
    const who = { userId: "trial-1" };
    const [reply] = await send("/alerta SP 30d", who);
    const now = FIXTURE_NOW;
    const { query } = parseQuery("SP", { now });
    const indexed = await core.deps.index!.search(
      {
        ufs: ["SP"],
        modalidades: query.modalidades,
        from: query.from,
        to: query.to,
        openOnly: false,
        sector: null,
        terms: [],
        minValue: null,
        maxValue: null,
      },
      now,
    );
    const expected = filterBids(indexed, query, now).bids.length;
    expect(expected).toBeGreaterThan(0);
    expect(textOf(reply)).toContain("🔔 Alerta salvo (1 de 1): todas as licitações · SP");
    expect(textOf(reply)).not.toContain("/2026"); // the period is not part of an alert
    expect(textOf(reply)).toContain(`Nos últimos 7 dias, ${expected} licitações publicadas teriam chegado`);
    expect(textOf(reply)).toContain("Entrega: resumo diário às 08:00.");
    expect(commands(reply)).toEqual([
      expect.stringMatching(/^\/alerta instantaneo #\d+$/),
      expect.stringMatching(/^\/alerta diario #\d+ 18h$/),
    ]);

    // The trial has one alert: the next one is refused with the plan that allows more.
    const [refusal] = await send("/alerta obras", who);
    expect(refusal!.kind).toBe("upgrade");
    expect(textOf(refusal)).toContain("O plano Teste grátis permite 1 alerta, e você já tem 1.");
    expect(textOf(refusal)).toContain("O plano Consultor Ágil por R$ 297,00/mês permite 5 alertas");
    expect(refusal!.kind === "upgrade" && refusal!.buttons[0]!.url).toContain("/upgrade?token=");

    // Instant delivery is not in the trial: refused with the upgrade, the alert stays daily.
    const [instant] = await send(commands(reply)[0]!, who);
    expect(textOf(instant)).toContain("Alertas na hora não fazem parte do plano Teste grátis");
    expect(textOf(instant)).toContain("Máquina");
  });

  it("lists, pauses, resumes, re-schedules and removes", async () => {
    const who = { userId: "agil-1" };
    const account = await core.deps.store.resolveIdentity({
      platform: "telegram",
      userId: "agil-1",
      teamId: null,
      displayName: null,
    });
    await core.deps.store.setPlan(account, "consultor_agil", null);
    await send("/alerta uniformes SC", who);
    await send("/alerta setor:saude RJ acima de 100 mil diário 18h lembrete", who);
    const [list] = await send("/alertas", who);
    expect(textOf(list)).toContain("🔔 Alertas desta conversa (2 de 5):");
    expect(textOf(list)).toContain("1. “uniformes SC”: resumo diário às 08:00 · ativo");
    expect(textOf(list)).toContain(
      "2. “setor:saude RJ acima de 100 mil”: resumo diário às 18:00, com lembrete 2 dias antes do prazo · ativo",
    );
    const buttons = commands(list);
    expect(buttons).toHaveLength(4);
    const [paused] = await send(buttons[0]!, who);
    expect(textOf(paused)).toContain("🔕 Alerta “uniformes SC” pausado.");
    expect(textOf((await send("/alertas", who))[0])).toContain(
      "1. “uniformes SC”: resumo diário às 08:00 · pausado",
    );
    expect(textOf((await send("/alerta retomar 1", who))[0])).toContain("ativo de novo");
    expect(textOf((await send("/alerta diario 2 7h", who))[0])).toContain("resumo diário às 07:00");
    expect(textOf((await send("/alerta remover 1", who))[0])).toContain("🗑️ Alerta “uniformes SC” removido.");
    expect(textOf((await send("/alerta remover 9", who))[0])).toContain(
      "Use o número mostrado em /alertas (1 a 1)",
    );
    // Another chat's alert is out of reach, even by id.
    const other = await send(buttons[3]!, { userId: "someone-else" });
    expect(textOf(other[0])).toContain("Nenhum alerta nesta conversa");
  });

  it("in a group the alert belongs to the group and counts against the plan that applies there", async () => {
    const group = "-100555";
    const team = await core.deps.store.resolveTeam("telegram", group);
    await core.deps.store.setPlan(team, "sala_guerra", null);
    const [saved] = await send("/alerta informática instantâneo", { userId: "member-1", group });
    expect(textOf(saved)).toContain("(1 de 100)");
    expect(textOf(saved)).toContain("Este alerta é desta conversa e posta aqui.");
    expect(textOf(saved)).toContain("Entrega: na hora");
    expect(textOf((await send("/alertas", { userId: "member-2", group }))[0])).toContain(
      "“informática”: na hora",
    );
    expect(textOf((await send("/alertas", { userId: "member-1" }))[0])).toContain(
      "Nenhum alerta nesta conversa",
    );
    const [alert] = await core.alerts!.store.chatAlerts("telegram", group);
    expect(alert).toMatchObject({ accountId: team, scope: "channel", mode: "instant" });
  });

  it("answers usage for an empty /alerta", async () => {
    const [reply] = await send("/alerta", { userId: "x-1" });
    expect(textOf(reply)).toContain("Diga o que acompanhar depois de /alerta.");
  });
});
