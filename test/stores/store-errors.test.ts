import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { toStoreError } from "../../src/stores/store-errors.ts";
import { SupabaseStore } from "../../src/stores/supabase-store.ts";

describe("store errors", () => {
  it("maps unreachable databases to retryable STORE_UNAVAILABLE and rule errors to INTERNAL", () => {
    const down = toStoreError(
      Object.assign(new Error("terminating connection"), { code: "57P01" }),
      "consume_search",
    );
    expect(down).toMatchObject({
      code: "STORE_UNAVAILABLE",
      retryable: true,
      details: { sqlState: "57P01" },
    });
    expect(
      toStoreError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "x").code,
    ).toBe("STORE_UNAVAILABLE");
    const rule = toStoreError(
      Object.assign(new Error("account_not_found"), { code: "P0002" }),
      "consume_search",
    );
    expect(rule).toMatchObject({
      code: "INTERNAL",
      retryable: false,
      details: { operation: "consume_search" },
    });
    expect(rule.message).toBe("consume_search: account_not_found");
  });

  it("reports an unreachable Supabase as STORE_UNAVAILABLE", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const store = await SupabaseStore.open({ url: `http://127.0.0.1:${port}`, serviceRoleKey: "k" });
    const error = await store
      .consumeSearch("00000000-0000-0000-0000-000000000000", 7)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
  });
});
