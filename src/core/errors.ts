/** Stable error codes; `src/core/messages.ts` turns each into pt-BR text (exhaustive switch). */
export type ErrorCode =
  | "INVALID_QUERY"
  | "INVALID_COMMAND"
  | "PNCP_UNAVAILABLE"
  | "STORE_UNAVAILABLE"
  | "RATE_LIMITED"
  | "QUOTA_EXCEEDED"
  | "TRIAL_EXPIRED"
  | "HISTORY_EXCEEDED"
  | "PLAN_INACTIVE"
  /** A past-due subscription beyond BILLING_GRACE_DAYS: searches are refused until it is paid. */
  | "PAYMENT_OVERDUE"
  /** Online payment is not configured on this server (no STRIPE_SECRET_KEY). */
  | "BILLING_NOT_CONFIGURED"
  /** Stripe did not answer or refused; the user may try the link again. */
  | "BILLING_UNAVAILABLE"
  | "PLAN_REQUIRED"
  | "LLM_FAILED"
  | "DELIVERY_FAILED"
  | "FILE_DELIVERY_FAILED"
  /** A command button whose command is no longer kept (long commands are held in memory, bounded). */
  | "BUTTON_EXPIRED"
  /** `/alerta` over the plan's number of saved alerts. */
  | "ALERT_LIMIT"
  /** Instant alert delivery asked on a plan with daily digests only. */
  | "ALERT_INSTANT_NOT_IN_PLAN"
  | "INTERNAL";

/** An error with a stable code, a cause, and whether retrying can help. Surprises only: expected outcomes are values. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Safe context for logs (never secrets). */
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** Narrow anything thrown to an AppError, wrapping unknowns as INTERNAL. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("INTERNAL", error instanceof Error ? error.message : String(error), { cause: error });
}
