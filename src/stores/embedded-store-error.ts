/**
 * The embedded store (DATA_DIR) could not be opened. Raised at start-up only, before any chat request, to
 * the operator running `smart-pncp`: the message is pt-BR and names what to fix (DATA_DIR, DATABASE_URL),
 * like `ConfigError`. `details.reason` is a stable word for logs and tests.
 */
export class EmbeddedStoreError extends Error {
  readonly details: Record<string, unknown>;

  constructor(message: string, options: { reason: string; cause?: unknown; [key: string]: unknown }) {
    const { cause, ...details } = options;
    super(message, { cause });
    this.name = "EmbeddedStoreError";
    this.details = details;
  }
}
