import type { WhatsAppAdapter } from "../../src/bots/whatsapp.ts";
import { signatureFor } from "../../src/bots/whatsapp-verify.ts";
import {
  type FakeWhatsApp,
  type FakeWhatsAppMessage,
  type SenderSpec,
  startFakeWhatsApp,
  statusWebhook,
  textWebhook,
  WA,
} from "../fakes/fake-whatsapp.ts";
import { createTestApp, type TestApp } from "../helpers/test-app.ts";
import type { ContractDriver, DriverFactory, SentMessage, UploadedFile } from "./contract-driver.ts";

export { messageWebhook, type SenderSpec, statusWebhook, textWebhook, WA } from "../fakes/fake-whatsapp.ts";

/**
 * Drives the real WhatsApp adapter through signed `POST /whatsapp/webhook` requests against the loopback
 * fake Graph API, for the shared contract suite and test/bots/whatsapp.test.ts.
 */

/** Env turning the WhatsApp adapter on against `graph`; pacing small so tests stay fast. */
export function whatsappEnv(graph: FakeWhatsApp, minIntervalMs = 40): Record<string, string> {
  return {
    WHATSAPP_TOKEN: WA.token,
    WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId,
    WHATSAPP_APP_SECRET: WA.appSecret,
    WHATSAPP_VERIFY_TOKEN: WA.verifyToken,
    WHATSAPP_GRAPH_URL: graph.url,
    WHATSAPP_API_VERSION: WA.apiVersion,
    WHATSAPP_MIN_INTERVAL_MS: String(minIntervalMs),
  };
}

/** POSTs `body` to the webhook, signed with the app secret (or with a wrong one). Returns the status. */
export async function postWebhook(
  baseUrl: string,
  body: unknown,
  options: { badSignature?: boolean; signature?: string | null } = {},
): Promise<number> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature =
    options.signature !== undefined
      ? options.signature
      : signatureFor(raw, options.badSignature ? "wrong-secret" : WA.appSecret);
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(`${baseUrl}/whatsapp/webhook`, { method: "POST", headers, body: raw });
  await response.arrayBuffer();
  return response.status;
}

/** How a recorded Graph message looks to the user: its text, caption or interactive body, and its URL button. */
export function toSentMessage(message: FakeWhatsAppMessage): SentMessage {
  const { body } = message;
  switch (message.type) {
    case "text":
      return { text: body.text.body, buttons: [] };
    case "document":
      return { text: body.document.caption ?? "", buttons: [] };
    case "interactive": {
      // A CTA URL message (one link button) or a reply-buttons message (commands the user can tap).
      if (body.interactive.type === "button") {
        const replies = body.interactive.action.buttons as { reply: { id: string; title: string } }[];
        return {
          text: body.interactive.body.text,
          buttons: [],
          commands: replies.map((b) => ({ label: b.reply.title, command: b.reply.id })),
        };
      }
      const p = body.interactive.action.parameters;
      return { text: body.interactive.body.text, buttons: [{ label: p.display_text, url: p.url }] };
    }
    default:
      return { text: "", buttons: [] };
  }
}

/** Files the user received: uploads that a document message then referenced. */
export function sentFiles(graph: FakeWhatsApp): UploadedFile[] {
  const byId = new Map(graph.media.map((m) => [m.id, m]));
  return graph.messages
    .filter((m) => m.type === "document" && byId.has(m.body.document.id))
    .map((m) => {
      const media = byId.get(m.body.document.id)!;
      return { filename: m.body.document.filename ?? media.filename, data: media.data };
    });
}

/** The WhatsApp adapter mounted in a test app. */
export function whatsappAdapterOf(testApp: TestApp): WhatsAppAdapter {
  const adapter = testApp.app.adapters.find((a) => a.name === "whatsapp");
  if (!adapter) throw new Error("WhatsApp adapter is not running: check the WHATSAPP_* env");
  return adapter as WhatsAppAdapter;
}

/** The contract-suite driver (test/bots/adapter-contract.test.ts). */
export const createWhatsAppDriver: DriverFactory = async (options = {}) => {
  const graph = await startFakeWhatsApp({ token: WA.token, phoneNumberId: WA.phoneNumberId });
  const testApp = await createTestApp({ now: options.now, pncp: options.pncp, env: whatsappEnv(graph) });
  let seq = 0;
  const driver: ContractDriver = {
    platform: "whatsapp",
    testApp,
    identity(userId = WA.userId) {
      return { platform: "whatsapp", userId, teamId: null, displayName: null };
    },
    deliver(text, { deliveryId, userId = WA.userId, badSignature }) {
      const sender: SenderSpec = userId.includes(".") ? { userId } : { phone: userId };
      return postWebhook(testApp.baseUrl, textWebhook(`wamid.${deliveryId}`, text, sender), { badSignature });
    },
    messages: () => graph.messages.map(toSentMessage),
    files: () => sentFiles(graph),
    deliverOwnMessage(_text, deliveryId) {
      seq += 1;
      return postWebhook(testApp.baseUrl, statusWebhook(`wamid.own-${deliveryId}-${seq}`, "sent"));
    },
    async close() {
      await testApp.close();
      await graph.close();
    },
  };
  return driver;
};
