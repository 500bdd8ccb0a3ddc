import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPostgresBinaries } from "../../src/stores/embedded-postgres-binaries.ts";
import { processAlive, readPostmasterPid } from "../../src/stores/embedded-postgres-server.ts";
import { type FakePncp, startFakePncp } from "../fakes/fake-pncp.ts";
import { runCli } from "../helpers/child-processes.ts";
import { requireService } from "../helpers/services.ts";

const found = await findPostgresBinaries();
const available = requireService("embedded-postgres binaries", found.ok);

describe.skipIf(!available)("separate CLI runs on one DATA_DIR (embedded Postgres)", () => {
  let dir: string;
  let pncp: FakePncp;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smart-pncp-embedded-cli-"));
    pncp = await startFakePncp();
  });
  afterAll(async () => {
    const info = await readPostmasterPid(dir);
    if (info && processAlive(info.pid)) process.kill(info.pid, "SIGQUIT");
    await pncp?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("honour the trial's 2 searches per minute across processes, and a refusal costs no search", async () => {
    const env = { DATA_DIR: dir };
    const search = () =>
      runCli(["search", "uniformes SP", "--as", "cli:limite", "--json", "--pncp-url", pncp.url], env);
    const first = await search();
    expect(first.stderr).not.toMatch(/Erro/);
    expect(first.code).toBe(0);
    expect((await search()).code).toBe(0);
    const third = await search();
    expect(third.code).toBe(2);
    expect(JSON.parse(third.stdout).refused.reason).toBe("rate_limited");
    const status = await runCli(["plan", "show", "cli:limite", "--json"], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ used: 2, plan: { id: "free_trial" } });
    // Every process closed: no server left running.
    const info = await readPostmasterPid(dir);
    expect(info === null || !processAlive(info.pid)).toBe(true);
  }, 300_000);
});
