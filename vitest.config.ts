import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker per core minus one: a single worker on the 2-core CI, which leaves
    // a core idle while tests wait on child processes, Postgres, Redis and loopback fakes. Two at least
    // (6 PGlite-heavy files on the loaded 2-core box: 91 s with one worker, 64 s with two).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
