/**
 * Makes untrusted PNCP text safe for a spreadsheet cell.
 *
 * Why: a cell whose text starts with `=`, `+`, `-` or `@` (or tab/CR, or their full-width forms that some
 * spreadsheet apps fold to ASCII) is read back as a formula when a user edits it or the sheet is saved as
 * CSV — "formula injection" (https://owasp.org/www-community/attacks/CSV_Injection). The workbook stores
 * every text as a string cell (never a formula) anyway; the prefix protects the later round trips.
 */

/** Longest text a cell holds (Excel's limit is 32,767 characters). */
export const MAX_CELL_TEXT = 32_000;

/**
 * Characters that make a spreadsheet read the text as a formula, also behind leading whitespace: OWASP's
 * tab/CR starters are covered because tabs become spaces and CRs become LFs before this test.
 */
const FORMULA_START = /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * C0 controls except TAB and LF, DEL, C1 controls, lone surrogates and the XML non-characters
 * U+FFFE/U+FFFF: none is visible and several make the sheet XML invalid.
 */
const CONTROL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Returns `value` with CRLF/CR turned into LF, tabs into spaces, control characters removed, cut to
 * {@link MAX_CELL_TEXT}, and prefixed with a single quote (OWASP's advice) when it would start a formula.
 * The quote stays visible: it is the honest sign that the text was neutralized.
 */
export function sanitizeCellText(value: string): string {
  let text = value.replace(/\r\n?/g, "\n").replace(/\t/g, " ");
  // Cut before stripping, so a surrogate pair split by the cut is removed too.
  if (text.length > MAX_CELL_TEXT) text = `${text.slice(0, MAX_CELL_TEXT - 1)}…`;
  text = text.replace(CONTROL, "");
  return FORMULA_START.test(text) ? `'${text}` : text;
}
