import type { FetchProgress } from "../core/pncp/pncp-client.ts";

/**
 * Progress on stderr for long searches: silent for the first 1.5 s, then at most once a second
 * ("páginas 12/40"), overwriting the line on a terminal.
 */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (p: FetchProgress) => void;
  done: () => void;
} {
  const started = Date.now();
  let last = 0;
  let printed = false;
  return {
    onProgress(p) {
      const now = Date.now();
      if (now - started < 1500 || now - last < 1000) return;
      last = now;
      printed = true;
      const line = `Consultando o PNCP: páginas ${p.pagesDone}/${p.pagesTotal}`;
      if (stream.isTTY) stream.write(`\r${line}`);
      else stream.write(`${line}\n`);
    },
    done() {
      if (printed && stream.isTTY) stream.write("\n");
    },
  };
}
