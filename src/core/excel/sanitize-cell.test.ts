import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_CELL_TEXT, sanitizeCellText } from "./sanitize-cell.ts";

describe("sanitizeCellText", () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
    ["+1+1", "'+1+1"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["＝1+1", "'＝1+1"],
    ["＋1", "'＋1"],
    ["－2+3", "'－2+3"],
    ["＠SUM(A1)", "'＠SUM(A1)"],
    ["  =1+1", "'  =1+1"],
    ["\t=1+1", "' =1+1"],
    ["\r=1+1", "'\n=1+1"],
    ["\n@x", "'\n@x"],
  ])("neutralizes the formula start of %j", (input, expected) => {
    expect(sanitizeCellText(input)).toBe(expected);
  });

  it("neutralizes every formula starter, ASCII or full-width, behind any leading whitespace", () => {
    const starters = ["=", "+", "-", "@", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"];
    fc.assert(
      fc.property(
        fc.constantFrom(...starters),
        fc.stringMatching(/^[ \n]{0,3}$/),
        fc.string({ maxLength: 20 }),
        (starter, space, rest) => {
          const out = sanitizeCellText(`${space}${starter}${rest}`);
          expect(out.startsWith("'")).toBe(true);
          expect(out.slice(1).trimStart().startsWith(starter)).toBe(true);
        },
      ),
    );
  });

  it.each([
    ["Aquisição de insumos", "Aquisição de insumos"],
    ["Total = 10", "Total = 10"],
    ["e-mail: a@b.gov.br", "e-mail: a@b.gov.br"],
    ["'já citado'", "'já citado'"],
    ["", ""],
  ])("leaves ordinary text %j alone", (input, expected) => {
    expect(sanitizeCellText(input)).toBe(expected);
  });

  it("strips C0 (but LF), DEL, C1 and XML non-characters; tabs become spaces, CR/CRLF become LF", () => {
    expect(sanitizeCellText("a\u0000b\u0007c\u001bd\u007fe\u0085f\u009bg\uFFFEh\uFFFFi")).toBe("abcdefghi");
    expect(sanitizeCellText("2 BAvEx\tEventual")).toBe("2 BAvEx Eventual");
    expect(sanitizeCellText("linha 1\r\nlinha 2\rlinha 3\nlinha 4")).toBe(
      "linha 1\nlinha 2\nlinha 3\nlinha 4",
    );
  });

  it("removes lone surrogates but keeps real astral characters", () => {
    expect(sanitizeCellText("x\uD800y\uDC00z")).toBe("xyz");
    expect(sanitizeCellText("ok 🚒")).toBe("ok 🚒");
  });

  it("strips controls before deciding, so a hidden control cannot shield a formula", () => {
    expect(sanitizeCellText("\u0000=1+1")).toBe("'=1+1");
    expect(sanitizeCellText("\u200b=1+1")).toBe("\u200b=1+1");
  });

  it("cuts text longer than Excel allows, without leaving half a surrogate pair", () => {
    const long = `${"a".repeat(MAX_CELL_TEXT - 2)}🚒${"b".repeat(100)}`;
    const out = sanitizeCellText(long);
    expect(out.length).toBeLessThanOrEqual(MAX_CELL_TEXT);
    expect(out.endsWith("a…")).toBe(true);
  });

  it("keeps a text of exactly the limit whole, and cuts one character more", () => {
    const exact = "x".repeat(MAX_CELL_TEXT);
    expect(sanitizeCellText(exact)).toBe(exact);
    const over = sanitizeCellText(`${exact}y`);
    expect(over).toHaveLength(MAX_CELL_TEXT);
    expect(over.endsWith("x…")).toBe(true);
  });
});
