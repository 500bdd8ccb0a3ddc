// @ts-check
/**
 * Mutation testing for the paths where a silent regression costs money or safety (issue 13): who pays and
 * who gets refunded, who gets an Excel file, what reaches a spreadsheet cell, which webhooks are believed,
 * how hard we hit PNCP, what the sync records as done, what alerts send once.
 *
 *   npm run mutate                          # every group below (long: before a release, not in CI)
 *   MUTATE_GROUP=excel npm run mutate       # one group: excel, webhooks, pncp, entitlements, chat, sync,
 *                                           # billing, alerts (comma-separated for several)
 *
 * Each group names its modules and the test files that guard them; `vitest.mutate.config.ts` runs just
 * those (passed through MUTATE_TESTS, which the runner processes inherit). The TypeScript checker drops
 * mutants that do not compile before any test runs. Reports: reports/mutation/ (HTML and JSON).
 */

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
const GROUPS = {
  excel: {
    mutate: ["src/core/excel/sanitize-cell.ts"],
    tests: ["src/core/excel/sanitize-cell.test.ts", "test/excel.test.ts"],
  },
  webhooks: {
    mutate: ["src/bots/slack-verify.ts", "src/bots/telegram-verify.ts", "src/bots/whatsapp-verify.ts"],
    tests: ["src/bots/*-verify.test.ts", "src/bots/whatsapp-webhook.test.ts"],
  },
  pncp: {
    mutate: [
      "src/core/pncp/retry.ts",
      "src/core/pncp/circuit-breaker.ts",
      "src/core/pncp/http-pncp-client.ts",
    ],
    // The sync's rounds (background priority, 429 sparing) and the PNCP metrics exercise the client too.
    tests: [
      "src/core/pncp/*.test.ts",
      "test/pncp-client*.test.ts",
      "test/sync/sync-round.test.ts",
      "test/observability/pncp-and-readiness-metrics.test.ts",
    ],
  },
  entitlements: {
    mutate: [
      "src/core/entitlements/check-entitlement.ts",
      "src/core/entitlements/refund.ts",
      "src/core/entitlements/usage-backlog.ts",
    ],
    tests: ["src/core/entitlements/*.test.ts", "test/entitlements.test.ts", "test/store-down.test.ts"],
  },
  chat: {
    mutate: ["src/core/chat/search-command.ts"],
    tests: ["test/chat-service.test.ts", "test/store-down.test.ts", "test/search-flow-guards.test.ts"],
  },
  sync: {
    mutate: ["src/core/sync/sync-plan.ts", "src/core/sync/page-queue.ts"],
    tests: ["src/core/sync/*.test.ts", "test/sync/sync-round.test.ts"],
  },
  // The money paths: the verified webhook, the event handling (claims, re-reads, effects), the
  // subscription's plan and period, the Checkout Session parameters.
  billing: {
    mutate: [
      "src/billing/webhook-route.ts",
      "src/billing/handle-event.ts",
      "src/billing/subscription-snapshot.ts",
      "src/billing/checkout.ts",
    ],
    tests: ["src/billing/**/*.test.ts", "test/billing/**/*.test.ts"],
  },
  // What alerts send once: matching against the seen set, changes worth telling, delivery and digests.
  alerts: {
    mutate: [
      "src/core/alerts/run-alert-matching.ts",
      "src/core/alerts/match-alerts.ts",
      "src/core/alerts/bid-changes.ts",
      "src/core/alerts/deliver-alerts.ts",
    ],
    tests: ["src/core/alerts/**/*.test.ts", "test/alerts/**/*.test.ts"],
  },
};

const wanted = (process.env.MUTATE_GROUP ?? Object.keys(GROUPS).join(","))
  .split(",")
  .map((name) => name.trim())
  .filter(Boolean);
for (const name of wanted) {
  if (!GROUPS[name])
    throw new Error(`MUTATE_GROUP: unknown group "${name}" (${Object.keys(GROUPS).join(", ")})`);
}
const groups = wanted.map((name) => GROUPS[name]);
process.env.MUTATE_TESTS = JSON.stringify([...new Set(groups.flatMap((g) => g.tests))]);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts", related: false },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  mutate: [...groups.flatMap((g) => g.mutate), "!src/**/*.test.ts", "!src/**/*.testing.ts"],
  ignorePatterns: ["reports", "dist", "data", ".stryker-tmp", "coverage"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 85, break: null },
  dryRunTimeoutMinutes: 20,
  timeoutMS: 20_000,
  concurrency: 2,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
export default config;
