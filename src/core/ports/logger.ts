import pino from "pino";

/** The logger port is pino's interface; adapters bind it per command with `logger.child({...})`. */
export type Logger = pino.Logger;

/** Paths whose values never reach logs, whatever object they appear in. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "*.*.headers.authorization",
  "*.signingSecret",
  "*.clientSecret",
  "*.stateSecret",
  "*.appToken",
  "*.botToken",
  "*.accessToken",
  "*.appSecret",
  "*.verifyToken",
  "*.serviceRoleKey",
  "*.password",
  "*.databaseUrl",
  "*.redisUrl",
  "*.webhookSecret",
];

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

const SECRET_PATTERNS: [RegExp, string][] = [
  // Telegram puts the bot token in every request URL (grammY/node-fetch errors repeat it).
  [/bot\d{3,}:[A-Za-z0-9_-]{10,}/g, "bot[redacted]"],
  [/\bxox[a-z]-[A-Za-z0-9-]{6,}/g, "xox-[redacted]"],
  [/\bxapp-[A-Za-z0-9-]{6,}/g, "xapp-[redacted]"],
  [/\bsk-[A-Za-z0-9_-]{10,}/g, "sk-[redacted]"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, "$1 [redacted]"],
  // user:password@ in connection strings.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s]+@/gi, "$1[redacted]@"],
];

/** Replaces token-shaped text (Telegram/Slack/OpenAI tokens, bearer headers, URL passwords) in a string. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy of a serialized value with every string scrubbed (cycles cut, depth bounded). */
export function scrubDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubSecrets(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1, seen);
  return out;
}

/**
 * Error serializer for pino: the standard one, then scrubbed. SDK errors carry request URLs and nested
 * causes (grammY's HttpError wraps a fetch error whose message holds the bot token).
 */
export function safeErrorSerializer(error: unknown): unknown {
  return scrubDeep(error instanceof Error ? pino.stdSerializers.err(error) : error);
}
