/**
 * A strict parser for the YAML subset our own files use (docs/prometheus-alerts.yml, docker-compose.yml):
 * block maps and sequences, plain / single- / double-quoted scalars, `|` and `>` block scalars, flow
 * sequences of scalars (`["CMD", "node"]`) and comments. Anything else — tabs, anchors, aliases, tags,
 * flow maps, duplicate keys, bad indentation — throws with the line number, so a typo fails the test
 * instead of parsing as something else. No YAML package is installed and promtool is not available.
 */

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  no: number;
  indent: number;
  raw: string;
}

class YamlError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** Strips a trailing comment outside quotes. */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || text[i - 1] === " ")) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

function scalar(text: string, no: number): Yaml {
  const t = text.trim();
  if (t.startsWith('"')) {
    if (!t.endsWith('"') || t.length < 2) throw new YamlError(no, `unterminated string ${t}`);
    return JSON.parse(t) as string;
  }
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2) throw new YamlError(no, `unterminated string ${t}`);
    return t.slice(1, -1).replaceAll("''", "'");
  }
  if (t.startsWith("[")) {
    if (!t.endsWith("]")) throw new YamlError(no, "flow sequence must end on its line");
    const inner = t.slice(1, -1).trim();
    if (inner === "") return [];
    const items: string[] = [];
    let current = "";
    let quote: string | null = null;
    for (const c of inner) {
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ",") {
        items.push(current);
        current = "";
        continue;
      } else if (c === "[" || c === "{") throw new YamlError(no, "nested flow collections are not supported");
      current += c;
    }
    items.push(current);
    return items.map((item) => scalar(item, no));
  }
  if (/^[&*!{]/.test(t) || t.startsWith("|") || t.startsWith(">")) {
    throw new YamlError(no, `unsupported YAML: ${t}`);
  }
  if (t === "" || t === "~" || t === "null") return null;
  if (t === "true" || t === "false") return t === "true";
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'#\-[{][^:#]*?|-[^\s:#][^:#]*?):(?:\s+(.*))?$/;

/** Parses `text`; throws YamlError on anything outside the subset. */
export function parseYamlSubset(text: string): Yaml {
  const raw = text.split(/\r?\n/);
  raw.forEach((line, i) => {
    if (/^\s*\t/.test(line)) throw new YamlError(i + 1, "tab in indentation");
  });
  let pos = 0;
  const lineAt = (i: number): Line => {
    const r = raw[i] ?? "";
    return { no: i + 1, indent: r.length - r.trimStart().length, raw: r };
  };
  const isBlank = (i: number) => {
    const t = (raw[i] ?? "").trim();
    return t === "" || t.startsWith("#");
  };
  const next = (): Line | null => {
    while (pos < raw.length && isBlank(pos)) pos++;
    return pos < raw.length ? lineAt(pos) : null;
  };

  function blockScalar(header: string, parentIndent: number, no: number): string {
    const m = /^([|>])([-+]?)$/.exec(header);
    if (!m) throw new YamlError(no, `bad block scalar header ${header}`);
    const lines: string[] = [];
    let indent = -1;
    while (pos < raw.length) {
      const r = raw[pos] ?? "";
      if (r.trim() === "") {
        lines.push("");
        pos++;
        continue;
      }
      const ind = r.length - r.trimStart().length;
      if (ind <= parentIndent) break;
      if (indent < 0) indent = ind;
      if (ind < indent) throw new YamlError(pos + 1, "block scalar line less indented than its first line");
      lines.push(r.slice(indent));
      pos++;
    }
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    const body = m[1] === "|" ? lines.join("\n") : lines.join(" ").replace(/ {2,}/g, " ");
    return m[2] === "-" ? body : `${body}\n`;
  }

  function value(rest: string, indent: number, no: number): Yaml {
    const text = stripComment(rest);
    if (text.startsWith("|") || text.startsWith(">")) return blockScalar(text, indent, no);
    if (text !== "") return scalar(text, no);
    const child = next();
    if (!child || child.indent < indent) return null;
    if (child.indent === indent) {
      // `key:` followed by a sequence at the key's own indentation is valid YAML.
      return child.raw.trimStart().startsWith("- ") || child.raw.trim() === "-" ? block(indent) : null;
    }
    return block(child.indent);
  }

  function block(indent: number): Yaml {
    const first = next();
    if (!first) return null;
    if (first.indent !== indent) throw new YamlError(first.no, `expected indentation ${indent}`);
    const content = first.raw.trimStart();
    return content.startsWith("- ") || content === "-"
      ? sequence(indent)
      : map(indent, first.raw.trimStart());
  }

  function map(indent: number, firstContent?: string): Yaml {
    const out: Record<string, Yaml> = {};
    let content = firstContent;
    for (;;) {
      const line = next();
      if (!line || line.indent < indent) break;
      if (line.indent > indent) throw new YamlError(line.no, "unexpected indentation");
      const text = content ?? line.raw.trimStart();
      content = undefined;
      if (text.startsWith("- ")) break;
      const m = KEY.exec(stripComment(text));
      if (!m) throw new YamlError(line.no, `expected "key: value", got ${text}`);
      const key = String(scalar(m[1] ?? "", line.no));
      if (Object.hasOwn(out, key)) throw new YamlError(line.no, `duplicate key ${key}`);
      pos++;
      out[key] = value(m[2] ?? "", indent, line.no);
    }
    return out;
  }

  function sequence(indent: number): Yaml {
    const out: Yaml[] = [];
    for (;;) {
      const line = next();
      if (!line || line.indent < indent) break;
      if (line.indent > indent) throw new YamlError(line.no, "unexpected indentation in sequence");
      const content = line.raw.trimStart();
      if (!(content.startsWith("- ") || content === "-")) break;
      const rest = content === "-" ? "" : content.slice(2);
      const itemIndent = indent + 2 + (rest.length - rest.trimStart().length);
      if (rest.trim() === "") {
        pos++;
        out.push(value("", indent, line.no));
      } else if (KEY.test(stripComment(rest.trimStart()))) {
        // `- key: value` opens a map whose keys sit where `key` is.
        raw[pos] = `${" ".repeat(itemIndent)}${rest.trimStart()}`;
        out.push(map(itemIndent));
      } else {
        pos++;
        out.push(value(rest, indent, line.no));
      }
    }
    return out;
  }

  const root = next();
  if (!root) return null;
  const doc = block(root.indent);
  const rest = next();
  if (rest) throw new YamlError(rest.no, "content after the document");
  return doc;
}
