/**
 * Port for saved alerts and their sent items (supabase/migrations/0011_alerts.sql). The once-only rules
 * live in SQL: every bid written to the index is queued by a trigger in the same transaction, a matching
 * batch is committed in one call (items inserted under a unique key + exactly the queue entries read
 * removed), and items are claimed with a token before sending. So a re-sync, a restart, two instances or a
 * retried job never send a bid twice for one alert, and a crash before the commit only means the batch is
 * matched again. Matches are stored compactly (one row per alert per commit, once per (alert, bid) kept per
 * bid): a `ReadyItem` is one (alert, bid) line of such a row, and claiming or finishing part of a row moves
 * that part to a row of its own, so the lines not named keep their ids and state.
 */
import type { SearchQuery } from "../search-query.ts";
import type { ChatAddress } from "./notifier.ts";

export type AlertMode = "instant" | "daily";
/** `unreachable`: paused because the chat blocked or removed the bot. */
export type AlertStatus = "active" | "paused" | "unreachable";
/** `channel`: saved in a Slack channel / Telegram group, posts there and belongs to it. */
export type AlertScope = "personal" | "channel";

export interface Alert {
  id: string;
  /** Whose plan applies and whose limit the alert counts against. */
  accountId: string;
  address: ChatAddress;
  scope: AlertScope;
  /** What the user typed after /alerta (schedule words removed). */
  queryText: string;
  /** Parsed once when saved; its period is ignored (alerts are about new bids). */
  query: SearchQuery;
  mode: AlertMode;
  /** São Paulo hour of the daily digest, 0–23. */
  digestHour: number;
  /** Remind two days before a delivered bid's proposals close (`lembrete`). */
  reminder: boolean;
  status: AlertStatus;
  createdAt: Date;
  lastDigestAt: Date | null;
}

export interface NewAlert {
  accountId: string;
  address: ChatAddress;
  scope: AlertScope;
  queryText: string;
  query: SearchQuery;
  mode: AlertMode;
  digestHour: number;
  reminder: boolean;
}

export type CreateAlertResult = { ok: true; alert: Alert; count: number } | { ok: false; count: number };

export interface AlertPatch {
  status?: AlertStatus;
  mode?: AlertMode;
  digestHour?: number;
  reminder?: boolean;
}

/** A queued bid (written to the index since it was last matched). */
export interface QueuedBid {
  bidId: string;
  /** Queue sequence read; the commit removes the entry only while it still has this value. */
  seq: string;
  sectorTags: string[];
  /** Published recently enough for some active alert. */
  eligible: boolean;
  /** Some alert already has a match item for it (changes are then announced). */
  delivered: boolean;
}

/** What a subscriber was last told about a bid (compared with the new version to announce changes). */
export interface BidSnapshot {
  situationId: number | null;
  /** Epoch ms, or null. */
  closeAt: number | null;
  /** Hash of object + estimated value: a change means the notice was rectified. */
  contentHash: string;
}

export interface SeenRow {
  alertId: string;
  bidId: string;
  /** The match item's status: changes are told only for `sent` ones. */
  status: ItemStatus;
  seen: BidSnapshot | null;
}

export type ItemKind = "match" | "change" | "reminder";
export type ItemStatus = "pending" | "sending" | "sent" | "dropped";

export interface NewItem {
  alertId: string;
  bidId: string;
  kind: ItemKind;
  /** '' for matches; the new state for changes; the closing instant for reminders. */
  changeKey: string;
  detail: Record<string, unknown>;
  /** Match items: the bid as matched. */
  seen?: BidSnapshot;
}

export interface ReadyItem {
  id: string;
  alertId: string;
  bidId: string;
  kind: ItemKind;
  changeKey: string;
  detail: Record<string, unknown>;
  createdAt: Date;
  /** The token of an expired claim (a dispatcher died sending it): retried as the same message. */
  previousToken: string | null;
}

export interface AlertStore {
  /** Creates the alert unless `accountId` already has `limit` (atomic under concurrency). */
  createAlert(input: NewAlert, limit: number, now: Date): Promise<CreateAlertResult>;
  /** Alerts of one chat, not deleted, oldest first (the numbers `/alertas` shows). */
  chatAlerts(platform: ChatAddress["platform"], chatId: string): Promise<Alert[]>;
  /** Every active alert (matching and dispatch). */
  activeAlerts(): Promise<Alert[]>;
  updateAlert(id: string, patch: AlertPatch): Promise<Alert | null>;
  /** Soft delete: the alert stops, its items stay (once-only keys keep holding). */
  deleteAlert(id: string, now: Date): Promise<boolean>;
  /** A chat that blocked the bot: its active alerts become `unreachable`, pending items dropped. */
  pauseChat(platform: ChatAddress["platform"], chatId: string): Promise<number>;
  markDigest(alertId: string, at: Date): Promise<void>;

  /** The first `limit` queued bids, oldest write first. Reading does not dequeue. */
  takeQueue(limit: number): Promise<QueuedBid[]>;
  seenFor(bidIds: readonly string[]): Promise<SeenRow[]>;
  /**
   * One batch, atomically: items inserted (repeats of a unique key ignored), the seen state of bids stored
   * (kept per bid: `seen` overwrites, a match's `seen` only fills a bid that has none), and the queue
   * entries `done` removed where their seq is unchanged. Returns the items actually inserted.
   */
  commitMatches(
    done: ReadonlyArray<Pick<QueuedBid, "bidId" | "seq">>,
    items: readonly NewItem[],
    seen: ReadonlyArray<{ alertId: string; bidId: string; seen: BidSnapshot }>,
    now: Date,
  ): Promise<number>;
  /** Reminder items for sent matches of `lembrete` alerts closing within `withinMs`; returns how many. */
  queueReminders(now: Date, withinMs: number): Promise<number>;

  /** Changes and reminders of active alerts, plus matches of `matchAlertIds`; expired claims included. */
  readyItems(matchAlertIds: readonly string[], now: Date, limit: number): Promise<ReadyItem[]>;
  /** Claims items until `until`; returns the ids now held by `token`. */
  claimItems(ids: readonly string[], token: string, until: Date, now: Date): Promise<string[]>;
  /** Ends a claim (`pending` = try again later). */
  finishItems(
    ids: readonly string[],
    token: string,
    status: "sent" | "dropped" | "pending",
    now: Date,
  ): Promise<void>;
}
