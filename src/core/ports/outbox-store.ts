import type { ChatAddress, NotifyOptions } from "./notifier.ts";

/**
 * Port: where the paced outbox keeps messages to chats until they are delivered (supabase/migrations/
 * 0010_outbox.sql: `SqlOutboxStore` on PGlite/Postgres, `SupabaseOutboxStore` over RPC; `MemoryOutboxStore`
 * in src/core/outbox/ for tests). Every method is one atomic step, so several senders (instances) can share
 * one store: claims never overlap (lease + skip locked), only the lease holder settles.
 */

export type OutboxStatus = "pending" | "sending" | "sent" | "held" | "paused" | "failed" | "expired";

export interface OutboxEnqueue {
  /** Unique per logical message (`billing:<stripe event id>`, `alert:<alert id>:<bid id>`): a retried enqueue is a no-op. */
  dedupeKey: string;
  to: ChatAddress;
  purpose: NotifyOptions["purpose"];
  /** The encoded replies (`encodeReplies`), JSON. */
  payload: unknown;
  /** Not sent before this (a digest's hour); default now. */
  dueAt?: Date;
  /** Held or paused past this instant → dropped (`expired`) instead of sent at the next contact. */
  expiresAt?: Date;
}

export interface EnqueueResult {
  id: string;
  /** False when the dedupe key already existed (nothing changed). */
  created: boolean;
  status: OutboxStatus;
}

/** A message claimed by a sender, leased until it settles or the lease runs out. */
export interface ClaimedMessage {
  id: string;
  dedupeKey: string;
  to: ChatAddress;
  purpose: NotifyOptions["purpose"];
  payload: unknown;
  /** Claims so far, this one included (a crash between claim and send counts). */
  attempts: number;
  createdAt: Date;
}

/** How a claimed message ends this attempt. */
export type Settlement =
  | { status: "sent"; messageIds: string[] }
  /**
   * Due again at `dueAt` (retry with backoff, or a pacing deferral with `attemptsDelta: -1`); `payload`
   * replaces what is still to send after a partial delivery.
   */
  | {
      status: "pending";
      dueAt: Date;
      error?: string;
      payload?: unknown;
      messageIds?: string[];
      attemptsDelta?: number;
    }
  /** Until the chat's next contact (WhatsApp outside the window). */
  | { status: "held"; error: string; payload?: unknown; messageIds?: string[] }
  /** The chat is unreachable: marks it so, and pauses its other waiting messages until the next contact. */
  | { status: "paused"; error: string; payload?: unknown; messageIds?: string[] }
  | { status: "failed"; error: string; messageIds?: string[] };

/** What is known about one chat. */
export interface ChatState {
  /** The user's last message (a command reaching the chat core). */
  lastInboundAt: Date | null;
  /** Set while the chat is unreachable (blocked, bot removed): until the next contact. */
  unreachableAt: Date | null;
  unreachableReason: string | null;
  /** Messages pending or being sent. */
  waiting: number;
  held: number;
  paused: number;
}

/** One message's delivery, by dedupe key. */
export interface OutboxMessageState {
  id: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  messageIds: string[];
  dueAt: Date;
  sentAt: Date | null;
}

export interface OutboxStore {
  enqueue(message: OutboxEnqueue, now: Date): Promise<EnqueueResult>;
  /**
   * Up to `limit` due messages of `platform`, leased to `owner` until `now + leaseMs`; due order, then
   * enqueue order. Per platform, so one platform's backlog never delays another's messages.
   */
  claim(
    owner: string,
    now: Date,
    leaseMs: number,
    limit: number,
    platform: ChatAddress["platform"],
  ): Promise<ClaimedMessage[]>;
  /** False when `owner` no longer holds the message (its lease ran out and another sender claimed it). */
  settle(id: string, owner: string, settlement: Settlement, now: Date): Promise<boolean>;
  /** The user wrote from this chat at `at`; releases its held/paused messages. Returns how many. */
  contact(platform: ChatAddress["platform"], chatId: string, at: Date): Promise<number>;
  chatState(platform: ChatAddress["platform"], chatId: string): Promise<ChatState>;
  message(dedupeKey: string): Promise<OutboxMessageState | null>;
  counts(): Promise<Partial<Record<OutboxStatus, number>>>;
  /** Deletes finished messages last changed before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}
