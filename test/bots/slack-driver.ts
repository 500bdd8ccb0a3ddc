import { signSlackRequest } from "../../src/bots/slack-verify.ts";
import type { FakePncp } from "../fakes/fake-pncp.ts";
import {
  type FakeSlack,
  type FakeSlackMessage,
  type FakeSlackOptions,
  startFakeSlack,
} from "../fakes/fake-slack.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import type { ContractDriver, DriverFactory, SentMessage, UploadedFile } from "./contract-driver.ts";

/**
 * Drives the real Slack adapter (Bolt) through signed `POST /slack/events` requests against the loopback
 * fake Web API, for the shared contract suite and test/bots/slack.test.ts. Commands (`/buscar …`) go
 * as slash-command payloads (`trigger_id` = delivery id); plain text as a DM `message.im` event
 * (`event_id` = delivery id).
 */

export const SLACK = {
  signingSecret: "test-slack-signing-secret",
  botToken: "xoxb-test-bot-token",
  teamId: "T0TEAM001",
  userId: "U0USER001",
  userName: "maria.compras",
  channelId: "C0CHAN001",
  dmChannelId: "D0USER001",
  botId: "B0BOT0001",
  botUserId: "U0BOT0001",
} as const;

/** Env turning the Slack adapter on (single-workspace bot token) against `fake`. */
export function slackEnv(fake: FakeSlack, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_SIGNING_SECRET: SLACK.signingSecret,
    SLACK_BOT_TOKEN: SLACK.botToken,
    SLACK_API_URL: fake.apiUrl,
    ...extra,
  };
}

export interface SignedPostOptions {
  /** Unix seconds for X-Slack-Request-Timestamp; defaults to the app clock. */
  timestamp?: number;
  badSignature?: boolean;
  headers?: Record<string, string>;
  signingSecret?: string;
}

