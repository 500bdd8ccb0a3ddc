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
