import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";

const example = readFileSync(new URL("../.env.example", import.meta.url), "utf8");
const configSource = readFileSync(new URL("../src/config.ts", import.meta.url), "utf8");

/** The variable names of `envSchema` in src/config.ts (the only reader of process.env). */
function configVariables(): string[] {
  const start = configSource.indexOf("const envSchema = z.object({");
  const end = configSource.indexOf("\n});", start);
  expect(start).toBeGreaterThan(-1);
  return [...configSource.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

describe(".env.example", () => {
  it("lists every variable src/config.ts reads (set, or commented out with its value)", () => {
    const variables = configVariables();
    expect(variables.length).toBeGreaterThan(30);
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    expect(variables.filter((v) => !listed.has(v))).toEqual([]);
    expect([...listed].filter((v) => !variables.includes(v))).toEqual([]);
  });

  it("is a valid configuration as it stands (copying it to .env starts the app)", () => {
    const config = loadConfig(parseEnv(example) as Record<string, string>);
    expect(config.port).toBe(loadConfig({}).port);
    expect(config.pncp.baseUrl).toBe("https://pncp.gov.br/api/consulta");
    expect(config.slack.enabled || config.telegram.enabled || config.whatsapp.enabled).toBe(false);
  });

  it("the commented `# NAME=value` lines are the real defaults (uncommenting them changes nothing)", () => {
    const uncommented = example.replace(/^#\s*([A-Z][A-Z0-9_]*=)/gm, "$1");
    const withDefaults = loadConfig(parseEnv(uncommented) as Record<string, string>);
    const bare = loadConfig({});
    const { upgrade: a, ...restA } = withDefaults;
    const { upgrade: b, ...restB } = bare;
    expect(restA).toEqual(restB);
    expect(a.ttlHours).toBe(b.ttlHours);
  });
});
