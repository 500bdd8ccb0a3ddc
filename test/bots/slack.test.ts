import ExcelJS from "exceljs";
import { afterEach, describe, expect, it } from "vitest";
import { FILE_INVITE_HINT } from "../../src/bots/slack-sink.ts";
import {
  type FakePncp,
  type FixtureRecord,
  loadFixtureRecords,
  startFakePncp,
  syntheticRecords,
} from "../fakes/fake-pncp.ts";
import { FIXTURE_NOW } from "../helpers/test-app.ts";
import {
  createSlackDriverWith,
  dmEvent,
  eventBody,
  postSlack,
  SLACK,
  type SlackDriver,
  slashCommandBody,
} from "./slack-driver.ts";

/**
 * Slack end to end: signed requests into the real server (`createApp` → Bolt adapter → chat core →
 * job queue) against the loopback fake Slack Web API and the fake PNCP; replies and the uploaded .xlsx
 * are read back from what the fake recorded.
 */

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** Uniform purchases in SP, 7 a day (one per modalidade) over the 11 days before FIXTURE_NOW (cloned from real records). */
function uniformRecords(): FixtureRecord[] {
  const base = loadFixtureRecords().filter((r) => /uniforme/i.test(String(r.objetoCompra)));
  return syntheticRecords(
    { count: 77, ufs: ["SP"], modalidades: [4, 5, 6, 7, 8, 9, 12], from: "2026-09-10", to: "2026-09-20" },
    base,
  );
}

let driver: SlackDriver | undefined;
let pncp: FakePncp | undefined;

afterEach(async () => {
  await driver?.close();
  await pncp?.close();
  driver = undefined;
  pncp = undefined;
});

async function start(options: Parameters<typeof createSlackDriverWith>[0] = {}): Promise<SlackDriver> {
  pncp = await startFakePncp({ now: FIXTURE_NOW, records: uniformRecords() });
  driver = await createSlackDriverWith({ pncp, ...options });
  return driver;
}

function slash(
  d: SlackDriver,
  text: string,
  triggerId: string,
  extra: Partial<Parameters<typeof slashCommandBody>[0]> = {},
): string {
  const [command, ...rest] = text.split(" ");
  return slashCommandBody({
    command: command!,
    text: rest.join(" "),
    triggerId,
    responseUrl: d.fake.responseUrl(triggerId),
    ...extra,
  });
}

async function usage(d: SlackDriver, userId?: string): Promise<number> {
  const { store, clock } = d.testApp;
  const accountId = await store.resolveIdentity(d.identity(userId));
  return (await store.getAccountStatus(accountId, clock.now())).used;
}

async function sheetIds(data: Buffer): Promise<string[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet("Licitações");
  expect(sheet).toBeDefined();
  expect(sheet!.getRow(1).getCell(1).value).toBe("Código PNCP");
  const ids: string[] = [];
  sheet!.eachRow((row, n) => {
    const id = row.getCell(1).text;
    if (n > 1 && typeof id === "string" && /-1-\d{6}\/\d{4}$/.test(id)) ids.push(id);
  });
  return ids;
}

function countIn(text: string): number {
  const match = /(\d+) licitaç(?:ão|ões) encontradas?/.exec(text);
  expect(match, text).not.toBeNull();
  return Number(match![1]);
}

