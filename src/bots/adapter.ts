import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatService } from "../core/chat/chat-service.ts";
import type { Clock } from "../core/ports/clock.ts";
import type { Logger } from "../core/ports/logger.ts";
import type { Store } from "../core/ports/store.ts";

/** One HTTP request as the server hands it to a route: the raw body is kept for signature checks. */
export interface HttpContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  rawBody: Buffer;
}

/** A route an adapter mounts on the shared server (`smart-pncp serve`). */
export interface Route {
  method: "GET" | "POST";
  path: string;
  handle(ctx: HttpContext): Promise<void>;
}

/**
 * Whether an adapter can serve right now. `ready: false` while it is still connecting to its platform (or
 * lost the connection); `reason` is a stable, secret-free code such as `telegram_api_unreachable`.
 */
export interface AdapterStatus {
  ready: boolean;
  reason?: string;
}

/**
 * A chat platform adapter: translates platform payloads into `IncomingCommand`s for the chat core and
 * renders `Reply` values back. All behaviour lives in the core.
 */
export interface BotAdapter {
  readonly name: "slack" | "telegram" | "whatsapp";
  /** HTTP routes to mount (webhooks, OAuth). Empty for pure long-polling/socket modes. */
  readonly routes: Route[];
  /**
   * Starts background work (long polling, Socket Mode, setMyCommands). Resolves even when the platform is
   * unreachable: the adapter keeps retrying in the background and `status()` says it is not ready.
   */
  start(): Promise<void>;
  /** Readiness, shown per adapter on `/health`. */
  status(): AdapterStatus;
  /** Stops intake (polling, sockets); running jobs are drained by the server after this. */
  stop(): Promise<void>;
  /**
   * Resolves once every accepted delivery has reached the core and every reply already queued for the
   * platform has been sent (webhooks are acknowledged before the core runs; some platforms pace sends).
   */
  idle?(): Promise<void>;
}

/** Ports every adapter receives from the composition root. */
export interface AdapterDeps {
  chat: ChatService;
  store: Store;
  logger: Logger;
  clock: Clock;
}
