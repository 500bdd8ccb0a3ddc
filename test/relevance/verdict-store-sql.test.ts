/**
 * The SQL verdict store (0012_sector_verdicts.sql) on PGlite: read back, last write wins, other versions
 * miss, and the arbiter through it asks each bid once. Own file: opening PGlite with every migration is
 * the slow part (seconds on a loaded machine).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbitrateBids } from "../../src/core/filter/arbiter/arbitrate.ts";
import { OpenAiSectorArbiter } from "../../src/core/filter/arbiter/openai-sector-arbiter.ts";
import { SqlVerdictStore } from "../../src/core/filter/arbiter/sql-verdict-store.ts";
import { makeBid } from "../../src/core/filter/fixture-bids.testing.ts";
import { SECTORS } from "../../src/core/filter/sectors.ts";
import type { Logger } from "../../src/core/ports/logger.ts";
import { PGLITE_MEMORY, PgliteStore } from "../../src/stores/pglite-store.ts";
import { type FakeOpenAi, type FakeOpenAiRequest, startFakeOpenAi } from "../fakes/fake-openai.ts";

const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger } as unknown as Logger;

let fake: FakeOpenAi;
let db: PgliteStore;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  db = await PgliteStore.open({ dataDir: PGLITE_MEMORY });
}, 120_000);
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
    const store = new SqlVerdictStore(db.executor);
    const version = SECTORS.vestuario.version;
    await store.put([
      { bidId: "b1", sector: "vestuario", version, inSector: true, reason: "Botas de couro." },
    ]);
    await store.put([{ bidId: "b1", sector: "vestuario", version, inSector: false, reason: "Revisto." }]);
    expect(await store.get([{ bidId: "b1", sector: "vestuario", version }])).toEqual([
      { bidId: "b1", sector: "vestuario", version, inSector: false, reason: "Revisto." },
    ]);
    expect(await store.get([{ bidId: "b1", sector: "vestuario", version: "other" }])).toEqual([]);
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
