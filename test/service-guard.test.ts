import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { isCi, requireService } from "./helpers/services.ts";

/**
 * The guard that lets a Postgres/Redis suite skip on a developer's machine must never skip in CI, whatever
 * value the CI provider gives `CI` (GitHub: `true`, GitLab: `true`, others `1`, `yes`, a build number).
 */
describe("service guard", () => {
  const FALSY = ["", "0", "false", "no", "off", "FALSE", " False ", "No"];

  it("treats every non-falsy CI value as CI", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (value) => {
        fc.pre(!["", "0", "false", "no", "off"].includes(value.trim().toLowerCase()));
        expect(isCi({ CI: value })).toBe(true);
      }),
    );
    for (const value of ["true", "1", "yes", "TRUE", "build-4711"]) expect(isCi({ CI: value })).toBe(true);
  });

  it("treats unset and falsy values as a developer's machine", () => {
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: undefined })).toBe(false);
    for (const value of FALSY) expect(isCi({ CI: value }), JSON.stringify(value)).toBe(false);
  });

  it("fails a suite in CI when its service is missing, and only skips loudly outside CI", () => {
    expect(() => requireService("Postgres (x)", false, true)).toThrow(/Postgres \(x\) is required in CI/);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      expect(requireService("Redis (y)", false, false)).toBe(false);
      expect(warn.mock.calls[0]?.[0]).toMatch(/Redis \(y\) NOT REACHABLE: its tests are SKIPPED/);
    } finally {
      warn.mockRestore();
    }
    expect(requireService("Redis (y)", true, true)).toBe(true);
  });
});
