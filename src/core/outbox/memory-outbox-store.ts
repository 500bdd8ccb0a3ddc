/**
 * The `OutboxStore` in memory, with the same rules as 0010_outbox.sql (claims in due order, lease holder
 * settles, paused chats, contact releases). For tests and the bench; one process only. The shared contract
 * suite (test/notify/outbox-store-contract.ts) runs it beside the SQL stores.
 */
import type { ChatAddress } from "../ports/notifier.ts";
import type {
  ChatState,
  ClaimedMessage,
  EnqueueResult,
  OutboxEnqueue,
  OutboxMessageState,
  OutboxStatus,
  OutboxStore,
  Settlement,
} from "../ports/outbox-store.ts";

interface Row {
  id: number;
  dedupeKey: string;
  to: ChatAddress;
  purpose: OutboxEnqueue["purpose"];
  payload: unknown;
  status: OutboxStatus;
  dueAt: number;
  expiresAt: number | null;
  attempts: number;
  leaseOwner: string | null;
  lastError: string | null;
  messageIds: string[];
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

interface Chat {
  lastInboundAt: number | null;
  unreachableAt: number | null;
  unreachableReason: string | null;
}

const chatKey = (platform: string, chatId: string) => `${platform}\u0000${chatId}`;

export class MemoryOutboxStore implements OutboxStore {
  readonly #rows = new Map<number, Row>();
  readonly #byKey = new Map<string, Row>();
  readonly #chats = new Map<string, Chat>();
  #nextId = 1;

  async enqueue(message: OutboxEnqueue, now: Date): Promise<EnqueueResult> {
    const existing = this.#byKey.get(message.dedupeKey);
    if (existing) return { id: String(existing.id), created: false, status: existing.status };
    const chat = this.#chats.get(chatKey(message.to.platform, message.to.chatId));
    const row: Row = {
      id: this.#nextId++,
      dedupeKey: message.dedupeKey,
      to: { ...message.to },
      purpose: message.purpose,
      // Stored as JSON text, as the database would: no shared references with the caller.
      payload: JSON.parse(JSON.stringify(message.payload)),
      status: chat?.unreachableAt != null ? "paused" : "pending",
      dueAt: (message.dueAt ?? now).getTime(),
      expiresAt: message.expiresAt?.getTime() ?? null,
      attempts: 0,
      leaseOwner: null,
      lastError: null,
      messageIds: [],
      createdAt: now.getTime(),
      updatedAt: now.getTime(),
      sentAt: null,
    };
    this.#rows.set(row.id, row);
    this.#byKey.set(row.dedupeKey, row);
    return { id: String(row.id), created: true, status: row.status };
  }

  async claim(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    platform: ChatAddress["platform"],
  ): Promise<ClaimedMessage[]> {
    const t = now.getTime();
    const due = [...this.#rows.values()]
      .filter(
        (r) =>
          r.to.platform === platform && (r.status === "pending" || r.status === "sending") && r.dueAt <= t,
      )
      .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)
      .slice(0, Math.max(0, limit));
    return due.map((r) => {
      r.status = "sending";
      r.leaseOwner = owner;
      r.dueAt = t + leaseMs;
      r.attempts += 1;
      r.updatedAt = t;
      return {
        id: String(r.id),
        dedupeKey: r.dedupeKey,
        to: { ...r.to },
        purpose: r.purpose,
        payload: JSON.parse(JSON.stringify(r.payload)),
        attempts: r.attempts,
        createdAt: new Date(r.createdAt),
      };
    });
  }

