import type { UsageBacklog } from "../entitlements/usage-backlog.ts";
import type { ChatBilling } from "../ports/billing.ts";
import type { JobQueue } from "../ports/job-queue.ts";
import type { Counters } from "../ports/metrics.ts";
import type { RateLimiter } from "../ports/rate-limiter.ts";
import type { Store } from "../ports/store.ts";
import type { SearchDeps } from "../search/run-search.ts";
import type { ParsedQuery } from "../search-query.ts";
import type { RecentDeliveries } from "./recent-deliveries.ts";

/** Optional LLM reader for free text the grammar could not read; returns null to keep the grammar's result. */
export interface QueryInterpreter {
  parse(text: string, now: Date, base: ParsedQuery): Promise<ParsedQuery | null>;
}

/** Everything the chat core needs, built once in the composition root. */
export interface ChatDeps extends SearchDeps {
  store: Store;
  limiter: RateLimiter;
  queue: JobQueue;
  backlog: UsageBacklog;
  counters: Counters;
  upgrade: { publicBaseUrl: string; secret: string; ttlHours: number };
  interpreter?: QueryInterpreter;
  /** Online payment (Stripe), when configured: `/assinar` links, "Gerenciar assinatura". Absent = not set up here. */
  billing?: ChatBilling;
  /**
   * Delivery ids already accepted by this process, checked before `claim_event` (which cannot answer while
   * the store is down). Default: a new bounded record per chat service.
   */
  recentDeliveries?: RecentDeliveries;
  /** Interval between progress replies, ms (default 2500). */
  progressIntervalMs?: number;
}
