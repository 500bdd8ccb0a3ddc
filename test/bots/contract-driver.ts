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
  /** Delivers a user message/command like the platform would (signed HTTP request or update). Returns the HTTP status the platform got. */
  deliver(text: string, options: DeliverOptions): Promise<number>;
  /** Everything the bot sent to the fake platform so far, in order (messages and edits as separate entries). */
  messages(): SentMessage[];
  files(): UploadedFile[];
  /** Delivers a message authored by the bot itself (must be ignored); drivers without the concept may return null. */
  deliverOwnMessage?(text: string, deliveryId: string): Promise<number>;
  close(): Promise<void>;
}