describe("Slack end to end", () => {
  it("/buscar uniformes SP 30d: 200 ack in the request, 'Buscando…' posted, edited into results, .xlsx uploaded to the channel", async () => {
    const d = await start();
    await d.testApp.setPlan("slack", SLACK.userId, SLACK.teamId, "maquina");

    const ack = await postSlack(d.testApp, slash(d, "/buscar uniformes SP 30d", "trig-e2e-1"), FORM);
    expect(ack).toEqual({ status: 200, text: "" });
    await d.testApp.drain();

    const shown = d.fake.messages;
    expect(shown[0]).toMatchObject({ via: "chat.postMessage", channel: SLACK.channelId });
    expect(shown[0]!.text).toMatch(/^🔎 Buscando…/);
    const edits = shown.slice(1);
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.every((m) => m.via === "chat.update" && m.ts === shown[0]!.ts)).toBe(true);
    const final = d.messages().at(-1)!;
    const count = countIn(final.text);
    expect(count).toBeGreaterThan(0);
    expect(final.buttons.some((b) => b.url.startsWith("https://pncp.gov.br/"))).toBe(true);

    const uploads = d.fake.completedUploads();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ channelId: SLACK.channelId });
    expect(uploads[0]!.filename).toMatch(/^licitacoes-.*\.xlsx$/);
    expect(uploads[0]!.initialComment).toContain("Planilha");
    const ids = await sheetIds(uploads[0]!.data);
    expect(ids.length).toBe(count);
    const served = new Set(uniformRecords().map((r) => r.numeroControlePNCP));
    for (const id of ids) expect(served.has(id)).toBe(true);
    expect(await usage(d)).toBe(1);
  });

  it("an app_mention in a channel (free trial, 7 days) searches and answers in a thread under the mention", async () => {
    const d = await start();
    const mention = {
      type: "app_mention",
      channel: SLACK.channelId,
      user: SLACK.userId,
      text: `<@${SLACK.botUserId}> uniformes SP 7d`,
      ts: "1790000000.000200",
    };
    const res = await postSlack(d.testApp, eventBody("Ev0MENTION01", mention), JSON_TYPE);
    expect(res.status).toBe(200);
    await d.testApp.drain();
    const post = d.fake.callsOf("chat.postMessage")[0]!;
    expect(post.params).toMatchObject({ channel: SLACK.channelId, thread_ts: "1790000000.000200" });
    expect(String(post.params.text)).toMatch(/^🔎 Buscando…/);
    expect(countIn(d.messages().at(-1)!.text)).toBeGreaterThan(0);
    expect(await usage(d)).toBe(1);
  });

  it("a DM in plain text is a search, answered in the DM", async () => {
    const d = await start();
    const res = await postSlack(d.testApp, eventBody("Ev0DM0000001", dmEvent("uniformes SP 7d")), JSON_TYPE);
    expect(res.status).toBe(200);
    await d.testApp.drain();
    expect(d.fake.callsOf("chat.postMessage")[0]!.params.channel).toBe(SLACK.dmChannelId);
    expect(countIn(d.messages().at(-1)!.text)).toBeGreaterThan(0);
  });

  it("answers Slack's url_verification challenge", async () => {
    const d = await start();
    const res = await postSlack(
      d.testApp,
      JSON.stringify({ token: "t", challenge: "abc123", type: "url_verification" }),
      JSON_TYPE,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ challenge: "abc123" });
  });

  it("a bad signature gets 401 and nothing is searched, charged or sent", async () => {
    const d = await start();
    const res = await postSlack(d.testApp, slash(d, "/buscar uniformes SP 30d", "trig-bad"), FORM, {
      badSignature: true,
    });
    expect(res.status).toBe(401);
    await d.testApp.drain();
    expect(d.fake.calls).toEqual([]);
    expect(d.fake.responses).toEqual([]);
    expect(d.testApp.pncp.requests).toEqual([]);
    expect(await usage(d)).toBe(0);
  });

  it("a Slack retry (X-Slack-Retry-Num, same event_id) is acked and searched once", async () => {
    const d = await start();
    const body = eventBody("Ev0RETRY0001", dmEvent("uniformes SP 7d"));
    expect((await postSlack(d.testApp, body, JSON_TYPE)).status).toBe(200);
    const retry = await postSlack(d.testApp, body, JSON_TYPE, {
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    expect(retry.status).toBe(200);
    await d.testApp.drain();
    expect(d.messages().filter((m) => m.text.includes("Buscando"))).toHaveLength(1);
    expect(await usage(d)).toBe(1);
  });

  it("bot not in the channel: the user is told how to invite it and gets the file by DM", async () => {
    const d = await start();
    await d.testApp.setPlan("slack", SLACK.userId, SLACK.teamId, "maquina");
    d.fake.fail("files.completeUploadExternal", "not_in_channel", {
      when: (p) => p.channel_id === SLACK.channelId,
    });
    expect(
      (await postSlack(d.testApp, slash(d, "/buscar uniformes SP 30d", "trig-invite"), FORM)).status,
    ).toBe(200);
    await d.testApp.drain();
    const hint = d.fake.responses.find((r) => String(r.body.text).includes("/invite @Smart PNCP"));
    expect(hint?.body).toMatchObject({ response_type: "ephemeral", text: FILE_INVITE_HINT });
    const uploads = d.fake.completedUploads();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.channelId).toBe(`D${SLACK.userId.slice(1)}`);
    expect((await sheetIds(uploads[0]!.data)).length).toBeGreaterThan(0);
  });

  it("a URL button click is acked with 200 and answered with no message", async () => {
    const d = await start();
    const payload = {
      type: "block_actions",
      team: { id: SLACK.teamId, domain: "equipe-teste" },
      user: { id: SLACK.userId, team_id: SLACK.teamId },
      api_app_id: "A0FAKE",
      trigger_id: "trig-action",
      channel: { id: SLACK.channelId },
      container: { type: "message", message_ts: "1790000000.000300", channel_id: SLACK.channelId },
      response_url: d.fake.responseUrl("action"),
      actions: [
        {
          type: "button",
          action_id: "open_bid_0",
          block_id: "b",
          url: "https://pncp.gov.br/app/editais/1",
          action_ts: "1790000001.0",
        },
      ],
    };
    const res = await postSlack(
      d.testApp,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      FORM,
    );
    expect(res).toEqual({ status: 200, text: "" });
    await d.testApp.drain();
    expect(d.fake.messages).toEqual([]);
    expect(d.testApp.pncp.requests).toEqual([]);
  });

  it("a workspace on Sala de Guerra covers a member who never used the bot: Excel included, charged to the team", async () => {
    const d = await start();
    await d.testApp.setPlan("slack", null, SLACK.teamId, "sala_guerra");
    const colleague = "U0COLLEAGUE";
    expect(
      (
        await postSlack(
          d.testApp,
          slash(d, "/buscar uniformes SP 30d", "trig-team", { userId: colleague }),
          FORM,
        )
      ).status,
    ).toBe(200);
    await d.testApp.drain();
    expect(d.fake.completedUploads()).toHaveLength(1);
    const teamAccount = await d.testApp.store.resolveTeam!("slack", SLACK.teamId);
    expect((await d.testApp.store.getAccountStatus(teamAccount, d.testApp.clock.now())).used).toBe(1);
  });
});

