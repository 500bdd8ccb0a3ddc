/**
 * The components `/health/ready` checks, built by the composition root: the store (a real query), Redis
 * (PING) when configured, the job queue (its own status when it has one), the index (fresh enough while
 * the sync runs), the PNCP circuit, and each chat adapter. See `readiness.ts` for what critical means.
 */
import type { BotAdapter } from "../bots/adapter.ts";
import type { BidIndex } from "../core/ports/bid-index.ts";
import type { Clock } from "../core/ports/clock.ts";
import type { Store } from "../core/ports/store.ts";
import type { ReadinessCheck } from "./readiness.ts";

/** The store answers a query (the plan catalog: small, always there). Critical. */
export function storeCheck(store: Pick<Store, "listPlans">): ReadinessCheck {
  return {
    name: "store",
    critical: true,
    async check() {
      const plans = await store.listPlans();
      return { ok: plans.length > 0, detail: { plans: plans.length } };
    },
  };
}

/** Redis answers PING (`ping` resolves true). Not critical: limits and jobs fall back to the store/process. */
export function redisCheck(ping: () => Promise<boolean>): ReadinessCheck {
  return {
    name: "redis",
    critical: false,
    async check() {
      const ok = await ping();
      return { ok, detail: { state: ok ? "up" : "down" } };
    },
  };
}

/** What a queue may tell about itself (the BullMQ one reports Redis and its fallback). */
export interface QueueLike {
  readonly size: number;
  status?(): { state: string; backend?: string; redis?: string | null; localJobs?: number };
}

/** The job queue: its own status when it has one, else ok with its size. Not critical (fallback runs jobs). */
export function queueCheck(queue: QueueLike): ReadinessCheck {
  return {
    name: "queue",
    critical: false,
    async check() {
      if (!queue.status) return { ok: true, detail: { backend: "in-process", jobs: queue.size } };
      const status = queue.status();
      return { ok: status.state === "ok", detail: { ...status, jobs: queue.size } };
    },
  };
}

/**
 * The index is readable and, when this deployment syncs, its last round is younger than `staleAfterMs`.
 * An index never synced (no round yet) is ok: searches go live. Not critical: a stale index only means
 * more live fetching.
 */
export function indexCheck(
  index: Pick<BidIndex, "freshness"> | null,
  clock: Clock,
  options: { syncEnabled: boolean; staleAfterMs: number },
): ReadinessCheck {
  return {
    name: "index",
    critical: false,
    async check() {
      if (!index) return { ok: true, detail: { available: false } };
      const fresh = await index.freshness();
      const last = fresh.lastRoundAt ?? fresh.freshAt;
      const ageMinutes = last ? Math.round((clock.now().getTime() - last.getTime()) / 60_000) : null;
      const stale =
        options.syncEnabled && last !== null && clock.now().getTime() - last.getTime() > options.staleAfterMs;
      return {
        ok: !stale,
        detail: {
          available: true,
          lastRoundAt: fresh.lastRoundAt?.toISOString() ?? null,
          freshAt: fresh.freshAt?.toISOString() ?? null,
          ageMinutes,
          ...(stale ? { reason: "index_stale" } : {}),
        },
      };
    },
  };
}

/** PNCP's circuit is closed. Not critical: the index still answers, and the circuit probes by itself. */
export function pncpCheck(pncp: { readonly circuitState?: string }): ReadinessCheck {
  return {
    name: "pncp",
    critical: false,
    async check() {
      const state = pncp.circuitState ?? "closed";
      return { ok: state === "closed", detail: { circuit: state } };
    },
  };
}

/** One check per chat adapter (its own readiness: connected to its platform). Critical. */
export function adapterChecks(
  adapters: () => readonly Pick<BotAdapter, "name" | "status">[],
): ReadinessCheck[] {
  return adapters().map((adapter) => ({
    name: `adapter:${adapter.name}`,
    critical: true,
    async check() {
      const status = adapter.status();
      return { ok: status.ready, ...(status.reason ? { detail: { reason: status.reason } } : {}) };
    },
  }));
}
