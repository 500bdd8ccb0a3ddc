import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { querySlug, workbookFileName } from "./file-name.ts";

describe("workbookFileName", () => {
  it("uses São Paulo time to the second and a slug of the query", () => {
    expect(workbookFileName("uniformes SC", new Date("2026-12-01T17:32:05Z"))).toBe(
      "licitacoes-2026-12-01-1432-05-uniformes-sc.xlsx",
    );
  });

  it("takes the São Paulo calendar day, not UTC's, around midnight", () => {
    expect(workbookFileName("SP", new Date("2026-09-22T02:59:59Z"))).toBe(
      "licitacoes-2026-09-21-2359-59-sp.xlsx",
    );
  });

  it("drops a leading chat command and folds accents", () => {
    expect(workbookFileName("/buscar Saúde, São Paulo & Paraná!", new Date("2026-01-05T12:00:00Z"))).toBe(
      "licitacoes-2026-01-05-0900-00-saude-sao-paulo-parana.xlsx",
    );
  });

  it("leaves the slug out when nothing readable remains", () => {
    expect(workbookFileName("👍 …", new Date("2026-01-05T12:00:00Z"))).toBe(
      "licitacoes-2026-01-05-0900-00.xlsx",
    );
  });

  it("two searches a second apart on one day get different names", () => {
    const a = workbookFileName("uniformes", new Date("2026-12-01T17:32:05Z"));
    const b = workbookFileName("uniformes", new Date("2026-12-01T17:32:06Z"));
    expect(a).not.toBe(b);
  });

  it("cuts a long query at a word boundary", () => {
    const slug = querySlug(
      "merenda escolar para creches municipais de belo horizonte e região metropolitana",
    );
    expect(slug).toBe("merenda-escolar-para-creches-municipais");
    expect(querySlug("a".repeat(500))).toHaveLength(40);
  });

  it("any text and any instant give a safe ASCII file name (property)", () => {
    const instant = fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z") });
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), instant, (text, now) => {
        const name = workbookFileName(text, now);
        expect(name).toMatch(/^licitacoes-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}(-[a-z0-9]+(-[a-z0-9]+)*)?\.xlsx$/);
        expect(name.length).toBeLessThanOrEqual("licitacoes-0000-00-00-0000-00-.xlsx".length + 40);
        expect(name).not.toMatch(/NaN|undefined|Invalid/);
      }),
      { numRuns: 2000 },
    );
  });

  it("an invalid date never yields NaN in the name", () => {
    expect(workbookFileName("x", new Date(Number.NaN))).toBe("licitacoes-1969-12-31-2100-00-x.xlsx");
  });
});
