import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingCommand } from "../../src/core/chat/incoming-command.ts";
import { buttonReplyWebhook, textWebhook } from "../fakes/fake-whatsapp.ts";
import {
  type SlackHarness,
  startSlackHarness,
  startTelegramHarness,
  startWhatsAppHarness,
  type TelegramHarness,
  type WhatsAppHarness,
} from "./adapter-harness.ts";
import { dmEvent, eventBody, SLACK, slashCommandBody } from "./slack-driver.ts";

/**
 * Signed but malformed payloads, on every adapter: correctly signed bodies whose content is broken (a
 * slash command without channel_id, a block_actions without actions, a Telegram `text` that is a number,
 * a WhatsApp `text.body` that is an object, 100k nested arrays…) are answered 2xx/4xx, never 5xx, never
 * crash the process or leave an unhandled rejection (vitest fails the run on one), and no command reaches
 * the core unless it is well-formed. Property tests mutate real payload templates with arbitrary JSON.
 */

const RUNS = 150;
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** The shape every adapter must hand the core. */
function wellFormed(cmd: IncomingCommand, platform: string): boolean {
  const nonEmpty = (v: unknown) => typeof v === "string" && v.length > 0;
  return (
    cmd.platform === platform &&
    nonEmpty(cmd.text) &&
    nonEmpty(cmd.chatId) &&
    nonEmpty(cmd.messageId) &&
    nonEmpty(cmd.userId) &&
    typeof cmd.userKey === "string" &&
    cmd.userKey.startsWith(`${platform}:`) &&
    !/undefined|null|\[object/.test(cmd.userKey) &&
    (cmd.teamId === null || cmd.teamId === undefined || nonEmpty(cmd.teamId)) &&
    typeof cmd.isPrivate === "boolean" &&
    cmd.receivedAt instanceof Date &&
    !Number.isNaN(cmd.receivedAt.getTime())
  );
}

function deepArrays(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

/** Every path (keys from the root) of a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

/** Odd values a platform bug or a forger might put anywhere. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, "", 0, -1, 1.5, 1e308, true, [], {}, "__proto__", "constructor", [[[]]], { text: 1 }),
  fc.integer({ min: 65, max: 400 }).map((d) => JSON.parse(deepArrays(d)) as unknown),
);

interface Mutation {
  path: number;
  op: "replace" | "delete";
  value: unknown;
}

const mutations = fc.array(
  fc.record({
    path: fc.nat(),
    op: fc.constantFrom<"replace" | "delete">("replace", "delete"),
    value: oddValue,
  }),
  { minLength: 1, maxLength: 4 },
);

/** Applies mutations to a copy of `template` (a path index is taken modulo the number of paths). */
function mutate(template: unknown, list: Mutation[]): unknown {
  let root = structuredClone(template) as unknown;
  for (const m of list) {
    const paths = pathsOf(root);
    const path = paths[m.path % paths.length]!;
    if (path.length === 0) {
      root = m.op === "replace" ? structuredClone(m.value) : {};
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (m.op === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = structuredClone(m.value); // a copy: shared constants must never be mutated
  }
  return root;
}

function expectAnswered(status: number): void {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
}

describe("Slack: signed, malformed", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness({ quiet: true });
  });
  afterAll(async () => {
    await h.close();
  });
  const check = async () => {
    await h.idle();
    for (const cmd of h.commands) expect(wellFormed(cmd, "slack"), JSON.stringify(cmd)).toBe(true);
  };

  const slash = (drop: string[]) => {
    const form = new URLSearchParams(
      slashCommandBody({
        command: "/buscar",
        text: "uniformes",
        triggerId: "t1",
        responseUrl: "http://127.0.0.1:1/r",
      }),
    );
    for (const key of drop) form.delete(key);
    return form.toString();
  };

  it("drops a slash command without channel_id or user_id, and a block_actions without actions", async () => {
    for (const body of [slash(["channel_id"]), slash(["user_id"]), slash(["team_id"]), slash(["command"])]) {
      expectAnswered((await h.post(body, FORM)).status);
    }
    const noActions = { type: "block_actions", user: { id: SLACK.userId }, team: { id: SLACK.teamId } };
    expectAnswered(
      (await h.post(new URLSearchParams({ payload: JSON.stringify(noActions) }).toString(), FORM)).status,
    );
    const emptyActions = { ...noActions, actions: [] };
    expectAnswered(
      (await h.post(new URLSearchParams({ payload: JSON.stringify(emptyActions) }).toString(), FORM)).status,
    );
    const eventNumber = { type: "event_callback", event: 5, event_id: "Ev1" };
    expectAnswered((await h.post(JSON.stringify(eventNumber), JSON_TYPE)).status);
    const eventNull = { type: "event_callback", event: null, event_id: "Ev2" };
    expectAnswered((await h.post(JSON.stringify(eventNull), JSON_TYPE)).status);
    // Bolt keys its per-team clients by these ids in a plain object: `constructor` crashed it (found by the
    // property below with a random seed).
    for (const key of ["constructor", "__proto__", "toString"]) {
      const event = JSON.parse(eventBody(`EvK${key}`, dmEvent("uniformes SP"))) as Record<string, unknown>;
      event.authorizations = [{ team_id: key, user_id: "U0BOT0001", is_bot: true }];
      expectAnswered((await h.post(JSON.stringify(event), JSON_TYPE)).status);
      const form = new URLSearchParams(Object.fromEntries(new URLSearchParams(slash([]))));
      form.set("team_id", key);
      expectAnswered((await h.post(form.toString(), FORM)).status);
    }
    await h.idle();
    expect(h.commands.filter((c) => c.messageId === "t1")).toEqual([]);
  });

  it("answers 400 to 100k nested arrays, as JSON and inside payload=", async () => {
    expect((await h.post(deepArrays(100_000), JSON_TYPE)).status).toBe(400);
    expect(
      (await h.post(new URLSearchParams({ payload: deepArrays(100_000) }).toString(), FORM)).status,
    ).toBe(400);
    expect((await h.post(`{"type":"event_callback","event":${deepArrays(100_000)}}`, JSON_TYPE)).status).toBe(
      400,
    );
  });

  it("property: mutated events, interactions and slash commands never get a 5xx or a bad command", async () => {
    const event = JSON.parse(eventBody("EvP", dmEvent("uniformes SP"))) as unknown;
    const action = JSON.parse(
      JSON.stringify({
        type: "block_actions",
        user: { id: SLACK.userId, team_id: SLACK.teamId },
        team: { id: SLACK.teamId },
        channel: { id: SLACK.dmChannelId },
        container: { channel_id: SLACK.dmChannelId },
        trigger_id: "trig",
        actions: [{ type: "button", action_id: "cmd_0", value: "c:/buscar x", action_ts: "1.2" }],
      }),
    ) as unknown;
    const slashFields = Object.fromEntries(new URLSearchParams(slash([])));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("event", "action", "slash", "raw"),
        mutations,
        fc.dictionary(
          fc.constantFrom(...Object.keys(slashFields), "x"),
          fc.option(fc.string(), { nil: undefined }),
        ),
        fc.string(),
        fc.boolean(),
        async (kind, list, formEdits, raw, asForm) => {
          let res: { status: number };
          if (kind === "event") res = await h.post(JSON.stringify(mutate(event, list)), JSON_TYPE);
          else if (kind === "action")
            res = await h.post(
              new URLSearchParams({ payload: JSON.stringify(mutate(action, list)) }).toString(),
              FORM,
            );
          else if (kind === "slash") {
            const form = new URLSearchParams(slashFields);
            for (const [k, v] of Object.entries(formEdits)) v === undefined ? form.delete(k) : form.set(k, v);
            res = await h.post(form.toString(), FORM);
          } else res = await h.post(raw, asForm ? FORM : JSON_TYPE);
          expectAnswered(res.status);
        },
      ),
      { numRuns: RUNS },
    );
    await check();
  });
});

