import { describe, expect, it } from "vitest";
import { BoundedLru } from "./bounded-lru.ts";

const T0 = new Date("2026-11-10T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe("BoundedLru", () => {
  it("evicts the least recently used entry beyond its size", () => {
    const lru = new BoundedLru<number>(2, 60_000);
    lru.set("a", 1, at(0));
    lru.set("b", 2, at(0));
    expect(lru.get("a", at(1))).toBe(1); // a is now the most recent
    lru.set("c", 3, at(2));
    expect(lru.get("b", at(3))).toBeUndefined();
    expect(lru.get("a", at(3))).toBe(1);
    expect(lru.get("c", at(3))).toBe(3);
    expect(lru.size).toBe(2);
  });

  it("forgets entries older than its TTL", () => {
    const lru = new BoundedLru<string>(10, 1_000);
    lru.set("a", "x", at(0));
    expect(lru.get("a", at(999))).toBe("x");
    expect(lru.get("a", at(1_000))).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it("stays bounded under many keys", () => {
    const lru = new BoundedLru<number>(100, 60_000);
    for (let i = 0; i < 10_000; i++) lru.set(`k${i}`, i, at(i));
    expect(lru.size).toBe(100);
    expect(lru.get("k9999", at(10_000))).toBe(9999);
    expect(lru.get("k0", at(10_000))).toBeUndefined();
  });
});
