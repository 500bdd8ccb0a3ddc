// Whether dist/ may run instead of src/: shared by bin/smart-pncp.mjs and bench/startup.bench.ts.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * True when dist/.build-stamp (written by `npm run build` after tsc succeeds) exists and no file under src/
 * was modified after it. A packed install has equal mtimes everywhere, so it counts as fresh.
 */
export function buildIsFresh() {
  const stamp = `${root}dist/.build-stamp`;
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const src = `${root}src`;
  if (!existsSync(src)) return true;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const dir = entry.parentPath ?? entry.path;
    if (statSync(`${dir}/${entry.name}`).mtimeMs > built) return false;
  }
  return true;
}