describe("Telegram: signed, malformed", () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness({ quiet: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it("drops a text that is a number or an array, a missing or odd from, and a null message", async () => {
    const base = h.fake.textUpdate({ updateId: 1, text: "/buscar uniformes" });
    const variants = [
      { ...base, message: { ...base.message, text: 42 } },
      { ...base, update_id: 2, message: { ...base.message, text: ["/buscar", "x"] } },
      { ...base, update_id: 3, message: { ...base.message, from: undefined } },
      { ...base, update_id: 4, message: { ...base.message, from: "ana" } },
      { ...base, update_id: 5, message: { ...base.message, chat: null } },
      { ...base, update_id: 6, message: null },
      { ...base, update_id: 7, message: { ...base.message, text: "" } },
      { update_id: 8, callback_query: { id: "q", data: 5 } },
      { update_id: 9, callback_query: { id: "q", from: { id: 1 }, data: "c:/ajuda", message: 3 } },
    ];
    for (const v of variants) expectAnswered((await h.post(JSON.stringify(v))).status);
    await h.idle();
    // Update 3 (no from) is well-formed Telegram (channel posts have none) and is ignored, not a command.
    expect(h.commands).toEqual([]);
  });

  it("answers 400 to 100k nested arrays", async () => {
    expect((await h.post(deepArrays(100_000))).status).toBe(400);
    expect((await h.post(`{"update_id":1,"message":${deepArrays(100_000)}}`)).status).toBe(400);
  });

  it("property: mutated updates never get a 5xx or a bad command", async () => {
    const text = h.fake.textUpdate({ updateId: 100, text: "/buscar uniformes SP", chatType: "supergroup" });
    const callback = h.fake.callbackUpdate({ updateId: 101, data: "c:/buscar x", messageId: 5 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(text, callback), mutations, async (template, list) => {
        expectAnswered((await h.post(JSON.stringify(mutate(template, list)))).status);
      }),
      { numRuns: RUNS },
    );
    await h.idle();
    for (const cmd of h.commands) expect(wellFormed(cmd, "telegram"), JSON.stringify(cmd)).toBe(true);
  });
});

describe("WhatsApp: signed, malformed", () => {
  let h: WhatsAppHarness;
  beforeAll(async () => {
    h = await startWhatsAppHarness({ quiet: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it("drops a text.body that is an object, an empty body and an empty sender", async () => {
    const base = textWebhook("wamid.M1", "uniformes") as {
      entry: { changes: { value: { messages: object[] } }[] }[];
    };
    const withMessage = (message: object) => {
      const copy = structuredClone(base);
      copy.entry[0]!.changes[0]!.value.messages = [
        { ...base.entry[0]!.changes[0]!.value.messages[0], ...message },
      ];
      return copy;
    };
    for (const body of [
      withMessage({ text: { body: { evil: true } } }),
      withMessage({ text: { body: "" } }),
      withMessage({ text: "uniformes" }),
      withMessage({ from: "" }),
      withMessage({ id: 7 }),
      { object: "whatsapp_business_account", entry: "x" },
    ]) {
      expectAnswered((await h.post(JSON.stringify(body))).status);
    }
    await h.idle();
    for (const cmd of h.commands) expect(wellFormed(cmd, "whatsapp"), JSON.stringify(cmd)).toBe(true);
    expect(h.commands.map((c) => c.text).filter((t) => t !== "uniformes")).toEqual([]);
  });

  it("answers 400 to 100k nested arrays", async () => {
    expect((await h.post(deepArrays(100_000))).status).toBe(400);
  });

  it("property: mutated webhooks never get a 5xx or a bad command", async () => {
    const text = textWebhook("wamid.P1", "uniformes SP");
    const tap = buttonReplyWebhook("wamid.P2", { id: "c:/buscar x", title: "🔎 Buscar" });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(text, tap), mutations, async (template, list) => {
        expectAnswered((await h.post(JSON.stringify(mutate(template, list)))).status);
      }),
      { numRuns: RUNS },
    );
    await h.idle();
    for (const cmd of h.commands) expect(wellFormed(cmd, "whatsapp"), JSON.stringify(cmd)).toBe(true);
  });
});
