/**
 * The SQL verdict store (0012_sector_verdicts.sql) on PGlite: read back, last write wins, other versions
 * miss, and the arbiter through it asks each bid once. The database gets only what 0012 needs (the API
 * roles of 0001, then 0012 itself), so the test does not pay for every migration.
 */
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitrateBids } from "../../src/core/filter/arbiter/arbitrate.ts";
import { OpenAiSectorArbiter } from "../../src/core/filter/arbiter/openai-sector-arbiter.ts";
import { SqlVerdictStore } from "../../src/core/filter/arbiter/sql-verdict-store.ts";
import { makeBid } from "../../src/core/filter/fixture-bids.testing.ts";
import { SECTORS } from "../../src/core/filter/sectors.ts";
import type { Logger } from "../../src/core/ports/logger.ts";
import { pgliteExecutor } from "../../src/stores/pglite-store.ts";
import { type FakeOpenAi, type FakeOpenAiRequest, startFakeOpenAi } from "../fakes/fake-openai.ts";

const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger } as unknown as Logger;

let fake: FakeOpenAi;
let db: PGlite;
const migration = (name: string) =>
  readFileSync(new URL(`../../supabase/migrations/${name}`, import.meta.url), "utf8");
beforeAll(async () => {
  fake = await startFakeOpenAi();
  db = await PGlite.create();
  await db.exec(migration("0001_roles.sql"));
  await db.exec(migration("0012_sector_verdicts.sql"));
}, 60_000);
afterAll(async () => {
  await fake.close();
  await db?.close();
});

function yesToAll(req: FakeOpenAiRequest) {
  const { licitacoes } = JSON.parse(req.body.messages[1].content) as { licitacoes: { id: string }[] };
  return {
    content: { verdicts: licitacoes.map((b) => ({ id: b.id, in_sector: true, reason: "Calçados." })) },
  };
}

const BIDS = [
  makeBid({ id: "boots", object: "Aquisição de botas para a equipe de campo" }),
  makeBid({ id: "clear", object: "Aquisição de uniformes escolares" }),
];

describe("SqlVerdictStore", () => {
  it("stores verdicts in SQL (0012) on PGlite: read back, last write wins", async () => {
    const store = new SqlVerdictStore(pgliteExecutor(db));
    const version = SECTORS.vestuario.version;
    await store.put([
      { bidId: "b1", sector: "vestuario", version, inSector: true, reason: "Botas de couro." },
    ]);
    await store.put([{ bidId: "b1", sector: "vestuario", version, inSector: false, reason: "Revisto." }]);
    expect(await store.get([{ bidId: "b1", sector: "vestuario", version }])).toEqual([
      { bidId: "b1", sector: "vestuario", version, inSector: false, reason: "Revisto." },
    ]);
    expect(await store.get([{ bidId: "b1", sector: "vestuario", version: "other" }])).toEqual([]);
    await store.put([
      { bidId: "b2", sector: "vestuario", version, inSector: true, reason: "primeiro" },
      { bidId: "b2", sector: "vestuario", version, inSector: false, reason: "último" },
    ]);
    expect((await store.get([{ bidId: "b2", sector: "vestuario", version }]))[0]?.reason).toBe("último");
    fake.requests.length = 0;
    fake.setResponse(yesToAll);
    const arbiter = new OpenAiSectorArbiter({ apiKey: "test-key", baseURL: fake.baseURL });
    await arbitrateBids(BIDS, "vestuario", { arbiter, store, logger });
    await arbitrateBids(BIDS, "vestuario", { arbiter, store, logger });
    const stored = await store.get([{ bidId: "boots", sector: "vestuario", version }]);
    expect(stored.map((v) => v.inSector)).toEqual([true]);
    expect(fake.requests).toHaveLength(1);
  });
});
