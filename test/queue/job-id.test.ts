import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jobIdFor } from "../../src/core/ports/job-queue.ts";

/** BullMQ 6's own check on custom ids (src/classes/job.ts: integers and ':' are refused). */
function bullmqAccepts(id: string): boolean {
  if (`${Number.parseInt(id, 10)}` === id) return false;
  return !(id.includes(":") && id.split(":").length !== 3);
}

describe("jobIdFor", () => {
  it("is a valid BullMQ custom id for any source and delivery id (no ':', never digits-only)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (source, id) => {
        const jobId = jobIdFor(source, id);
        expect(jobId).not.toContain(":");
        expect(/^\d+$/.test(jobId)).toBe(false);
        expect(bullmqAccepts(jobId)).toBe(true);
        expect(jobId).toMatch(/^[A-Za-z0-9_.%-]+$/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("is deterministic (duplicates collapse) and injective (different deliveries never collapse)", () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.string(), fc.string()),
        fc.tuple(fc.string(), fc.string()),
        ([s1, d1], [s2, d2]) => {
          expect(jobIdFor(s1, d1)).toBe(jobIdFor(s1, d1));
          if (s1 !== s2 || d1 !== d2) expect(jobIdFor(s1, d1)).not.toBe(jobIdFor(s2, d2));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("keeps the usual delivery ids readable", () => {
    expect(jobIdFor("telegram", "123456")).toBe("d_telegram-123456");
    expect(jobIdFor("slack", "Ev01:x")).toBe("d_slack-Ev01%3Ax");
    expect(jobIdFor("whatsapp", "wamid.HBgM-x")).toBe("d_whatsapp-wamid.HBgM%2Dx");
    // The two parts never blur: "a-b" + "c" differs from "a" + "b-c".
    expect(jobIdFor("a-b", "c")).not.toBe(jobIdFor("a", "b-c"));
  });
});
