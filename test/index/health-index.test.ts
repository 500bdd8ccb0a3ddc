import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatDeps } from "../../src/core/chat/chat-deps.ts";
import { UsageBacklog } from "../../src/core/entitlements/usage-backlog.ts";
import type { BidIndex } from "../../src/core/ports/bid-index.ts";
import { FixedClock } from "../../src/core/ports/clock.ts";
import { InProcessJobQueue } from "../../src/core/ports/in-process-job-queue.ts";
import { silentLogger } from "../../src/core/ports/logger.ts";
import { Counters } from "../../src/core/ports/metrics.ts";
import { healthRoute } from "../../src/server/health-route.ts";
import { createHttpServer } from "../../src/server/http-server.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { createBidIndex } from "../../src/stores/sql-bid-index.ts";

const NOW = new Date("2026-09-22T15:00:00Z");

describe("/health reports the index freshness", () => {
  let store: PgliteStore;
  let index: BidIndex;
  beforeAll(async () => {
    store = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
    index = createBidIndex(store);
  });
  afterAll(async () => store?.close());

  async function health(withIndex: BidIndex | null): Promise<Record<string, unknown>> {
    const deps = {
      queue: new InProcessJobQueue(silentLogger(), 1),
      backlog: new UsageBacklog(),
      counters: new Counters(),
      clock: new FixedClock(NOW),
      index: withIndex,
    } as unknown as ChatDeps;
    const server = createHttpServer({ logger: silentLogger(), routes: [healthRoute(deps, () => [])] });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    } finally {
      server.close();
    }
  }

  it("says when the last page and round were stored, and how old that is", async () => {
    expect((await health(index)).index).toEqual({
      available: true,
      freshAt: null,
      lastRoundAt: null,
      ageMinutes: null,
    });
    await index.recordPage(
      { day: "2026-09-22", modalidade: 6 },
      1,
      0,
      [],
      new Date(NOW.getTime() - 30 * 60_000),
    );
    await index.recordRound(new Date(NOW.getTime() - 12 * 60_000), { pages: 1 });
    expect((await health(index)).index).toEqual({
      available: true,
      freshAt: "2026-09-22T14:30:00.000Z",
      lastRoundAt: "2026-09-22T14:48:00.000Z",
      ageMinutes: 12,
    });
  });

  it("stays up when the index cannot be read, and is null without one", async () => {
    const broken = { freshness: () => Promise.reject(new Error("down")) } as unknown as BidIndex;
    expect((await health(broken)).index).toEqual({ available: false, error: "unreadable" });
    expect((await health(null)).index).toBeNull();
  });
});
