import { afterEach } from "vitest";
import { type FakePncp, type FakePncpOptions, startFakePncp } from "./fake-pncp.ts";

/**
 * A loopback PNCP per test: the returned `fake(options)` starts one (over `defaults`), and every one it
 * started is closed after each test. Call at module level of a test file.
 */
export function fakePncpEach(
  defaults: FakePncpOptions = {},
): (options?: FakePncpOptions) => Promise<FakePncp> {
  const started: FakePncp[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.close()));
  });
  return async (options = {}) => {
    const pncp = await startFakePncp({ ...defaults, ...options });
    started.push(pncp);
    return pncp;
  };
}
