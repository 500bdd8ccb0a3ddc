/**
 * The `AlertStore` as calls to the SQL functions of supabase/migrations/0011_alerts.sql, once for every
 * transport: plain SQL (PGlite, Postgres: `SqlAlertStore`) or PostgREST RPC (`SupabaseAlertStore`). Every
 * write that must be atomic is one function call, so both behave identically.
 */
import type {
  Alert,
  AlertPatch,
  AlertStore,
  BidSnapshot,
  CreateAlertResult,
  ItemKind,
  ItemStatus,
  NewAlert,
  NewItem,
  QueuedBid,
  ReadyItem,
  SeenRow,
} from "../../core/ports/alert-store.ts";
import type { ChatAddress } from "../../core/ports/notifier.ts";
import type { SearchQuery } from "../../core/search-query.ts";
import type { RpcTransport } from "../function-store.ts";
import type { Row } from "../sql-executor.ts";

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(typeof value === "number" ? value : String(value));
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp from store: ${String(value)}`);
  return date;
}

function json<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** A Postgres array as strings (drivers give arrays; PostgREST gives JSON arrays). */
function pgArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** An `alerts` row (or its jsonb) as an `Alert`. */
export function toAlert(row: Row): Alert {
  const address: ChatAddress = {
    platform: row.platform as ChatAddress["platform"],
    chatId: String(row.chat_id),
    teamId: row.team_id === null || row.team_id === undefined ? null : String(row.team_id),
  };
  if (row.thread_id) address.threadId = String(row.thread_id);
  return {
    id: String(row.id),
    accountId: String(row.account_id),
    address,
    scope: row.scope as Alert["scope"],
    queryText: String(row.query_text),
    query: json<SearchQuery>(row.query),
    mode: row.mode as Alert["mode"],
    digestHour: Number(row.digest_hour),
    reminder: row.reminder === true,
    status: row.status as Alert["status"],
    createdAt: toDate(row.created_at),
    lastDigestAt:
      row.last_digest_at === null || row.last_digest_at === undefined ? null : toDate(row.last_digest_at),
  };
}

/** One snapshot per bid (the store keeps the seen state per bid). */
function perBid(
  rows: ReadonlyArray<{ bidId: string; seen: BidSnapshot }>,
): Array<{ bid_id: string; seen: BidSnapshot }> {
  const out = new Map<string, BidSnapshot>();
  for (const row of rows) out.set(row.bidId, row.seen);
  return [...out].map(([bid_id, seen]) => ({ bid_id, seen }));
}

/** Joins an alert's bid ids in `p_alert_lists` (never part of a PNCP id; checked). */
const LIST_SEPARATOR = "\u001f";

/**
 * Match items as alert_commit_matches takes them: each (alert, bid) once, grouped per alert (its bid ids
 * joined by LIST_SEPARATOR) and per bid (1-based positions into `alertIds`, with 0-based offsets) — compact
 * arrays instead of ~400k (alert, bid) objects, and no grouping left to SQL. Bids in id order (the order the
 * commit inserts them in, whoever commits); alerts in ascending id order (each bid's alerts sorted, as
 * `alert_bid_seen` keeps them).
 */
export function groupMatches(items: readonly NewItem[]): {
  alertIds: string[];
  alertLists: string[];
  bids: string[];
  firstSeen: Array<BidSnapshot | null>;
  bidAlerts: number[];
  bidOff: number[];
} {
  const seenOf = new Map<string, BidSnapshot | null>();
  const perAlert = new Map<string, Set<string>>();
  for (const item of items) {
    if (item.kind !== "match") continue;
    const had = seenOf.get(item.bidId);
    if (had === undefined || (had === null && item.seen)) {
      if (item.bidId.includes(LIST_SEPARATOR)) throw new Error(`bid id with U+001F: ${item.bidId}`);
      seenOf.set(item.bidId, item.seen ?? null);
    }
    let set = perAlert.get(item.alertId);
    if (!set) {
      set = new Set();
      perAlert.set(item.alertId, set);
    }
    set.add(item.bidId);
  }
  const bids = [...seenOf.keys()].sort();
  const bidPos = new Map(bids.map((id, i) => [id, i] as const));
  const alertIds: string[] = [];
  const alertLists: string[] = [];
  const byBid: number[][] = bids.map(() => []);
  // Ascending alert ids: each bid's list of alerts comes out sorted, as the store keeps it.
  const byId = [...perAlert].sort(([a], [b]) => Number(a) - Number(b));
  for (const [alertId, set] of byId) {
    alertIds.push(alertId);
    alertLists.push([...set].join(LIST_SEPARATOR));
    const k = alertIds.length;
    for (const bidId of set) byBid[bidPos.get(bidId)!]!.push(k);
  }
  const bidAlerts: number[] = [];
  const bidOff: number[] = [0];
  for (const list of byBid) {
    for (const k of list) bidAlerts.push(k);
    bidOff.push(bidAlerts.length);
  }
  return {
    alertIds,
    alertLists,
    bids,
    firstSeen: bids.map((id) => seenOf.get(id) ?? null),
    bidAlerts,
    bidOff,
  };
}

/** Item ids as alert_items_ready wrote them: numbers (change, reminder) or 'm<row>/<bid id>' (match lines). */
function splitIds(ids: readonly string[]): {
  p_item_ids: string[];
  p_match_ids: string[];
  p_match_bids: string[];
} {
  const out = { p_item_ids: [] as string[], p_match_ids: [] as string[], p_match_bids: [] as string[] };
  for (const id of ids) {
    const slash = id.indexOf("/");
    if (id.startsWith("m") && slash > 1) {
      out.p_match_ids.push(id.slice(1, slash));
      out.p_match_bids.push(id.slice(slash + 1));
    } else if (/^\d+$/.test(id)) {
      out.p_item_ids.push(id);
    }
  }
  return out;
}

/** Shared by every transport: maps the port onto the SQL functions. */
export class FunctionAlertStore implements AlertStore {
  readonly #rpc: RpcTransport;

  constructor(rpc: RpcTransport) {
    this.#rpc = rpc;
  }

  #json(value: unknown): unknown {
    return this.#rpc.jsonAsText ? JSON.stringify(value) : value;
  }

  async createAlert(input: NewAlert, limit: number, now: Date): Promise<CreateAlertResult> {
    const row = await this.#rpc.one("alert_create", {
      p_account_id: input.accountId,
      p_platform: input.address.platform,
      p_chat_id: input.address.chatId,
      p_team_id: input.address.teamId ?? "",
      p_thread_id: input.address.threadId ?? "",
      p_scope: input.scope,
      p_query_text: input.queryText,
      p_query: this.#json(input.query),
      p_mode: input.mode,
      p_digest_hour: input.digestHour,
      p_reminder: input.reminder,
      p_limit: limit,
      p_now: now.toISOString(),
    });
    const count = Number(row.count);
    if (row.created !== true) return { ok: false, count };
    return { ok: true, count, alert: toAlert(json<Row>(row.alert)) };
  }

  async chatAlerts(platform: ChatAddress["platform"], chatId: string): Promise<Alert[]> {
    return (await this.#rpc.rows("alert_list_chat", { p_platform: platform, p_chat_id: chatId })).map(
      toAlert,
    );
  }

  async activeAlerts(): Promise<Alert[]> {
    return (await this.#rpc.rows("alert_list_active", {})).map(toAlert);
  }

  async updateAlert(id: string, patch: AlertPatch): Promise<Alert | null> {
    const rows = await this.#rpc.rows("alert_update", {
      p_id: id,
      p_status: patch.status,
      p_mode: patch.mode,
      p_digest_hour: patch.digestHour,
      p_reminder: patch.reminder,
    });
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async deleteAlert(id: string, now: Date): Promise<boolean> {
    const rows = await this.#rpc.rows("alert_update", { p_id: id, p_deleted_at: now.toISOString() });
    return rows.length > 0;
  }

  async pauseChat(platform: ChatAddress["platform"], chatId: string): Promise<number> {
    return Number(await this.#rpc.scalar("alert_pause_chat", { p_platform: platform, p_chat_id: chatId }));
  }

  async markDigest(alertId: string, at: Date): Promise<void> {
    await this.#rpc.scalar("alert_mark_digest", { p_id: alertId, p_at: at.toISOString() });
  }

  async takeQueue(limit: number): Promise<QueuedBid[]> {
    const rows = await this.#rpc.rows("alert_queue_take", { p_limit: limit });
    return rows.map((row) => ({
      bidId: String(row.bid_id),
      seq: String(row.seq),
      sectorTags: Array.isArray(row.sector_tags) ? row.sector_tags.map(String) : [],
      eligible: row.eligible === true,
      delivered: row.delivered === true,
    }));
  }

  async seenFor(bidIds: readonly string[]): Promise<SeenRow[]> {
    if (bidIds.length === 0) return [];
    const rows = await this.#rpc.rows("alert_seen_for", { p_bid_ids: [...bidIds] });
    const out: SeenRow[] = [];
    for (const row of rows) {
      const bidId = String(row.bid_id);
      const seen = row.seen === null || row.seen === undefined ? null : json<BidSnapshot>(row.seen);
      const alertIds = pgArray(row.alert_ids);
      const statuses = pgArray(row.statuses);
      alertIds.forEach((alertId, n) => {
        out.push({ alertId, bidId, status: statuses[n] as ItemStatus, seen });
      });
    }
    return out;
  }

  async commitMatches(
    done: ReadonlyArray<Pick<QueuedBid, "bidId" | "seq">>,
    items: readonly NewItem[],
    seen: ReadonlyArray<{ alertId: string; bidId: string; seen: BidSnapshot }>,
    now: Date,
  ): Promise<number> {
    const m = groupMatches(items);
    const value = await this.#rpc.scalar("alert_commit_matches", {
      p_done_bids: done.map((d) => d.bidId),
      p_done_seqs: done.map((d) => d.seq),
      p_alert_ids: m.alertIds,
      p_alert_lists: m.alertLists,
      p_bids: m.bids,
      p_first_seen: this.#json(m.firstSeen),
      p_bid_alerts: m.bidAlerts,
      p_bid_off: m.bidOff,
      p_items: this.#json(
        items
          .filter((i) => i.kind !== "match")
          .map((i) => ({
            alert_id: i.alertId,
            bid_id: i.bidId,
            kind: i.kind,
            change_key: i.changeKey,
            detail: i.detail,
          })),
      ),
      p_seen: this.#json(perBid(seen)),
      p_now: now.toISOString(),
    });
    return Number(value);
  }

  async queueReminders(now: Date, withinMs: number): Promise<number> {
    return Number(
      await this.#rpc.scalar("alert_queue_reminders", { p_now: now.toISOString(), p_within_ms: withinMs }),
    );
  }

  async readyItems(matchAlertIds: readonly string[], now: Date, limit: number): Promise<ReadyItem[]> {
    const rows = await this.#rpc.rows("alert_items_ready", {
      p_match_alert_ids: [...matchAlertIds],
      p_now: now.toISOString(),
      p_limit: limit,
    });
    return rows.map((row) => ({
      id: String(row.id),
      alertId: String(row.alert_id),
      bidId: String(row.bid_id),
      kind: row.kind as ItemKind,
      changeKey: String(row.change_key ?? ""),
      detail: json<Record<string, unknown>>(row.detail ?? {}),
      createdAt: toDate(Number(row.created_at)),
      previousToken: row.claim_token ? String(row.claim_token) : null,
    }));
  }

  async claimItems(ids: readonly string[], token: string, until: Date, now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#rpc.rows("alert_items_claim", {
      ...splitIds(ids),
      p_token: token,
      p_until: until.toISOString(),
      p_now: now.toISOString(),
    });
    return rows.map((row) => String(row.id));
  }

  async finishItems(
    ids: readonly string[],
    token: string,
    status: "sent" | "dropped" | "pending",
    now: Date,
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.#rpc.scalar("alert_items_finish", {
      ...splitIds(ids),
      p_token: token,
      p_status: status,
      p_now: now.toISOString(),
    });
  }
}
