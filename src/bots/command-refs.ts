/**
 * Command buttons carry the command text in the platform's payload field when it fits (Slack `value` ≤ 2000
 * characters, Telegram `callback_data` ≤ 64 bytes, WhatsApp `reply.id` ≤ 256 characters). A longer command
 * is kept here under a short random key and the payload carries the key instead. The map is in-process and
 * bounded (least recently used entries go first), so a very old button, or one sent before a restart, can
 * expire: the adapter then answers `BUTTON_EXPIRED` and the user types the command again.
 */

import { randomBytes } from "node:crypto";

/** Payload prefixes: `c:` + the command itself, `k:` + a key into `CommandRefs`. */
export const INLINE_PREFIX = "c:";
export const REF_PREFIX = "k:";

/** A bounded key → command map for commands too long for a button payload. */
export interface CommandRefs {
  /** Stores `command` and returns its key (10 URL-safe characters). */
  put(command: string): string;
  /** The command stored under `key`, or undefined when it expired or never existed. */
  get(key: string): string | undefined;
  readonly size: number;
}

/** Creates an LRU map holding at most `max` commands (default 5,000; each at most a few KB). */
export function createCommandRefs(max = 5000): CommandRefs {
  const map = new Map<string, string>();
  return {
    put(command) {
      const key = randomBytes(8).toString("base64url").slice(0, 10);
      map.set(key, command);
      while (map.size > max) {
        const oldest = map.keys().next().value;
        if (oldest === undefined) break;
        map.delete(oldest);
      }
      return key;
    },
    get(key) {
      const command = map.get(key);
      if (command === undefined) return undefined;
      map.delete(key);
      map.set(key, command);
      return command;
    },
    get size() {
      return map.size;
    },
  };
}

/** How a payload length is measured: Telegram counts UTF-8 bytes, Slack and WhatsApp characters. */
export type PayloadMeasure = (payload: string) => number;

export const utf8Bytes: PayloadMeasure = (payload) => Buffer.byteLength(payload, "utf8");
export const utf16Length: PayloadMeasure = (payload) => payload.length;

/**
 * The payload for a command button: `c:<command>` when it fits `limit`, else `k:<key>` (stored in `refs`).
 * Without `refs` a command that does not fit returns undefined and the caller drops the button.
 */
export function encodeCommand(
  command: string,
  limit: number,
  refs: CommandRefs | undefined,
  measure: PayloadMeasure = utf16Length,
): string | undefined {
  const inline = `${INLINE_PREFIX}${command}`;
  if (measure(inline) <= limit) return inline;
  return refs ? `${REF_PREFIX}${refs.put(command)}` : undefined;
}

/** The result of reading a button payload back. */
export type DecodedCommand = { ok: true; command: string } | { ok: false; reason: "expired" | "malformed" };

/** Reads a payload made by `encodeCommand`. */
export function decodeCommand(payload: unknown, refs: CommandRefs | undefined): DecodedCommand {
  if (typeof payload !== "string") return { ok: false, reason: "malformed" };
  if (payload.startsWith(INLINE_PREFIX)) {
    const command = payload.slice(INLINE_PREFIX.length);
    return command.trim() === "" ? { ok: false, reason: "malformed" } : { ok: true, command };
  }
  if (payload.startsWith(REF_PREFIX)) {
    const command = refs?.get(payload.slice(REF_PREFIX.length));
    return command === undefined ? { ok: false, reason: "expired" } : { ok: true, command };
  }
  return { ok: false, reason: "malformed" };
}
