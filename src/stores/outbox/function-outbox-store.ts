/**
 * The `OutboxStore` over the SQL functions of supabase/migrations/0010_outbox.sql, for every transport: plain
 * SQL (`SqlOutboxStore`: PGlite, Postgres) and PostgREST RPC (`SupabaseOutboxStore`). Each method is one
 * function call, hence one transaction, as for `FunctionStore` and `FunctionBidIndex`.
 */
import type { ChatAddress } from "../../core/ports/notifier.ts";
import type {
  ChatState,
  ClaimedMessage,
  EnqueueResult,
  OutboxEnqueue,
  OutboxMessageState,
  OutboxStatus,
  OutboxStore,
  Settlement,
} from "../../core/ports/outbox-store.ts";
import type { RpcTransport } from "../function-store.ts";
import { instantOrNull as instant, textOrNull as text } from "../rows.ts";
import type { Row } from "../sql-executor.ts";

function jsonValue(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

export class FunctionOutboxStore implements OutboxStore {
  readonly #rpc: RpcTransport;

  constructor(rpc: RpcTransport) {
    this.#rpc = rpc;
  }

  #json(value: unknown): unknown {
    if (value === undefined || value === null) return null;
    return this.#rpc.jsonAsText ? JSON.stringify(value) : value;
  }

  async enqueue(message: OutboxEnqueue, now: Date): Promise<EnqueueResult> {
    const row = await this.#rpc.one("outbox_enqueue", {
      p_dedupe_key: message.dedupeKey,
      p_platform: message.to.platform,
      p_chat_id: message.to.chatId,
      p_team_id: message.to.teamId ?? null,
      p_thread_id: message.to.threadId ?? null,
      p_purpose: message.purpose,
      p_payload: this.#json(message.payload),
      p_due_at: (message.dueAt ?? now).toISOString(),
      p_expires_at: message.expiresAt?.toISOString() ?? null,
      p_now: now.toISOString(),
    });
    return {
      id: String(row.message_id),
      created: row.created === true,
      status: String(row.message_status) as OutboxStatus,
    };
  }

  async claim(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    platform: ChatAddress["platform"],
  ): Promise<ClaimedMessage[]> {
    const rows = await this.#rpc.rows("outbox_claim", {
      p_owner: owner,
      p_now: now.toISOString(),
      p_lease_ms: Math.round(leaseMs),
      p_limit: limit,
      p_platform: platform,
    });
    return rows
      .map(
        (row: Row): ClaimedMessage => ({
          id: String(row.id),
          dedupeKey: String(row.dedupe_key),
          to: {
            platform: String(row.platform) as ChatAddress["platform"],
            chatId: String(row.chat_id),
            ...(row.team_id == null ? {} : { teamId: String(row.team_id) }),
            ...(row.thread_id == null ? {} : { threadId: String(row.thread_id) }),
          },
          purpose: String(row.purpose) as ClaimedMessage["purpose"],
          payload: jsonValue(row.payload),
          attempts: Number(row.attempts),
          createdAt: instant(row.created_at) ?? now,
        }),
      )
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  async settle(id: string, owner: string, settlement: Settlement, now: Date): Promise<boolean> {
    const value = await this.#rpc.scalar("outbox_settle", {
      p_id: Number(id),
      p_owner: owner,
      p_status: settlement.status,
      p_now: now.toISOString(),
      p_due_at: settlement.status === "pending" ? settlement.dueAt.toISOString() : null,
      p_error: "error" in settlement ? (settlement.error ?? null) : null,
      p_payload: "payload" in settlement ? this.#json(settlement.payload) : null,
      p_message_ids: settlement.messageIds ? this.#json(settlement.messageIds) : null,
      p_attempts_delta: settlement.status === "pending" ? (settlement.attemptsDelta ?? 0) : 0,
    });
    return value === true;
  }

  async contact(platform: ChatAddress["platform"], chatId: string, at: Date): Promise<number> {
    return Number(
      await this.#rpc.scalar("outbox_contact", {
        p_platform: platform,
        p_chat_id: chatId,
        p_at: at.toISOString(),
      }),
    );
  }

  async chatState(platform: ChatAddress["platform"], chatId: string): Promise<ChatState> {
    const [row] = await this.#rpc.rows("outbox_chat_state", { p_platform: platform, p_chat_id: chatId });
    return {
      lastInboundAt: instant(row?.last_inbound_at),
      unreachableAt: instant(row?.unreachable_at),
      unreachableReason: text(row?.unreachable_reason),
      waiting: Number(row?.waiting ?? 0),
      held: Number(row?.held ?? 0),
      paused: Number(row?.paused ?? 0),
    };
  }

  async message(dedupeKey: string): Promise<OutboxMessageState | null> {
    const [row] = await this.#rpc.rows("outbox_message", { p_dedupe_key: dedupeKey });
    if (!row) return null;
    const ids = jsonValue(row.message_ids);
    return {
      id: String(row.id),
      status: String(row.status) as OutboxStatus,
      attempts: Number(row.attempts),
      lastError: text(row.last_error),
      messageIds: Array.isArray(ids) ? ids.map(String) : [],
      dueAt: instant(row.due_at) ?? new Date(0),
      sentAt: instant(row.sent_at),
    };
  }

  async counts(): Promise<Partial<Record<OutboxStatus, number>>> {
    const rows = await this.#rpc.rows("outbox_counts", {});
    return Object.fromEntries(rows.map((row) => [String(row.status), Number(row.messages)]));
  }

  async prune(before: Date): Promise<number> {
    return Number(await this.#rpc.scalar("outbox_prune", { p_before: before.toISOString() }));
  }
}