describe("Slack OAuth end to end", () => {
  const OAUTH = {
    clientId: "111.222",
    clientSecret: "oauth-client-secret",
    stateSecret: "oauth-state-secret",
    teamId: "T0INSTALL1",
    botToken: "xoxb-installed-workspace",
  };

  it("install → Slack authorize with state → callback exchanges the code and stores the installation → that team's events use its token", async () => {
    const d = await start({
      env: {
        SLACK_CLIENT_ID: OAUTH.clientId,
        SLACK_CLIENT_SECRET: OAUTH.clientSecret,
        SLACK_STATE_SECRET: OAUTH.stateSecret,
      },
      fake: { oauth: OAUTH },
    });
    const install = await fetch(`${d.testApp.baseUrl}/slack/install`, { redirect: "manual" });
    expect(install.status).toBe(302);
    const location = new URL(install.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe("https://slack.com/oauth/v2/authorize");
    expect(location.searchParams.get("client_id")).toBe(OAUTH.clientId);
    const state = location.searchParams.get("state")!;
    expect(state).toBeTruthy();
    const cookie = install.headers.get("set-cookie")!.split(";")[0]!;

    const callback = await fetch(
      `${d.testApp.baseUrl}/slack/oauth_redirect?code=good-code&state=${encodeURIComponent(state)}`,
      {
        headers: { cookie },
      },
    );
    expect(callback.status).toBe(200);
    expect(d.fake.callsOf("oauth.v2.access")[0]!.params).toMatchObject({
      code: "good-code",
      client_id: OAUTH.clientId,
    });
    const stored = (await d.testApp.store.getInstallation(`team:${OAUTH.teamId}`)) as {
      bot?: { token: string };
    } | null;
    expect(stored?.bot?.token).toBe(OAUTH.botToken);

    const body = slash(d, "/ajuda", "trig-oauth", { teamId: OAUTH.teamId });
    expect((await postSlack(d.testApp, body, FORM)).status).toBe(200);
    const mention = {
      type: "app_mention",
      channel: "C0OTHER01",
      user: "U0OTHER01",
      text: "<@UBOT> uniformes SP 7d",
      ts: "1790000000.000900",
    };
    expect(
      (await postSlack(d.testApp, eventBody("Ev0OAUTH001", mention, OAUTH.teamId), JSON_TYPE)).status,
    ).toBe(200);
    await d.testApp.drain();
    const posts = d.fake.callsOf("chat.postMessage");
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((c) => c.token === OAUTH.botToken)).toBe(true);
    expect(d.fake.responses.some((r) => String(r.body.text).length > 0)).toBe(true);
  });
});
