/**
 * Every text of the PNCP fixtures (test/fixtures/pncp/**): each distinct string value anywhere in every
 * JSON file (objects, complementary texts, agency names, dates…), for the matcher's differential tests.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../fixtures/pncp/", import.meta.url));

export function fixtureTexts(): string[] {
  const texts = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === "string") texts.add(value);
    else if (Array.isArray(value)) for (const item of value) collect(item);
    else if (value && typeof value === "object") for (const item of Object.values(value)) collect(item);
  };
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".json")) collect(JSON.parse(readFileSync(path, "utf8")));
    }
  };
  walk(ROOT);
  return [...texts];
}
