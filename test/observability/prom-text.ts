/**
 * Reads Prometheus' text exposition (what GET /metrics answers) and evaluates the instant-vector
 * selectors our alert rules use (`name{label="v", other=~"a|b", x!="y"}`), so a test can show that an
 * alert's series moved — without a Prometheus server.
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples and the metric families declared by `# TYPE`. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
}

/** Parses the exposition text (label values may hold escaped quotes). */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!m?.[1] || !m[4]) throw new Error(`unreadable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (l[1]) labels[l[1]] = JSON.parse(`"${l[2] ?? ""}"`) as string;
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return { samples, types };
}

/** An instant-vector selector read from PromQL text. */
export interface Selector {
  name: string;
  matchers: { label: string; op: "=" | "!=" | "=~" | "!~"; value: string }[];
}

/** The selectors of every `smart_pncp_*` series an expression names, in order. */
export function selectorsIn(expr: string): Selector[] {
  const out: Selector[] = [];
  for (const m of expr.matchAll(/\b(smart_pncp_[a-z0-9_]+)(\{([^}]*)\})?/g)) {
    const matchers: Selector["matchers"] = [];
    for (const x of (m[3] ?? "").matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      matchers.push({ label: x[1] ?? "", op: x[2] as Selector["matchers"][number]["op"], value: x[3] ?? "" });
    }
    out.push({ name: m[1] ?? "", matchers });
  }
  return out;
}

/** The samples a selector selects (regex matchers are anchored, as in PromQL). */
export function select(exposition: Exposition, selector: Selector): Sample[] {
  return exposition.samples.filter(
    (s) =>
      s.name === selector.name &&
      selector.matchers.every(({ label, op, value }) => {
        const actual = s.labels[label] ?? "";
        if (op === "=") return actual === value;
        if (op === "!=") return actual !== value;
        const re = new RegExp(`^(?:${value})$`);
        return op === "=~" ? re.test(actual) : !re.test(actual);
      }),
  );
}

/** Sum of the samples a selector selects. */
export function sumOf(exposition: Exposition, selector: Selector | string): number {
  const sel = typeof selector === "string" ? selectorsIn(selector)[0] : selector;
  if (!sel) throw new Error(`no selector in ${String(selector)}`);
  return select(exposition, sel).reduce((total, s) => total + s.value, 0);
}

/** The metric family of a series name (`_bucket`/`_count`/`_sum` of a histogram belong to it). */
export function familyOf(name: string, types: Map<string, string>): string | null {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|count|sum)$/, "");
  return types.get(base) === "histogram" ? base : null;
}
