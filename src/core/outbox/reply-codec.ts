/**
 * Replies as stored in the outbox (JSON): every field as is, a file's bytes as base64. Files are kept
 * inline rather than regenerated at send time so a message is self-contained (a digest's spreadsheet is
 * the day's matches as they were, whichever instance sends it); the size is bounded per message
 * (`OUTBOX_MAX_FILE_BYTES`) and a sent message's payload is dropped at once (0010_outbox.sql).
 */
import type { Reply } from "../chat/reply.ts";

/** Total file bytes one outbox message may carry (a digest .xlsx is tens of kB; Slack's cap is far above). */
export const OUTBOX_MAX_FILE_BYTES = 10 * 1024 * 1024;

const KINDS = new Set<Reply["kind"]>([
  "text",
  "searching",
  "progress",
  "results",
  "file",
  "upgrade",
  "error",
]);

/** The stored form: version 1. */
export interface EncodedReplies {
  v: 1;
  replies: unknown[];
}

/** Thrown for a payload over the bound: a programming error of the caller (files are ours). */
export class OutboxPayloadTooLarge extends RangeError {
  constructor(readonly bytes: number) {
    super(`outbox message carries ${bytes} file bytes; the bound is ${OUTBOX_MAX_FILE_BYTES}`);
    this.name = "OutboxPayloadTooLarge";
  }
}

export function encodeReplies(replies: Reply[]): EncodedReplies {
  let bytes = 0;
  const encoded = replies.map((reply) => {
    if (reply.kind !== "file") return reply;
    bytes += reply.data.length;
    return { ...reply, data: reply.data.toString("base64") };
  });
  if (bytes > OUTBOX_MAX_FILE_BYTES) throw new OutboxPayloadTooLarge(bytes);
  return { v: 1, replies: encoded };
}

/** The replies back, or null when the payload is not one we wrote (it is then failed, not retried). */
export function decodeReplies(payload: unknown): Reply[] | null {
  const value = typeof payload === "string" ? safeParse(payload) : payload;
  if (!value || typeof value !== "object") return null;
  const { v, replies } = value as { v?: unknown; replies?: unknown };
  if (v !== 1 || !Array.isArray(replies)) return null;
  const out: Reply[] = [];
  for (const item of replies) {
    if (!item || typeof item !== "object") return null;
    const kind = (item as { kind?: unknown }).kind;
    if (typeof kind !== "string" || !KINDS.has(kind as Reply["kind"])) return null;
    if (typeof (item as { text?: unknown }).text !== "string" && kind !== "file") return null;
    if (kind === "file") {
      const file = item as { data?: unknown; filename?: unknown; mimeType?: unknown; caption?: unknown };
      if (typeof file.data !== "string" || typeof file.filename !== "string") return null;
      out.push({
        kind: "file",
        filename: file.filename,
        mimeType: typeof file.mimeType === "string" ? file.mimeType : "application/octet-stream",
        caption: typeof file.caption === "string" ? file.caption : "",
        data: Buffer.from(file.data, "base64"),
      });
    } else out.push(item as Reply);
  }
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
