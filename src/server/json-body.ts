/**
 * Parsing of verified webhook bodies. A signed body can still be hostile or broken (a leaked secret, a
 * platform bug): `JSON.parse` throws SyntaxError on bad text and may throw RangeError on very deep input,
 * and even when it succeeds, anything recursive downstream (zod, `JSON.stringify` in a log line,
 * `structuredClone`) overflows the stack on 100k nested arrays. So nesting is measured on the text
 * first, without recursion, and bodies deeper than any real platform payload are refused.
 */

/** Real Slack, Telegram and WhatsApp payloads nest < 15 levels; 64 leaves room and stays far from the stack. */
export const MAX_JSON_DEPTH = 64;

/** The deepest `[`/`{` nesting in JSON text, counted outside strings (no recursion, one pass). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** The outcome of `parseJson`: a value, or why there is none. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: "invalid_json" | "too_deep" };

/** `JSON.parse` that never throws and refuses nesting deeper than `maxDepth`. */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): ParsedJson {
  if (jsonDepth(text) > maxDepth) return { ok: false, reason: "too_deep" };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: "invalid_json" };
  }
}

/** A plain object (not null, not an array), for payloads whose top level must be one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
