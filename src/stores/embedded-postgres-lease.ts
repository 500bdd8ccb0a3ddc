import pg from "pg";
import type { Logger } from "../core/ports/logger.ts";
import {
  type EmbeddedServerOptions,
  ensureServer,
  type ServerAddress,
  stopServer,
} from "./embedded-postgres-server.ts";
import { EmbeddedStoreError } from "./embedded-store-error.ts";

/**
 * Advisory lock key of "a Smart PNCP process uses this server". Every process holds it SHARED on one
 * dedicated connection for as long as its store is open; the closing process that can take it EXCLUSIVE
 * is the last one and stops the server. The server itself is the registry: a process that crashes drops
 * its connection, and so its share, and a process attaching while the last one stops is blocked on the
 * lock until the shutdown ends its session, then starts a fresh server.
 */
export const LEASE_LOCK_KEY = 7_240_002;

/** The `application_name` of our connections (visible in pg_stat_activity). */
export const APPLICATION_NAME = "smart-pncp";

// Server not reachable yet or going away: retry the whole attach.
const RETRYABLE =
  /ECONNREFUSED|ENOENT|ECONNRESET|EPIPE|terminat|shutting down|starting up|Connection terminated/i;

export interface LeaseOptions extends EmbeddedServerOptions {
  /** Stop the server when the last process closes (default true). */
  stopWhenLast?: boolean;
}

/**
 * One process's share of the embedded server: attach (start the server if none runs) on `acquire`, and
 * on `release` stop it when no other process holds a share. If the server dies while we hold a share, it
 * is started again in the background and the share retaken (the pool reconnects by itself).
 */
export class ServerLease {
  readonly #options: LeaseOptions;
  readonly #logger: Logger;
  #client: pg.Client | null = null;
  #address: ServerAddress;
  #closed = false;
  #reattach: NodeJS.Timeout | null = null;

  private constructor(options: LeaseOptions, client: pg.Client, address: ServerAddress) {
    this.#options = options;
    this.#logger = options.logger;
    this.#address = address;
    this.#adopt(client);
  }

  /** Ensures the server runs and takes a share of it; retries while a server is starting or stopping. */
  static async acquire(options: LeaseOptions): Promise<ServerLease> {
    const { client, address } = await attach(options);
    return new ServerLease(options, client, address);
  }

  /** Where the server listens (for the store's pool). */
  get address(): ServerAddress {
    return this.#address;
  }

  /** Gives the share back; stops the server when this was the last process using it. */
  async release(): Promise<void> {
    this.#closed = true;
    if (this.#reattach) clearTimeout(this.#reattach);
    const client = this.#client;
    this.#client = null;
    if (!client) return;
    try {
      if (this.#options.stopWhenLast ?? true) {
        await client.query("select pg_advisory_unlock_shared($1)", [LEASE_LOCK_KEY]);
        const { rows } = await client.query<{ last: boolean }>("select pg_try_advisory_lock($1) as last", [
          LEASE_LOCK_KEY,
        ]);
        if (rows[0]?.last) {
          // We hold the lock exclusively: nobody else uses the server, and whoever attaches now waits on the
          // lock until the shutdown below ends its session.
          await stopServer(this.#address.pid, this.#logger);
        }
      }
    } catch (error) {
      this.#logger.warn({ err: error }, "embedded_postgres_release_failed");
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  #adopt(client: pg.Client): void {
    this.#client = client;
    client.on("error", (error) => {
      if (this.#closed || this.#client !== client) return;
      this.#logger.warn({ err: error }, "embedded_postgres_lost");
      this.#client = null;
      void client.end().catch(() => undefined);
      this.#scheduleReattach(200);
    });
  }

  #scheduleReattach(delayMs: number): void {
    if (this.#closed) return;
    this.#reattach = setTimeout(async () => {
      try {
        const { client, address } = await attach({ ...this.#options, timeoutMs: 10_000 });
        if (this.#closed) {
          await client.end().catch(() => undefined);
          return;
        }
        this.#address = address;
        this.#adopt(client);
        this.#logger.info({ serverPid: address.pid }, "embedded_postgres_reattached");
      } catch (error) {
        this.#logger.warn({ err: error }, "embedded_postgres_reattach_failed");
        this.#scheduleReattach(Math.min(delayMs * 2, 5_000));
      }
    }, delayMs);
    this.#reattach.unref();
  }
}

/** pg connection parameters of an address. */
export function connectionOf(address: ServerAddress): pg.ClientConfig {
  return {
    host: address.host,
    port: address.port,
    user: address.user,
    password: address.password,
    database: address.database,
    application_name: APPLICATION_NAME,
  };
}

async function attach(
  options: EmbeddedServerOptions,
): Promise<{ client: pg.Client; address: ServerAddress }> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    const address = await ensureServer({ ...options, timeoutMs: Math.max(1_000, deadline - Date.now()) });
    const client = new pg.Client({ ...connectionOf(address), connectionTimeoutMillis: 5_000 });
    // Errors after connect are handled by the lease; before that they reject connect().
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("select pg_advisory_lock_shared($1)", [LEASE_LOCK_KEY]);
      return { client, address };
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
      if (
        !RETRYABLE.test(String((error as Error).message)) &&
        !RETRYABLE.test(String((error as { code?: unknown }).code))
      ) {
        throw new EmbeddedStoreError(
          `Não consegui conectar ao banco embutido (${String((error as Error).message)}). Verifique DATA_DIR ou configure DATABASE_URL.`,
          { reason: "connect_failed", cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new EmbeddedStoreError(
    `O banco embutido em DATA_DIR não aceita conexões (${String((lastError as Error | undefined)?.message ?? "tempo esgotado")}). Se nenhum processo do Smart PNCP estiver rodando, apague o arquivo postmaster.pid de DATA_DIR/postgres; ou configure DATABASE_URL.`,
    { reason: "unreachable", cause: lastError },
  );
}
