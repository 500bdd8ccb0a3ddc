import type { IdentityInput } from "../../src/core/ports/store.ts";
import type { FakePncp } from "../fakes/fake-pncp.ts";
import type { TestApp } from "../helpers/test-app.ts";

/**
 * What each platform's test driver provides so ONE contract suite (test/bots/adapter-contract.test.ts)
 * can run against Slack, Telegram and WhatsApp alike. A driver starts the real adapter (real SDK) against
 * its loopback fake platform API and the shared test app (test/helpers/test-app.ts).
 */
export interface SentMessage {
  /** Text as the platform would show it (blocks/HTML flattened to text is fine). */
  text: string;
  /** URL buttons attached to the message. */
  buttons: { label: string; url: string }[];
  /** Command buttons (Slack/Telegram callback, WhatsApp reply buttons), as label and command payload. */
  commands?: { label: string; command: string }[];
}

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export interface DeliverOptions {
  /** Platform delivery id (event_id / update_id / wamid); same id twice = a duplicate delivery. */
  deliveryId: string;
  /** Platform user id; defaults to one fixed user. */
  userId?: string;
  /** Send with a wrong signature/secret. */
  badSignature?: boolean;
}

export interface ContractDriver {
  readonly platform: "slack" | "telegram" | "whatsapp";
  /** The running app (server, store, fake PNCP, clock) the driver talks to. */
  readonly testApp: TestApp;
  /** The identity the core sees for `userId` (default user when omitted), to check usage in the store. */
  identity(userId?: string): IdentityInput;
  /** Delivers a user message/command like the platform would (signed HTTP request or update). Returns the HTTP status the platform got. */
  deliver(text: string, options: DeliverOptions): Promise<number>;
  /** Everything the bot sent to the fake platform so far, in order (messages and edits as separate entries). */
  messages(): SentMessage[];
  files(): UploadedFile[];
  /**
   * Delivers something the bot must ignore: a message authored by the bot itself (Slack `bot_id`,
   * Telegram `from.is_bot`), or for WhatsApp a status callback about the bot's own message.
   */
  deliverOwnMessage(text: string, deliveryId: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Each test/bots/<platform>-driver.ts exports a factory of this type (`createSlackDriver`,
 * `createTelegramDriver`, `createWhatsAppDriver`) that starts its fake platform API and a test app
 * (`createTestApp` with the platform's env pointing at the fake, sharing `pncp` when given).
 */
export type DriverFactory = (options?: { pncp?: FakePncp; now?: Date }) => Promise<ContractDriver>;
