/**
 * The batch matcher gives, for every alert, exactly what the search's own `filterBids` keeps (period
 * aside, new bids only) — checked on the real fixture records for generated alert sets; plus the pure
 * pieces: `/alerta` arguments, digest hours in São Paulo, change detection.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readAlertArgs, readHour } from "../../src/core/alerts/alert-args.ts";
import { bidChanges, snapshotOf } from "../../src/core/alerts/bid-changes.ts";
import { digestDue, lastDigestSlot } from "../../src/core/alerts/digest-schedule.ts";
import { type MatchableAlert, matchAlerts, NEW_BID_GRACE_MS } from "../../src/core/alerts/match-alerts.ts";
import type { Bid } from "../../src/core/bid.ts";
import { filterBids } from "../../src/core/filter/filter.ts";
import { loadFixtureBids } from "../../src/core/filter/fixture-bids.testing.ts";
import { sectorTagsOf } from "../../src/core/index/sector-tags.ts";
import { parseQuery } from "../../src/core/query/parse-query.ts";
import { SECTOR_IDS } from "../../src/core/sectors.ts";

const NOW = new Date("2026-12-01T15:00:00Z");
const bids: Bid[] = loadFixtureBids().map((b, i) => ({
  ...b,
  id: `${b.id}#${i}`,
  // Half published "now", half long ago (never new for an alert).
  publishedAt: i % 2 === 0 ? new Date(NOW.getTime() - (i % 5) * 3_600_000).toISOString() : b.publishedAt,
}));
const tags = new Map(sectorTagsOf(bids).map((t, i) => [bids[i]!.id, t.tags] as const));
const words = [
  ...new Set(bids.flatMap((b) => b.object.split(/[^\p{L}]+/u)).filter((w) => w.length >= 5)),
].slice(0, 300);

const alertText = fc.oneof(
  fc.constantFrom(...SECTOR_IDS).map((s) => `setor:${s}`),
  fc.constantFrom(...words),
  fc.tuple(fc.constantFrom(...words), fc.constantFrom(...words)).map(([a, b]) => `"${a}" "${b}"`),
  fc.constantFrom(...words).map((w) => `${w.slice(0, 4)}*`),
  fc.constantFrom("SP", "MG acima de 100 mil", "abertas", "RJ ES pregão", "até 50 mil", "dispensa"),
  fc
    .tuple(fc.constantFrom(...SECTOR_IDS), fc.constantFrom("SP", "MG", "abertas", "acima de 10 mil"))
    .map(([s, f]) => `setor:${s} ${f}`),
);

function naive(alert: MatchableAlert): string[] {
  const since = alert.createdAt.getTime() - NEW_BID_GRACE_MS;
  return filterBids(bids, alert.query, NOW)
    .bids.filter((b) => Date.parse(b.publishedAt ?? "") >= since)
    .map((b) => b.id)
    .sort();
}

describe("matchAlerts", () => {
  it("equals filterBids per alert, for generated alert sets", () => {
    fc.assert(
      fc.property(fc.array(alertText, { minLength: 1, maxLength: 25 }), (texts) => {
        const alerts = texts.map((text, i) => ({
          id: String(i),
          query: parseQuery(text, { now: NOW }).query,
          createdAt: new Date(NOW.getTime() - (i % 3) * 86_400_000),
        }));
        const got = matchAlerts(bids, tags, alerts, NOW);
        for (const alert of alerts)
          expect([...(got.get(alert.id) ?? [])].sort(), texts[Number(alert.id)]).toEqual(naive(alert));
      }),
      { numRuns: 40 },
    );
  });

  it("sends nothing for bids published more than a day before the alert was saved", () => {
    const alert = {
      id: "a",
      query: parseQuery("SP", { now: NOW }).query,
      createdAt: new Date(NOW.getTime() + 2 * 86_400_000),
    };
    expect(matchAlerts(bids, tags, [alert], NOW).size).toBe(0);
  });
});

describe("/alerta arguments", () => {
  it.each([
    ["uniformes SC", { kind: "create", text: "uniformes SC", mode: null, digestHour: null, reminder: false }],
    [
      "uniformes SC diário 18h",
      { kind: "create", text: "uniformes SC", mode: "daily", digestHour: 18, reminder: false },
    ],
    [
      "pregão informática SP instantâneo lembrete",
      { kind: "create", text: "pregão informática SP", mode: "instant", digestHour: null, reminder: true },
    ],
    ["obras às 7h", { kind: "create", text: "obras", mode: "daily", digestHour: 7, reminder: false }],
    [
      "saúde RJ na hora",
      { kind: "create", text: "saúde RJ", mode: "instant", digestHour: null, reminder: false },
    ],
    ["remover 2", { kind: "manage", action: "remove", ref: { kind: "position", n: 2 }, digestHour: null }],
    ["pausar #17", { kind: "manage", action: "pause", ref: { kind: "id", id: "17" }, digestHour: null }],
    ["diario #3 18h", { kind: "manage", action: "daily", ref: { kind: "id", id: "3" }, digestHour: 18 }],
    [
      "instantâneo 1",
      { kind: "manage", action: "instant", ref: { kind: "position", n: 1 }, digestHour: null },
    ],
    ["", { kind: "empty" }],
  ])("%s", (text, expected) => {
    expect(readAlertArgs(text)).toEqual(expected);
  });

  it("never throws and keeps the query words", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const args = readAlertArgs(text);
        if (args.kind === "create")
          expect(args.digestHour === null || (args.digestHour >= 0 && args.digestHour <= 23)).toBe(true);
      }),
    );
    expect(readHour("25h")).toBeNull();
    expect(readHour("18:30")).toBe(18);
  });
});

describe("digest schedule (São Paulo)", () => {
  it("is due once the hour passed after the last digest", () => {
    const created = new Date("2026-12-01T12:30:00Z"); // 09:30 SP
    expect(lastDigestSlot(new Date("2026-12-02T10:59:59Z"), 8).toISOString()).toBe(
      "2026-12-01T11:00:00.000Z",
    );
    expect(lastDigestSlot(new Date("2026-12-02T11:00:00Z"), 8).toISOString()).toBe(
      "2026-12-02T11:00:00.000Z",
    );
    expect(
      digestDue({ digestHour: 8, createdAt: created, lastDigestAt: null }, new Date("2026-12-01T23:00:00Z")),
    ).toBe(false);
    expect(
      digestDue({ digestHour: 8, createdAt: created, lastDigestAt: null }, new Date("2026-12-02T11:00:01Z")),
    ).toBe(true);
    expect(
      digestDue(
        { digestHour: 8, createdAt: created, lastDigestAt: new Date("2026-12-02T11:00:01Z") },
        new Date("2026-12-02T20:00:00Z"),
      ),
    ).toBe(false);
    expect(
      digestDue({ digestHour: 18, createdAt: created, lastDigestAt: null }, new Date("2026-12-01T21:00:00Z")),
    ).toBe(true);
  });
});

describe("bid changes", () => {
  const base = bids[0]!;
  it("tells suspension, annulment, a new closing date and a rectification, keyed by the new state", () => {
    const before = snapshotOf({ ...base, situationId: 1, proposalsCloseAt: "2026-12-10T13:00:00.000Z" });
    expect(bidChanges(before, before)).toEqual([]);
    expect(
      bidChanges(
        before,
        snapshotOf({ ...base, situationId: 4, proposalsCloseAt: "2026-12-10T13:00:00.000Z" }),
      ),
    ).toEqual([{ kind: "suspended", key: "situacao:4" }]);
    expect(
      bidChanges(
        before,
        snapshotOf({ ...base, situationId: 3, proposalsCloseAt: "2026-12-10T13:00:00.000Z" }),
      )[0]!.kind,
    ).toBe("annulled");
    const moved = bidChanges(
      before,
      snapshotOf({ ...base, situationId: 1, proposalsCloseAt: "2026-12-15T13:00:00.000Z" }),
    );
    expect(moved).toEqual([
      {
        kind: "new_closing_date",
        key: `close:${Date.parse("2026-12-15T13:00:00.000Z")}`,
        closeAt: Date.parse("2026-12-15T13:00:00.000Z"),
      },
    ]);
    const rectified = bidChanges(
      before,
      snapshotOf({
        ...base,
        situationId: 1,
        proposalsCloseAt: "2026-12-10T13:00:00.000Z",
        object: `${base.object} (retificado)`,
      }),
    );
    expect(rectified.map((c) => c.kind)).toEqual(["rectified"]);
  });
});