  async settle(id: string, owner: string, settlement: Settlement, now: Date): Promise<boolean> {
    const row = this.#rows.get(Number(id));
    if (row === undefined) return false;
    if (row.status !== "sending" || row.leaseOwner !== owner) return false;
    const t = now.getTime();
    row.status = settlement.status;
    row.leaseOwner = null;
    row.updatedAt = t;
    row.dueAt = settlement.status === "pending" ? settlement.dueAt.getTime() : t;
    if (settlement.status === "pending")
      row.attempts = Math.max(0, row.attempts + (settlement.attemptsDelta ?? 0));
    if ("error" in settlement && settlement.error !== undefined) row.lastError = settlement.error;
    if (settlement.messageIds) row.messageIds.push(...settlement.messageIds);
    if (settlement.status === "sent") {
      row.payload = null;
      row.lastError = null;
      row.sentAt = t;
    } else if ("payload" in settlement && settlement.payload !== undefined) {
      row.payload = JSON.parse(JSON.stringify(settlement.payload));
    }
    if (settlement.status === "paused") {
      const key = chatKey(row.to.platform, row.to.chatId);
      const chat = this.#chats.get(key) ?? {
        lastInboundAt: null,
        unreachableAt: null,
        unreachableReason: null,
      };
      chat.unreachableAt = t;
      chat.unreachableReason = settlement.error;
      this.#chats.set(key, chat);
      for (const other of this.#chatRows(row.to.platform, row.to.chatId)) {
        if (other.status === "pending") {
          other.status = "paused";
          other.updatedAt = t;
        }
      }
    }
    return true;
  }

  async contact(platform: ChatAddress["platform"], chatId: string, at: Date): Promise<number> {
    const key = chatKey(platform, chatId);
    const t = at.getTime();
    const chat = this.#chats.get(key) ?? {
      lastInboundAt: null,
      unreachableAt: null,
      unreachableReason: null,
    };
    chat.lastInboundAt = chat.lastInboundAt === null ? t : Math.max(chat.lastInboundAt, t);
    chat.unreachableAt = null;
    chat.unreachableReason = null;
    this.#chats.set(key, chat);
    let released = 0;
    for (const row of this.#chatRows(platform, chatId)) {
      if (row.status !== "held" && row.status !== "paused") continue;
      const expired = row.expiresAt !== null && row.expiresAt <= t;
      row.status = expired ? "expired" : "pending";
      row.dueAt = t;
      row.updatedAt = t;
      if (!expired) released++;
    }
    return released;
  }

  async chatState(platform: ChatAddress["platform"], chatId: string): Promise<ChatState> {
    const chat = this.#chats.get(chatKey(platform, chatId));
    const rows = this.#chatRows(platform, chatId);
    const count = (...statuses: OutboxStatus[]) => rows.filter((r) => statuses.includes(r.status)).length;
    return {
      lastInboundAt: chat?.lastInboundAt == null ? null : new Date(chat.lastInboundAt),
      unreachableAt: chat?.unreachableAt == null ? null : new Date(chat.unreachableAt),
      unreachableReason: chat?.unreachableReason ?? null,
      waiting: count("pending", "sending"),
      held: count("held"),
      paused: count("paused"),
    };
  }

  async message(dedupeKey: string): Promise<OutboxMessageState | null> {
    const row = this.#byKey.get(dedupeKey);
    if (!row) return null;
    return {
      id: String(row.id),
      status: row.status,
      attempts: row.attempts,
      lastError: row.lastError,
      messageIds: [...row.messageIds],
      dueAt: new Date(row.dueAt),
      sentAt: row.sentAt === null ? null : new Date(row.sentAt),
    };
  }

  async counts(): Promise<Partial<Record<OutboxStatus, number>>> {
    const counts: Partial<Record<OutboxStatus, number>> = {};
    for (const row of this.#rows.values()) counts[row.status] = (counts[row.status] ?? 0) + 1;
    return counts;
  }

  async prune(before: Date): Promise<number> {
    let pruned = 0;
    for (const row of [...this.#rows.values()]) {
      const done = row.status === "sent" || row.status === "failed" || row.status === "expired";
      if (done && row.updatedAt < before.getTime()) {
        this.#rows.delete(row.id);
        this.#byKey.delete(row.dedupeKey);
        pruned++;
      }
    }
    return pruned;
  }

  #chatRows(platform: string, chatId: string): Row[] {
    return [...this.#rows.values()].filter((r) => r.to.platform === platform && r.to.chatId === chatId);
  }
}
