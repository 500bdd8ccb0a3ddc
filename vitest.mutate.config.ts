import { defineConfig } from "vitest/config";

/**
 * The suites Stryker runs against each mutant: the test files of the mutation groups chosen in
 * stryker.config.mjs (it passes them in MUTATE_TESTS). Run alone, every group's tests.
 */
const tests: string[] = process.env.MUTATE_TESTS
  ? JSON.parse(process.env.MUTATE_TESTS)
  : ["src/**/*.test.ts", "test/**/*.test.ts"];

export default defineConfig({
  test: {
    include: tests,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