/** POSTs a body to `/slack/events` signed with v0 like Slack does. Returns status and body text. */
export async function postSlack(
  testApp: TestApp,
  body: string,
  contentType: "application/x-www-form-urlencoded" | "application/json",
  options: SignedPostOptions = {},
): Promise<{ status: number; text: string }> {
  const timestamp = options.timestamp ?? Math.floor(testApp.clock.now().getTime() / 1000);
  const secret = options.badSignature
    ? "not-the-signing-secret"
    : (options.signingSecret ?? SLACK.signingSecret);
  const response = await fetch(`${testApp.baseUrl}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}

export interface SlashCommandSpec {
  command: string;
  text: string;
  triggerId: string;
  userId?: string;
  teamId?: string;
  channelId?: string;
  channelName?: string;
  responseUrl: string;
}

/** A form-encoded slash-command payload, as Slack sends it. */
export function slashCommandBody(spec: SlashCommandSpec): string {
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: spec.teamId ?? SLACK.teamId,
    team_domain: "equipe-teste",
    channel_id: spec.channelId ?? SLACK.channelId,
    channel_name: spec.channelName ?? "licitacoes",
    user_id: spec.userId ?? SLACK.userId,
    user_name: SLACK.userName,
    command: spec.command,
    text: spec.text,
    api_app_id: "A0FAKE",
    is_enterprise_install: "false",
    response_url: spec.responseUrl,
    trigger_id: spec.triggerId,
  }).toString();
}

/** An Events API envelope (JSON). */
export function eventBody(
  eventId: string,
  event: Record<string, unknown>,
  teamId: string = SLACK.teamId,
): string {
  return JSON.stringify({
    token: "deprecated-verification-token",
    team_id: teamId,
    api_app_id: "A0FAKE",
    event: { event_ts: String(event.ts ?? "1790000000.000100"), ...event },
    type: "event_callback",
    event_id: eventId,
    event_time: 1790000000,
    authorizations: [
      { team_id: teamId, user_id: SLACK.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  });
}

/** A DM to the bot (`message.im`). */
export function dmEvent(
  text: string,
  userId: string = SLACK.userId,
  ts = "1790000000.000100",
): Record<string, unknown> {
  return { type: "message", channel: SLACK.dmChannelId, channel_type: "im", user: userId, text, ts };
}

function unescapeMrkdwn(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]*)>/g, "$2 ($1)")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

interface BlockLike {
  type?: string;
  text?: { text?: string };
  elements?: { type?: string; text?: string | { text?: string }; url?: string }[];
  accessory?: { type?: string; text?: { text?: string }; url?: string };
}

/** How a recorded message looks to the user: its blocks flattened to text (or its text), and URL buttons. */
export function toSentMessage(message: FakeSlackMessage): SentMessage {
  const blocks = message.blocks as BlockLike[];
  if (blocks.length === 0) return { text: message.text, buttons: [] };
  const lines: string[] = [];
  const buttons: SentMessage["buttons"] = [];
  for (const block of blocks) {
    if (block.text?.text) lines.push(unescapeMrkdwn(block.text.text));
    for (const element of block.elements ?? []) {
      if (element.type === "button" && element.url && typeof element.text === "object") {
        buttons.push({ label: element.text.text ?? "", url: element.url });
      } else if (typeof element.text === "string") {
        lines.push(unescapeMrkdwn(element.text));
      }
    }
    if (block.accessory?.type === "button" && block.accessory.url) {
      buttons.push({ label: block.accessory.text?.text ?? "", url: block.accessory.url });
    }
  }
  return { text: lines.join("\n"), buttons };
}

/** Files the user received: uploads Slack completed into a conversation. */
export function sentFiles(fake: FakeSlack): UploadedFile[] {
  return fake.completedUploads().map((u) => ({ filename: u.filename, data: u.data }));
}

/** The Slack driver plus the pieces Slack-only tests need. */
export interface SlackDriver extends ContractDriver {
  readonly fake: FakeSlack;
}

/** Starts a fake Slack and a test app with the Slack adapter pointing at it. */
export async function createSlackDriverWith(
  options: { pncp?: FakePncp; now?: Date; env?: Record<string, string>; fake?: FakeSlackOptions } = {},
): Promise<SlackDriver> {
  const fake = await startFakeSlack({ tokens: [SLACK.botToken], ...options.fake });
  const testApp = await createTestApp({
    now: options.now,
    pncp: options.pncp,
    env: slackEnv(fake, options.env),
  });
  return {
    platform: "slack",
    testApp,
    fake,
    identity(userId = SLACK.userId) {
      return { platform: "slack", userId, teamId: SLACK.teamId, displayName: null };
    },
    async deliver(text, { deliveryId, userId = SLACK.userId, badSignature }) {
      const command = /^(\/\S+)\s*([\s\S]*)$/.exec(text.trim());
      if (command) {
        const body = slashCommandBody({
          command: command[1]!,
          text: command[2]!,
          triggerId: deliveryId,
          userId,
          responseUrl: fake.responseUrl(deliveryId),
        });
        return (await postSlack(testApp, body, "application/x-www-form-urlencoded", { badSignature })).status;
      }
      return (
        await postSlack(testApp, eventBody(deliveryId, dmEvent(text, userId)), "application/json", {
          badSignature,
        })
      ).status;
    },
    messages: () => fake.messages.map(toSentMessage),
    files: () => sentFiles(fake),
    async deliverOwnMessage(text, deliveryId) {
      const event = {
        type: "message",
        subtype: "bot_message",
        bot_id: SLACK.botId,
        channel: SLACK.dmChannelId,
        channel_type: "im",
        text,
        ts: "1790000001.000100",
      };
      return (await postSlack(testApp, eventBody(deliveryId, event), "application/json")).status;
    },
    async close() {
      await testApp.close();
      await fake.close();
    },
  };
}

/** The contract-suite driver (test/bots/adapter-contract.test.ts). */
export const createSlackDriver: DriverFactory = (options = {}) => createSlackDriverWith(options);
