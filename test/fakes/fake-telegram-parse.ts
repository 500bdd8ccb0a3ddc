/**
 * What the fake Telegram parses like the real Bot API does: Telegram HTML (`parse_mode: "HTML"`) and the
 * multipart/form-data bodies grammY sends for uploads.
 */

/** A file part of a multipart upload. */
export interface FakeUpload {
  /** Form field name (grammY uses a random id referenced as `attach://<id>`). */
  field: string;
  filename: string;
  data: Buffer;
}

const ALLOWED_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "a",
  "code",
  "pre",
  "tg-spoiler",
  "tg-emoji",
  "blockquote",
  "span",
]);

/** Parses Telegram HTML like the Bot API: returns the visible text, or the error Telegram would give. */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const stack: string[] = [];
  let text = "";
  let i = 0;
  while (i < html.length) {
    const c = html[i]!;
    if (c === "<") {
      const tag = /^<(\/?)([a-zA-Z-]+)(\s[^>]*)?>/.exec(html.slice(i));
      if (!tag)
        return {
          error: `Bad Request: can't parse entities: Unexpected end of name token at byte offset ${i}`,
        };
      const [whole, closing, rawName] = tag;
      const name = rawName!.toLowerCase();
      if (!ALLOWED_TAGS.has(name))
        return { error: `Bad Request: can't parse entities: Unsupported start tag "${name}"` };
      if (closing) {
        if (stack.pop() !== name)
          return { error: `Bad Request: can't parse entities: Unmatched end tag "${name}"` };
      } else {
        stack.push(name);
      }
      i += whole.length;
    } else if (c === "&") {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (!entity)
        return { error: `Bad Request: can't parse entities: Character entity expected at byte offset ${i}` };
      const name = entity[1]!.toLowerCase();
      text +=
        name === "lt"
          ? "<"
          : name === "gt"
            ? ">"
            : name === "amp"
              ? "&"
              : name === "quot"
                ? '"'
                : String.fromCodePoint(
                    Number.parseInt(
                      name.startsWith("#x") ? name.slice(2) : name.slice(1),
                      name.startsWith("#x") ? 16 : 10,
                    ),
                  );
      i += entity[0].length;
    } else {
      text += c;
      i += 1;
    }
  }
  if (stack.length > 0)
    return {
      error: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack.at(-1)}"`,
    };
  return { text };
}

/** Minimal multipart/form-data reader, lenient like Telegram about grammY's unquoted filenames. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): { fields: Record<string, string>; files: FakeUpload[] } {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  const fields: Record<string, string> = {};
  const files: FakeUpload[] = [];
  if (!boundary) return { fields, files };
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // drop CRLF after the delimiter and before the next
    const headerEnd = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? "";
    const filename = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (filename !== undefined) files.push({ field: name, filename, data: Buffer.from(content) });
    else fields[name] = content.toString("utf8");
    start = next;
  }
  return { fields, files };
}
